/*
 * cpu.c - CPU hotplug: cpu_up and cpu_down, the CPU notifier chain's
 * events in 2.6.34's order (include/kmm/cpu.h), and the files of
 * /sys/devices/system/cpu.
 *
 * cpu_up(N), as kernel/cpu.c's _cpu_up:
 *
 *   CPU_UP_PREPARE ---- a veto? ----> CPU_UP_CANCELED to the callbacks
 *        |                            that agreed; the veto's errno
 *   the CPU starts: an empty TLB, CR3 on swapper_pg_dir; online
 *        |
 *   CPU_ONLINE
 *
 * cpu_down(N), as _cpu_down with x86's native_cpu_disable:
 *
 *   refused: the boot CPU (-EBUSY), the last one online (-EBUSY), a CPU
 *   offline already (-EINVAL), a CPU a host thread runs as (parallel
 *   mode: kmm's rule, -EBUSY)
 *        |
 *   CPU_DOWN_PREPARE -- a veto? --> CPU_DOWN_FAILED; the veto's errno
 *        |
 *   its tasks move to another CPU of its node (else any online CPU), as
 *   migrate_live_tasks moves them; the CPU leaves every address space and
 *   empties its TLB; offline
 *        |
 *   CPU_DEAD: the page allocator drains its per-CPU lists and folds its
 *   counters, the slab allocator frees its arrays (their objects back to
 *   the slabs), vmstat recomputes the counter thresholds
 *        |
 *   CPU_POST_DEAD
 *
 * One CPU comes or goes at a time (cpu_add_remove_lock).  The slab
 * allocator marks a CPU online inside its CPU_UP_PREPARE, under its
 * cache_chain_mutex, where 2.6.34 relies on get_online_cpus() in
 * kmem_cache_create: a cache made meanwhile then never misses the CPU's
 * array (mm/slab.c, cpuup_prepare).
 */
#include <stdio.h>
#include <string.h>

#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/kmm.h>
#include <kmm/mutex.h>
#include <kmm/params.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/asm/topology.h>
#include "arch/x86/setup.h"
#include "hw/cpu.h"
#include "hw/machine.h"
#include "kernel/sched_internal.h"

static DEFINE_MUTEX(cpu_add_remove_lock);

#define hcpu(cpu)	((void *)(unsigned long)(cpu))

/* The CPU notifier chain called with @action; the callbacks that ran in *@nr. */
static int cpu_notify(unsigned long action, unsigned int cpu, int nr_to_call, int *nr)
{
	int ret = __raw_notifier_call_chain(&cpu_chain, action, hcpu(cpu), nr_to_call, nr);

	return notifier_to_errno(ret);
}

static int _cpu_up(unsigned int cpu)
{
	int nr_calls = 0, err;

	sched_init_idle(cpu);
	err = cpu_notify(CPU_UP_PREPARE, cpu, -1, &nr_calls);
	if (err) {
		/* The callback that refused cleaned up after itself: tell the others. */
		__raw_notifier_call_chain(&cpu_chain, CPU_UP_CANCELED, hcpu(cpu), nr_calls - 1,
					  NULL);
		return err;
	}
	paging_cpu_up(cpu);
	set_cpu_online(cpu, true);	/* (the slab allocator's callback did already) */
	cpu_notify(CPU_ONLINE, cpu, -1, NULL);
	return 0;
}

/*
 * The CPU is claimed (hw_cpu_hotplug_begin) from before its first
 * notifier event to after its last: in parallel mode no host thread
 * attaches to it or borrows it while it is half up or half down.
 */
int cpu_up(unsigned int cpu)
{
	int err;

	if (cpu >= (unsigned int)nr_cpu_ids)
		return -EINVAL;
	mutex_lock(&cpu_add_remove_lock);
	if (cpu_online(cpu)) {
		err = -EINVAL;
	} else {
		err = hw_cpu_hotplug_begin(cpu);
		if (!err) {
			err = _cpu_up(cpu);
			hw_cpu_hotplug_end(cpu);
		}
	}
	mutex_unlock(&cpu_add_remove_lock);
	return err;
}

int kmm_cpu_up(int cpu)
{
	int err;

	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	if (cpu_online(cpu))
		return 0;
	err = cpu_up(cpu);
	return err == -EINVAL && cpu_online(cpu) ? 0 : err;	/* another thread won */
}

/* Where the tasks of a CPU going down go: the first online CPU of its node, else of all. */
static int fallback_cpu(unsigned int dead)
{
	int any = -1;

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (cpu == (int)dead || !cpu_online(cpu))
			continue;
		if (cpu_to_node(cpu) == cpu_to_node(dead))
			return cpu;
		if (any < 0)
			any = cpu;
	}
	return any;
}

static int _cpu_down(unsigned int cpu)
{
	int nr_calls = 0, err;

	if (num_online_cpus() == 1)
		return -EBUSY;
	if (!cpu_online(cpu))
		return -EINVAL;
	if (cpu == 0)
		return -EBUSY;		/* x86: the boot processor stays (native_cpu_disable) */
	/* A host thread runs as it (nothing can move that thread): -EBUSY. */
	err = hw_cpu_hotplug_begin(cpu);
	if (err)
		return err;
	err = cpu_notify(CPU_DOWN_PREPARE, cpu, -1, &nr_calls);
	if (err) {
		__raw_notifier_call_chain(&cpu_chain, CPU_DOWN_FAILED, hcpu(cpu), nr_calls - 1,
					  NULL);
		hw_cpu_hotplug_end(cpu);
		return err;
	}
	if (hw_deterministic())
		sched_migrate_cpu(cpu, fallback_cpu(cpu));
	paging_cpu_down(cpu);
	set_cpu_online(cpu, false);
	cpu_notify(CPU_DEAD, cpu, -1, NULL);
	cpu_notify(CPU_POST_DEAD, cpu, -1, NULL);
	hw_cpu_hotplug_end(cpu);
	return 0;
}

int cpu_down(unsigned int cpu)
{
	int err;

	if (cpu >= (unsigned int)nr_cpu_ids)
		return -EINVAL;
	mutex_lock(&cpu_add_remove_lock);
	err = _cpu_down(cpu);
	mutex_unlock(&cpu_add_remove_lock);
	return err;
}

int kmm_cpu_down(int cpu)
{
	return cpu < 0 ? -EINVAL : cpu_down(cpu);
}

/* ---- /sys/devices/system/cpu ---- */

/*
 * The possible, online or offline CPUs as cpulist_scnprintf prints them:
 * "0-2,5", then a newline.  The online map is read word by word with
 * acquire, as cpu_online() reads it.
 */
static void show_cpu_list(struct seq_file *m, bool online, bool offline)
{
	unsigned long mask[CPU_MASK_LONGS] = { 0 };

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu) ? online : offline)
			mask[cpu_mask_word(cpu)] |= cpu_mask_bit(cpu);
	seq_bitmap_list(m, mask, nr_cpu_ids);
	seq_putc(m, '\n');
}

/* "cpuN/online" -> N (a CPU with the file: not the boot CPU); else -1. */
static int online_file_cpu(const char *rest)
{
	char name[32];
	int cpu;

	if (sscanf(rest, "cpu%d/online", &cpu) != 1 || cpu <= 0 || cpu >= nr_cpu_ids)
		return -1;
	snprintf(name, sizeof(name), "cpu%d/online", cpu);
	return strcmp(name, rest) ? -1 : cpu;
}

static int sys_cpu_show(struct seq_file *m, const char *rest)
{
	int cpu;

	if (!strcmp(rest, "online"))
		show_cpu_list(m, true, false);
	else if (!strcmp(rest, "possible") || !strcmp(rest, "present"))
		show_cpu_list(m, true, true);
	else if (!strcmp(rest, "offline"))
		show_cpu_list(m, false, true);
	else if ((cpu = online_file_cpu(rest)) >= 0)
		seq_printf(m, "%d\n", (int)cpu_online(cpu));
	else
		return -ENOENT;
	return 0;
}

/* store_online: "0" takes the CPU down, "1" brings it up; the call's errno otherwise. */
static int sys_cpu_write(const char *rest, const char *value)
{
	int cpu = online_file_cpu(rest), err;

	if (cpu < 0) {
		if (!strcmp(rest, "online") || !strcmp(rest, "offline") ||
		    !strcmp(rest, "possible") || !strcmp(rest, "present"))
			return kmm_error("/sys/devices/system/cpu/%s is read-only", rest), -EACCES;
		return -ENOENT;
	}
	if (!strcmp(value, "0"))
		err = cpu_down(cpu);
	else if (!strcmp(value, "1"))
		err = cpu_up(cpu);
	else
		return kmm_error("/sys/devices/system/cpu/%s: '%s' is neither 0 nor 1", rest, value);
	if (err)
		kmm_error("/sys/devices/system/cpu/%s: %s CPU %d failed: %s", rest,
			  *value == '0' ? "taking down" : "bringing up", cpu,
			  err == -EBUSY ? "EBUSY" : err == -EINVAL ? "EINVAL" : "ENOMEM");
	return err;
}
PROC_ENTRY(sys_cpu, "/sys/devices/system/cpu", sys_cpu_show, sys_cpu_write, true);
