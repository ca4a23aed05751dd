/*
 * bug.c - BUG() and WARN() reports, in the shape of 2.6.34's oops and
 * warning banners, and the hooks that decide what a BUG() stops.
 */
#include <stdlib.h>

#include <kmm/bug.h>
#include <kmm/printk.h>
#include "lib/hooks.h"

static struct {
	unsigned long bugs;
	unsigned long warns;
} bug __state_zero;

/*
 * The hook outlives reboots (a test installs it once), so it lives outside
 * the state section.
 */
static bug_hook_t bug_hook;

bug_hook_t bug_set_hook(bug_hook_t hook)
{
	bug_hook_t old = bug_hook;

	bug_hook = hook;
	return old;
}

unsigned long bug_count(void)
{
	return bug.bugs;
}

unsigned long warn_count(void)
{
	return bug.warns;
}

static void print_task(void)
{
	char who[96];

	if (lib_hooks.describe_task && lib_hooks.describe_task(who, sizeof(who)) > 0)
		printk(KERN_WARNING "Pid: %s Not tainted 2.6.34-kmm\n", who);
}

void __warn(const char *file, int line, const char *func)
{
	bug.warns++;
	printk(KERN_WARNING "------------[ cut here ]------------\n");
	printk(KERN_WARNING "WARNING: at %s:%d %s()\n", file, line, func);
	print_task();
	printk(KERN_WARNING "---[ end trace %016lx ]---\n", bug.warns);
}

void __bug(const char *file, int line, const char *func)
{
	bug.bugs++;
	printk(KERN_EMERG "------------[ cut here ]------------\n");
	printk(KERN_EMERG "kernel BUG at %s:%d!\n", file, line);
	printk(KERN_EMERG "invalid opcode: 0000 [#%lu] SMP\n", bug.bugs);
	print_task();
	printk(KERN_EMERG "RIP: %s\n", func);
	if (lib_hooks.stop_here)
		lib_hooks.stop_here(file, line, NULL);
	bug_reraise(file, line);
}

void bug_reraise(const char *file, int line)
{
	if (bug_hook)
		bug_hook(file, line);
	abort();
}
