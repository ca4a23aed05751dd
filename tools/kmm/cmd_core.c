/*
 * cmd_core.c - the scenario commands of the machine itself: boot,
 * shutdown, the CPU the script runs on, the clock, files (cat, set,
 * dmesg), echo and show.  Checking (expect, value, check) is in
 * cmd_expect.c.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/kmm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include "tools/kmm/command.h"

static int cmd_boot(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (rt->booted && rt->auto_booted)
		return rt_error(rt, c, "boot: must come before the first command that uses the machine (the default machine is running)");
	if (rt->booted)
		return rt_error(rt, c, "boot: a machine is already running (use shutdown first)");
	if (rt_boot(rt, c, arg_str(a, "options")))
		return rt_error(rt, c, "boot: %s", kmm_error_msg());
	rt->booted = true;
	rt->auto_booted = false;
	return 0;
}

static int cmd_shutdown(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (!rt->booted)
		return rt_error(rt, c, "shutdown: no machine is running");
	/* The tasks of the script finish first, as at the end of a script. */
	if (tasks_script_end(rt))
		return -1;
	kmm_shutdown();
	rt->booted = false;
	/* Variables pointing into the old machine are meaningless now. */
	rt_machine_gone(rt);
	return 0;
}

static int cmd_cat(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	char *text = rt_read_file(rt, c, arg_str(a, "path"));

	if (!text)
		return -1;
	fputs(text, rt->out);
	free(text);
	return 0;
}

static int cmd_set(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *path = arg_str(a, "path");
	int err;

	kmm_error_clear();
	err = proc_write(path, arg_str(a, "value"));
	if (err == -ENOENT)
		return rt_error(rt, c, "set %s: no such file", path);
	if (err)
		return rt_error(rt, c, "set %s: %s", path,
				kmm_error_msg()[0] ? kmm_error_msg() : "refused");
	return 0;
}

static int cmd_dmesg(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	int opt = arg(a, "option")->word;	/* -1 none, 0 -c, 1 -C */

	if (opt != 1) {
		char *text = rt_read_file(rt, c, "dmesg");

		fputs(text, rt->out);
		free(text);
	}
	if (opt >= 0)
		log_buf_clear();
	return 0;
}

static int cmd_echo(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	fprintf(rt->out, "%s\n", arg_str(a, "text"));
	return 0;
}

/* cpu N: the script's CPU from now on; the executor's cpu= context, entered for good. */
static int cmd_cpu(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return rt_switch_context(rt, c, "cpu", arg(a, "cpu"));
}

/*
 * cpu_up N / cpu_down N: CPU hotplug (kernel/cpu.c).  R = keeps the
 * result (.ret 0 or -1, .errno); without it a refusal stops the script.
 */
static int cpu_hotplug(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a, bool up)
{
	int cpu = (int)arg_num(a, "cpu");
	int err = up ? cpu_up(cpu) : cpu_down(cpu);

	if (c->assign) {
		give_syscall(rt, c, err);
		return 0;
	}
	if (err)
		return rt_error(rt, c, "%s %d: %s", c->def->name, cpu,
				err == -EBUSY ? "EBUSY (the boot CPU, the last one online, or busy)"
				: err == -EINVAL ? (up ? "EINVAL (online already)" : "EINVAL (offline already)")
				: "ENOMEM (no memory for its per-CPU arrays)");
	return 0;
}

static int cmd_cpu_up(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return cpu_hotplug(rt, c, a, true);
}

static int cmd_cpu_down(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return cpu_hotplug(rt, c, a, false);
}

static int cmd_tick(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	kmm_advance_clock((u64)arg_num(a, "jiffies") * (1000000000ULL / 250));
	return 0;
}

/* The script's task (or task=T) sleeps: other tasks run, then the clock jumps. */
static int cmd_sleep(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	kmm_sleep((u64)arg_num(a, "duration"));
	return 0;
}

static int cmd_show(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	value_show(rt->out, arg(a, "variable")->written, arg_value(a, "variable"));
	return 0;
}

static const char *const dmesg_words[] = { "-c", "-C", NULL };

const struct command_def core_commands[] = {
	{ "boot", "boot the machine (first command; otherwise the default machine boots)",
	  (const struct arg_def[]){
		  { "options", &arg_text, ARG_POS, .meta = "OPTION=VALUE...",
		    .help = "boot options (kmm --help lists them)", .def_text = "256M, x86_64, 2 CPUs" },
		  { NULL } },
	  .run = cmd_boot },
	{ "shutdown", "stop the machine; a new boot may follow", NULL, .run = cmd_shutdown },
	{ "cat", "print a /proc or debugfs file",
	  (const struct arg_def[]){
		  { "path", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "PATH",
		    .help = "the file (kmm --help lists them) or dmesg" },
		  { NULL } },
	  .machine = true, .run = cmd_cat },
	{ "set", "write a /proc/sys or debugfs file",
	  (const struct arg_def[]){
		  { "path", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "PATH",
		    .help = "a writable file" },
		  { "value", &arg_text, ARG_POS, .meta = "VALUE",
		    .help = "what to write: the rest of the line" },
		  { NULL } },
	  .usage = "set PATH VALUE", .machine = true, .run = cmd_set },
	{ "dmesg", "print the kernel log (-c: then clear it, -C: only clear it)",
	  (const struct arg_def[]){
		  { "option", &arg_word, ARG_POS, .meta = "-c|-C", .words = dmesg_words,
		    .help = "-c prints then clears, -C clears" },
		  { NULL } },
	  .machine = true, .run = cmd_dmesg },
	{ "echo", "print a line, with $variables expanded",
	  (const struct arg_def[]){
		  { "text", &arg_text, ARG_POS, .meta = "TEXT", .help = "the rest of the line" },
		  { NULL } },
	  .usage = "echo TEXT", .run = cmd_echo },
	{ "cpu_up", "bring CPU N online (CPU hotplug): its pagesets and slab arrays (R = keeps .ret, .errno)",
	  (const struct arg_def[]){
		  { "cpu", &arg_number, ARG_POS | ARG_REQUIRED | ARG_RANGE, .min = 0, .max = 63,
		    .meta = "N", .help = "the CPU" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_cpu_up },
	{ "cpu_down", "take CPU N offline: its tasks move, its per-CPU pages and slab objects go back (R = keeps .ret, .errno)",
	  (const struct arg_def[]){
		  { "cpu", &arg_number, ARG_POS | ARG_REQUIRED | ARG_RANGE, .min = 0, .max = 63,
		    .meta = "N", .help = "the CPU" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_cpu_down },
	{ "cpu", "run the following kernel operations on CPU N",
	  (const struct arg_def[]){
		  { "cpu", &arg_cpu, ARG_POS | ARG_REQUIRED, .help = "the CPU, from 0" },
		  { NULL } },
	  .machine = true, .run = cmd_cpu },
	{ "tick", "advance the clock by N jiffies (default 1), running due timers",
	  (const struct arg_def[]){
		  { "jiffies", &arg_number, ARG_POS | ARG_RANGE, .def = 1, .min = 0,
		    .max = 1LL << 40, .help = "jiffies to go by (HZ is 250)", .def_text = "1" },
		  { NULL } },
	  .machine = true, .run = cmd_tick },
	{ "sleep", "the running task sleeps for the duration (20ms, 5s...): other tasks run, and when all sleep the clock jumps, running due timers",
	  (const struct arg_def[]){
		  { "duration", &arg_duration, ARG_POS | ARG_REQUIRED }, { NULL } },
	  .machine = true, .run = cmd_sleep },
	{ "show", "describe a variable (a page: pfn, order, zone, counts, flags; an object, a cache, a pool)",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED, .meta = "$NAME",
		    .help = "a variable of any kind" },
		  { NULL } },
	  .machine = true, .run = cmd_show },
	{ NULL },
};
