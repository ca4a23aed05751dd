/*
 * kmm.h - booting and stopping the simulated machine from C.
 *
 *   if (kmm_boot("ram=1G nodes=2 cpus=4", 0))
 *           errx(1, "%s", kmm_error_msg());
 *   struct page *p = alloc_pages(GFP_KERNEL, 3);
 *   ...
 *   kmm_shutdown();
 *
 * One machine runs at a time per process.  In parallel mode (the default
 * for C callers) every host thread that calls into the kernel must first
 * run as a CPU: kmm_boot() attaches the calling thread to CPU 0, other
 * threads call kmm_thread_attach().
 */
#ifndef KMM_KMM_H
#define KMM_KMM_H

#include <kmm/types.h>

#define KMM_VERSION		"0.1.0"
#define KMM_LINUX_VERSION	"2.6.34"

#define KMM_BOOT_DETERMINISTIC	0x1	/* one host thread runs every CPU (the kmm program) */
/*
 * No other machine will boot in this process: skip the snapshot of the
 * kernel's globals that a later boot restores (1.5 MB copied, a few ms for
 * a short-lived program); after this machine, kmm_boot() refuses.
 */
#define KMM_BOOT_ONLY_ONCE	0x2

/*
 * Boot a machine described by @cmdline (boot options, see docs/scenario.md).
 * Returns 0, or -EINVAL with kmm_error_msg() naming the option and the
 * cause (bad option, impossible machine, or a panic during boot); the
 * process is then as before the call.
 */
int kmm_boot(const char *cmdline, unsigned int flags);
/* Stop the machine and release everything; the next boot starts afresh. */
void kmm_shutdown(void);
bool kmm_booted(void);

/*
 * Parallel mode: run the calling thread as CPU @cpu (-1: any free online
 * CPU).  -EBUSY if taken (or none is free), -EAGAIN if @cpu is offline.
 */
int kmm_thread_attach(int cpu);
void kmm_thread_detach(void);
/*
 * Parallel mode, more threads than CPUs: threads take turns on @cpu, as
 * tasks on one CPU do.  kmm_cpu_enter() runs the calling thread as @cpu
 * (its task current there) until kmm_cpu_leave() gives the CPU back to its
 * idle task; between turns the thread's task stays on the task list, off
 * any CPU, as a task waiting to run.  The callers serialise the turns:
 * -EBUSY if another thread runs as @cpu, -EAGAIN if @cpu is offline.  A
 * thread that took turns calls kmm_thread_detach() when it ends.
 */
int kmm_cpu_enter(int cpu);
void kmm_cpu_leave(void);
/*
 * Bring @cpu online if it is not (a boot with maxcpus= leaves CPUs offline,
 * cpu_down takes them offline): its per-CPU lists and slab arrays, made by
 * the caller, which must run as an online CPU outside interrupts-disabled
 * sections.  0 or -ENOMEM (-EINVAL: no such CPU).
 */
int kmm_cpu_up(int cpu);
/*
 * Take @cpu offline (CPU hotplug, <kmm/cpu.h>): its tasks move to another
 * CPU, its per-CPU page lists and slab arrays are emptied back into the
 * allocators.  0, -EINVAL (no such CPU, or offline already) or -EBUSY (the
 * boot CPU, the last one online, or one a host thread runs as).
 */
int kmm_cpu_down(int cpu);

/* Deterministic mode: run later calls as CPU @cpu (brought online if need be). */
int kmm_set_cpu(int cpu);

/*
 * Parallel mode, for threads that have no CPU of their own (more threads
 * than CPUs): run @fn(@arg) as CPU @cpu with its interrupts disabled, on
 * behalf of the calling thread, and wait.  When another thread owns @cpu
 * the call interrupts it as an IPI would (it waits at its next
 * interrupts-off section).  @fn must not sleep.  -EINVAL for no such CPU;
 * -EAGAIN, and nothing run, if @cpu is offline or coming up or going down
 * (CPU hotplug): try another.
 */
int kmm_run_on_cpu(int cpu, void (*fn)(void *arg), void *arg);
/* Tasks on the task list: kernel threads, and host threads attached or taking turns. */
int kmm_nr_tasks(void);
/* Is @cpu owned by some thread (kmm_thread_attach)? */
bool kmm_cpu_taken(int cpu);
/* Nanoseconds on the machine's clock since boot. */
u64 kmm_clock_ns(void);

/*
 * The host's fork() with a machine running (pthread_atfork order):
 * prepare stops every CPU at a safe point and copies RAM for the child
 * (negative errno if the copy could not be made: the CPUs are stopped all
 * the same); then parent or child must follow, exactly once.  The child
 * gets the copy as its own RAM; it returns a negative errno if it cannot.
 */
int kmm_fork_prepare(void);
void kmm_fork_parent(void);
int kmm_fork_child(void);
/*
 * The calling task sleeps for @ns of the machine's time: other tasks run
 * meanwhile; when every task sleeps the clock jumps, running the periodic
 * kernel work that falls due.  (kmm_advance_clock moves the clock without
 * letting others run.)
 */
void kmm_sleep(u64 ns);
/* Advance the simulated clock by @ns, running the periodic kernel work that falls due. */
void kmm_advance_clock(u64 ns);

/*
 * Kernel-mode reads and writes of @len bytes at @addr, an address as Linux
 * shows it (0xffff880000000000 + pa, a vmalloc address...), through the
 * calling CPU's MMU: its CR3, its TLB, the page-fault handler (vmalloc
 * faults and spurious faults are handled and the access retried).  An
 * access nothing maps is an oops, reported in the kernel log as Linux
 * reports it; the call returns -EFAULT and the machine goes on.
 */
int kmm_kernel_read(unsigned long addr, void *buf, unsigned long len);
int kmm_kernel_write(unsigned long addr, const void *buf, unsigned long len);

/*
 * What a panic after boot does: the default prints the panic and aborts;
 * the kmm program exits with status 3.  The hook must not return.
 */
void kmm_set_panic_hook(void (*hook)(const char *msg));

/* Refuse to boot machines whose physical address space exceeds @bytes (0: no limit). */
void kmm_set_ram_limit(u64 bytes);

const char *kmm_error_msg(void);

#endif /* KMM_KMM_H */
