/*
 * resource.h - resource limits (getrlimit/setrlimit), with Linux's
 * numbers (asm-generic/resource.h) and 2.6.34's defaults for a new
 * process (INIT_RLIMITS).  kmm enforces the ones memory management reads:
 * RLIMIT_DATA (brk), RLIMIT_STACK (stack growth, mmap_base), RLIMIT_AS
 * (every mapping), RLIMIT_MEMLOCK (mlock, MAP_LOCKED).
 */
#ifndef KMM_RESOURCE_H
#define KMM_RESOURCE_H

#include <kmm/sched.h>

/* (Guarded: the host's <sys/resource.h> has the same names and values.) */
#ifndef RLIMIT_CPU
#define RLIMIT_CPU		0
#define RLIMIT_FSIZE		1
#define RLIMIT_DATA		2
#define RLIMIT_STACK		3
#define RLIMIT_CORE		4
#define RLIMIT_RSS		5
#define RLIMIT_NPROC		6
#define RLIMIT_NOFILE		7
#define RLIMIT_MEMLOCK		8
#define RLIMIT_AS		9
#define RLIMIT_LOCKS		10
#define RLIMIT_SIGPENDING	11
#define RLIMIT_MSGQUEUE		12
#define RLIMIT_NICE		13
#define RLIMIT_RTPRIO		14
#define RLIMIT_RTTIME		15
#define RLIM_NLIMITS		16
#endif
#ifndef RLIM_INFINITY
#define RLIM_INFINITY		(~0UL)
#endif

#define _STK_LIM		(8 * 1024 * 1024)	/* 8 MiB of stack */
#define MLOCK_LIMIT		(64 * 1024)		/* 2.6.34: 64 KiB may be locked (4K pages) */

/* setrlimit(2) for the current process (kernel/process.c): 0, -EINVAL or -EPERM. */
int do_setrlimit(unsigned int resource, unsigned long cur, unsigned long max);

#endif /* KMM_RESOURCE_H */
