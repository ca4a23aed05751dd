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
#include <string.h>

#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/timer.h>
#include "arch/x86/setup.h"
#include "hw/clock.h"
#include "hw/cpu.h"
#include "hw/machine.h"
#include "hw/ram.h"
#include "mm/internal.h"

int kmm_state_snapshot(void);
void kmm_state_restore(void);
void panic_set_trap(jmp_buf *trap);
const char *panic_message(void);
void task_init(void);
struct task_struct *thread_task(void);

static bool booted;			/* process-wide, outside the state section */
static const char *boot_cmdline __state;

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

/* Bring the secondary CPUs online, each announced to the slab allocator first. */
static void smp_init(void)
{
	for (int cpu = 1; cpu < nr_cpu_ids; cpu++) {
		if (cpuup_prepare(cpu))
			panic("smp_init: no memory for CPU %d's slab arrays", cpu);
		set_cpu_online(cpu, true);
	}
}

static int start_kernel(const char *cmdline)
{
	int err;

	cpu_online_bits = 1;	/* the boot CPU */
	task_init();
	printk(KERN_NOTICE "Linux version 2.6.34-kmm (kmm@simulator) (gcc version 4.4.3) #1 SMP\n");
	pageblock_order = arch->pageblock_order;
	err = setup_arch(cmdline);
	if (err)
		return err;
	build_all_zonelists();
	printk(KERN_NOTICE "Kernel command line: %s\n", cmdline);
	mem_init();
	kmem_cache_init();
	gfp_allowed_mask = __GFP_BITS_MASK;
	kmem_cache_init_late();
	setup_per_cpu_pageset();
	smp_init();
	/* The initcalls that matter to memory, in Linux's order. */
	init_per_zone_wmark_min();
	refresh_zone_stat_thresholds();
	timer_add(&vmstat_timer);
	cpucache_init();
	current_task = &init_proc;
	return 0;
}

int kmm_boot(const char *cmdline_arg, unsigned int flags)
{
	const char *volatile cmdline = cmdline_arg ? cmdline_arg : "";
	jmp_buf trap;
	volatile int err;

	if (booted)
		return kmm_error("a machine is already running; shut it down first");
	if (kmm_state_snapshot())
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
	printk_set_clock(hw_clock_ns);

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
	memmap_release();
	hw_machine_teardown();
	kmm_state_restore();
	current_task = &init_task;
	return err;
}

void kmm_shutdown(void)
{
	if (!booted)
		return;
	memmap_release();
	hw_machine_teardown();
	kmm_state_restore();
	current_task = &init_task;
	booted = false;
}

int kmm_thread_attach(int cpu)
{
	int err = cpu < 0 ? hw_cpu_attach_any() : hw_cpu_attach(cpu);

	if (err < 0)
		return err;
	current_task = thread_task();
	return 0;
}

void kmm_thread_detach(void)
{
	hw_cpu_detach();
}

int kmm_set_cpu(int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
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
