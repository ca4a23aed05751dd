/*
 * compiler.h - compiler attributes and helpers shared by every layer.
 *
 * kmm is C11 with GNU extensions, built by GCC and Clang.  Nothing here
 * includes a libc header: only the compiler's freestanding headers.
 */
#ifndef KMM_COMPILER_H
#define KMM_COMPILER_H

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#ifndef noinline
#define noinline	__attribute__((noinline))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __maybe_unused
#define __maybe_unused	__attribute__((unused))
#endif
#ifndef __used
#define __used		__attribute__((used))
#endif
#ifndef __packed
#define __packed	__attribute__((packed))
#endif
#ifndef __aligned
#define __aligned(x)	__attribute__((aligned(x)))
#endif
#ifndef __cold
#define __cold		__attribute__((cold))
#endif
#ifndef __weak
#define __weak		__attribute__((weak))
#endif

/*
 * The string and formatting functions of the kernel come from lib/
 * (lib/string.c, lib/vsprintf.c) under their C names.  The files that
 * must take nothing from the C library (mm/, and lib's own string files:
 * built with KMM_FREESTANDING) reach them under the names lib/ defines,
 * kmm_memcpy and so on; everyone else may use either.
 */
#ifdef KMM_FREESTANDING
#define __kmm_lib(name)	__asm__("kmm_" #name)
#else
#define __kmm_lib(name)
#endif

#define SMP_CACHE_BYTES		64
#define ____cacheline_aligned	__aligned(SMP_CACHE_BYTES)
#define __cacheline_aligned	____cacheline_aligned

/* Annotations Linux uses; they document intent and compile to nothing. */
#define __init
#define __initdata
#define __meminit
#define __percpu
#define __user
#define __iomem

/*
 * Mutable global state of the simulated kernel.  Every writable global of
 * lib/, hw/, arch/, mm/ and kernel/ lives in this section or, when it has
 * no initialiser, in kmm_state_zero or kmm_state_bulk (below), so that a
 * shutdown can restore the image the program started with -- exactly what a
 * reboot does to a real kernel's .data and .bss.  A build check
 * (tests/check_state.sh) fails when a global is left outside it.
 * The name is a C identifier on purpose: sanitizers leave such sections
 * uninstrumented, so the restore is a plain byte copy.
 */
#define __state		__attribute__((section("kmm_state")))
/*
 * The same for state that starts zeroed (no initialiser): sections of
 * their own, NOBITS like .bss, so that they take no room in the file and a
 * page of them that nothing touches costs the host nothing.  Together in
 * kmm_state they were 2.7 MB of file-backed data among which the few
 * pages every boot writes lay scattered: each process under
 * libkmm-malloc.so faulted in dozens of them, and fault-around mapped
 * hundreds of KB more.  The arrays of 4 KiB and more (the 1 MiB trace
 * buffer, per-CPU arrays for 512 CPUs, ...) go to kmm_state_bulk
 * (__state_bulk), the other zeroed globals to kmm_state_zero, where they
 * share a few pages (a page first read then written faults twice: once for
 * the zero page, once for its own).  GCC makes a named section NOBITS only
 * for .bss names, which get no __start_/__stop_ symbols: the type is given
 * in the section directive itself (the rest of GCC's line becomes a
 * comment), and a global with an initialiser there does not assemble.
 * Clang, which writes no assembly text, keeps them PROGBITS.
 */
#if defined(__clang__)
#define __state_nobits(name)	__attribute__((section(#name)))
#else
#define __state_nobits(name)	__attribute__((section(#name ",\"aw\",@nobits#")))
#endif
#define __state_zero		__state_nobits(kmm_state_zero)
#define __state_bulk		__state_nobits(kmm_state_bulk)

#define barrier()	__asm__ __volatile__("" ::: "memory")
#define cpu_relax()	__builtin_ia32_pause()

/*
 * One step of a wait that spins until another CPU acts (a held lock, a
 * flag it will clear): cpu_relax(), and every SPIN_YIELD_EVERY steps the
 * host thread yields (lib/spinlock.c).  A simulated CPU is a host thread;
 * with more of them than host cores, the one waited for may not be
 * running at all, and spinning through the waiter's time slice only keeps
 * it off the core (a real CPU's lock holder is always running: Linux's
 * spinlocks never yield).  128 threads on 2 cores spent 84% of their time
 * spinning on a holder the host had preempted.
 */
#define SPIN_YIELD_EVERY	128u
void spin_yield(void);
static inline void cpu_relax_wait(unsigned int *spins)
{
	cpu_relax();
	if (!(++*spins & (SPIN_YIELD_EVERY - 1)))
		spin_yield();
}

#define READ_ONCE(x)	 __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ACCESS_ONCE(x)	 (*(volatile __typeof__(x) *)&(x))

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

#endif /* KMM_COMPILER_H */
