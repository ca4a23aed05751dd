/*
 * hooks.c - the table of services lib/ takes from above (lib/hooks.h).
 * Empty until a machine boots; a shutdown empties it again (state section).
 */
#include <kmm/compiler.h>
#include <kmm/preempt.h>
#include "lib/hooks.h"

struct lib_hooks lib_hooks __state_zero;

void lockdep_thread_reset(void);
void printk_thread_reset(void);

void lib_thread_reset(void)
{
	__preempt_count = 0;
	lockdep_thread_reset();
	printk_thread_reset();
}
