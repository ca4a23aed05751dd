/*
 * oom_kill.c - out_of_memory(), the allocator's last resort.
 *
 * It chooses a task to kill so that its memory comes back.  Kernel threads
 * and init are never chosen; with no other task to choose, Linux panics
 * ("Out of memory and no killable processes"), and so does kmm.
 */
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include "mm/internal.h"

bool oom_killer_disabled __state_zero;

void out_of_memory(struct zonelist *zonelist, gfp_t gfp_mask, int order, unsigned long *nodemask)
{
	printk(KERN_WARNING "%s invoked oom-killer: gfp_mask=0x%x, order=%d, oom_adj=%d\n",
	       current->comm, gfp_mask, order, 0);
	dump_stack();
	show_mem();
	panic("Out of memory and no killable processes...\n");
}
