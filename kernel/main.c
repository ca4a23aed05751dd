/*
 * main.c - booting: the command line, the machine, then start_kernel() in
 * 2.6.34's order (seed 003, 2.3.2.2):
 *
 *   setup_arch          e820, early reservations, nodes, zones, memory map
 *   build_all_zonelists fallback order, boot pagesets
 *   mem_init            boot memory handed to the buddy allocator
 *   kmem_cache_init     (slab, when it exists)
 *   setup_per_cpu_pageset  real per-CPU lists
 *   initcalls           min_free_kbytes and watermarks, reserves, timers
 *
 * A machine that cannot boot (impossible options, or a panic on the way)
 * makes kmm_boot() fail with the reason and leaves nothing behind.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/timer.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"
#include "arch/x86/setup.h"
#include "hw/clock.h"
#include "hw/cpu.h"
#include "hw/fork.h"
#include "hw/machine.h"
#include "hw/ram.h"
#include "kernel/sched_internal.h"
#include "lib/hooks.h"
#include "mm/boot.h"

int kmm_state_snapshot(void);
void kmm_state_restore(void);
void panic_set_trap(jmp_buf *trap);
const char *panic_message(void);

static bool booted;			/* process-wide, outside the state section */
static bool no_snapshot;		/* a KMM_BOOT_ONLY_ONCE machine ran: nothing to restore */
static const char *boot_cmdline __state_zero;

bool kmm_booted(void)
{
	return booted;
}

static void vmstat_update(void)
{
	refresh_all_vm_stats();
}

static struct kmm_timer vmstat_timer __state = { .name = "vmstat_update", .period = HZ,
						 .fn = vmstat_update };

/* maxcpus=N: the CPUs brought online at boot (Linux's option); the others wait for kmm_cpu_up(). */
static int maxcpus __state = NR_CPUS;

static int set_maxcpus(const char *val)
{
	char *end;
	long n = val ? strtol(val, &end, 10) : 0;

	if (!val || *end || n < 1 || n > NR_CPUS)
		return kmm_error("maxcpus=%s: need a number of CPUs from 1 to %d", val ? val : "", NR_CPUS);
	maxcpus = n;
	return 0;
}
early_param("maxcpus", set_maxcpus, "CPUs brought online at boot (default all); the others come online when first used");

/* Bring the secondary CPUs online (up to maxcpus=), each announced to the slab allocator. */
static void smp_init(void)
{
	for (int cpu = 1; cpu < min(nr_cpu_ids, maxcpus); cpu++)
		if (cpu_up(cpu))
			panic("smp_init: no memory for CPU %d's slab arrays", cpu);
}

/* What lib/ takes from above (lib/hooks.h): the scheduler, the clock, names. */
static void set_lib_hooks(void)
{
	lib_hooks = (struct lib_hooks){
		.clock_ns = hw_clock_ns,
		.describe_task = describe_current_task,
		.sprint_symbol = sprint_symbol,
		.schedule = schedule,
		.schedule_timeout = schedule_timeout,
		.try_to_wake_up = try_to_wake_up,
		.stop_here = sched_stop_here,
		.one_runner = hw_deterministic(),
	};
}

static int start_kernel(const char *cmdline)
{
	int err;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		set_cpu_online(cpu, cpu == 0);	/* the boot CPU */
	task_init();
	sched_init();
	mm_declare_lock_order();
	printk(KERN_NOTICE "Linux version 2.6.34-kmm (kmm@simulator) (gcc version 4.4.3) #1 SMP\n");
	pageblock_order = arch->pageblock_order;
	page_address_init();
	err = setup_arch(cmdline);
	if (err)
		return err;
	build_all_zonelists();
	printk(KERN_NOTICE "Kernel command line: %s\n", cmdline);
	mem_init();
	kmem_cache_init();
	gfp_allowed_mask = __GFP_BITS_MASK;
	kmem_cache_init_late();
	vmalloc_init();
	setup_per_cpu_pageset();
	page_alloc_init();
	setup_vmstat();
	smp_init();
	/* The initcalls that matter to memory, in Linux's order. */
	init_per_zone_wmark_min();
	refresh_zone_stat_thresholds();
	timer_add(&vmstat_timer);
	cpucache_init();
	fork_init(totalram_pages);
	sched_become(&init_proc);
	return 0;
}

int kmm_boot(const char *cmdline_arg, unsigned int flags)
{
	const char *volatile cmdline = cmdline_arg ? cmdline_arg : "";
	jmp_buf trap;
	volatile int err;

	if (booted)
		return kmm_error("a machine is already running; shut it down first");
	if (no_snapshot)
		return kmm_error("a machine booted with KMM_BOOT_ONLY_ONCE ran in this process: no other can boot");
	if (flags & KMM_BOOT_ONLY_ONCE)
		no_snapshot = true;
	else if (kmm_state_snapshot())
		return kmm_error("out of host memory");
	kmm_error_clear();
	boot_cmdline = cmdline;
	err = parse_early_params(cmdline);
	if (err)
		goto fail;
	arch_select();
	err = hw_machine_setup(flags & KMM_BOOT_DETERMINISTIC);
	if (err)
		goto fail;
	if (flags & KMM_BOOT_DETERMINISTIC)
		hw_cpu_attach_all();
	else
		hw_cpu_attach(0);
	set_lib_hooks();

	if (setjmp(trap)) {
		err = kmm_error("kernel panic during boot: %s", panic_message());
		goto fail;
	}
	panic_set_trap(&trap);
	err = start_kernel(cmdline);
	panic_set_trap(NULL);
	if (err)
		goto fail;
	booted = true;
	return 0;
fail:
	panic_set_trap(NULL);
	sched_shutdown();
	memmap_release();
	slab_pagemap_release();
	kernel_windows_release();
	hw_machine_teardown();
	kmm_state_restore();
	return err;
}

void kmm_shutdown(void)
{
	if (!booted)
		return;
	sched_shutdown();
	memmap_release();
	slab_pagemap_release();
	kernel_windows_release();
	hw_machine_teardown();
	kmm_state_restore();
	booted = false;
}

/* A free online CPU for the calling thread, lowest first; -EBUSY if none. */
int attach_any_online(void)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu) && !kmm_cpu_taken(cpu) && !hw_cpu_attach(cpu))
			return cpu;
	return -EBUSY;
}

int kmm_thread_attach(int cpu)
{
	int err;

	/*
	 * An offline CPU has no slab arrays to run with (kmm_cpu_up() first):
	 * hw_cpu_attach() says -EAGAIN, having checked under the CPU's lock
	 * that cpu_down's claim also takes.
	 */
	err = cpu < 0 ? attach_any_online() : hw_cpu_attach(cpu);
	if (err < 0)
		return err;
	thread_task_attach(smp_processor_id());
	return 0;
}

void kmm_thread_detach(void)
{
	thread_task_detach();
	hw_cpu_detach();
}

int kmm_cpu_enter(int cpu)
{
	int err;

	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	err = hw_cpu_attach(cpu);
	if (err)
		return err;
	thread_task_attach(cpu);
	return 0;
}

void kmm_cpu_leave(void)
{
	thread_task_leave();
	hw_cpu_leave();
}

int kmm_set_cpu(int cpu)
{
	int err;

	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	err = kmm_cpu_up(cpu);	/* from the CPU running now, which is online */
	if (err)
		return err;
	if (hw_deterministic())
		sched_move_current(cpu);
	else
		hw_switch_cpu(cpu);
	return 0;
}

void kmm_advance_clock(u64 ns)
{
	timers_advance(ns);
}

void kmm_set_ram_limit(u64 bytes)
{
	hw_set_ram_limit(bytes);
}

int kmm_run_on_cpu(int cpu, void (*fn)(void *arg), void *arg)
{
	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	if (!hw_this_cpu)
		thread_task();	/* the handler runs on behalf of this thread's task */
	return hw_run_on_online_cpu(cpu, fn, arg);
}

bool kmm_cpu_taken(int cpu)
{
	return __atomic_load_n(&hw_cpus[cpu].owner, __ATOMIC_RELAXED) != NULL;
}

u64 kmm_clock_ns(void)
{
	return hw_clock_ns();
}

int kmm_fork_prepare(void)
{
	return hw_fork_prepare();
}

void kmm_fork_parent(void)
{
	hw_fork_parent();
}

int kmm_fork_child(void)
{
	return hw_fork_child();
}
