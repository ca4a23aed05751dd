/*
 * panic.c - the end of the simulated kernel.  During boot a panic is
 * caught and turned into a boot error; afterwards the panic hook decides
 * (the default aborts).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kernel.h>
#include <kmm/printk.h>
#include "lib/hooks.h"

static jmp_buf *panic_trap;
static char panic_msg[512];
static void (*panic_hook)(const char *msg);

void panic_set_trap(jmp_buf *trap)
{
	panic_trap = trap;
}

const char *panic_message(void)
{
	return panic_msg;
}

void kmm_set_panic_hook(void (*hook)(const char *msg))
{
	panic_hook = hook;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	kmm_vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	n = strlen(panic_msg);
	while (n && panic_msg[n - 1] == '\n')
		panic_msg[--n] = '\0';
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", panic_msg);
	if (lib_hooks.stop_here)
		lib_hooks.stop_here(NULL, 0, panic_msg);
	panic_reraise();
}

void panic_reraise(void)
{
	if (panic_trap) {
		jmp_buf *trap = panic_trap;

		panic_trap = NULL;
		longjmp(*trap, 1);
	}
	if (panic_hook)
		panic_hook(panic_msg);
	fprintf(stderr, "Kernel panic - not syncing: %s\n", panic_msg);
	abort();
}
