/*
 * mman.h - the constants of the memory system calls, with the values of
 * Linux's x86 ABI (asm-generic/mman-common.h, asm-generic/mman.h,
 * asm/mman.h, linux/mman.h), so that a trace of a real program means the
 * same thing here.
 */
#ifndef KMM_MMAN_H
#define KMM_MMAN_H

/* mmap, mprotect: what the pages allow */
#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define PROT_SEM	0x8
#define PROT_GROWSDOWN	0x01000000	/* mprotect: down to the start of a growsdown VMA */
#define PROT_GROWSUP	0x02000000

/* mmap flags */
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_TYPE	0x0f
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_32BIT	0x40		/* x86_64: below 2 GiB */
#define MAP_GROWSDOWN	0x0100
#define MAP_DENYWRITE	0x0800		/* ignored, as Linux's system call ignores it */
#define MAP_EXECUTABLE	0x1000		/* ignored likewise */
#define MAP_LOCKED	0x2000
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_NONBLOCK	0x10000
#define MAP_STACK	0x20000
#define MAP_HUGETLB	0x40000
#define MAP_FIXED_NOREPLACE 0x100000	/* Linux 4.17's: MAP_FIXED that fails with EEXIST */
#define MAP_ANON	MAP_ANONYMOUS
#define MAP_FAILED	((unsigned long)-1)

/* mremap */
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2

/* madvise */
#define MADV_NORMAL	0
#define MADV_RANDOM	1
#define MADV_SEQUENTIAL	2
#define MADV_WILLNEED	3
#define MADV_DONTNEED	4
#define MADV_REMOVE	9
#define MADV_DONTFORK	10
#define MADV_DOFORK	11

/* mlockall */
#define MCL_CURRENT	1
#define MCL_FUTURE	2

/* msync */
#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

/* /proc/sys/vm/overcommit_memory */
#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2

#endif /* KMM_MMAN_H */
