/*
 * kernel-page-flags.h - the bits of /proc/kpageflags, one u64 per page
 * frame: 2.6.34's stable numbering, which user space (page-types) reads.
 * They are not PG_* bits: stable_page_flags() translates.
 */
#ifndef KMM_KERNEL_PAGE_FLAGS_H
#define KMM_KERNEL_PAGE_FLAGS_H

#define KPF_LOCKED		0
#define KPF_ERROR		1
#define KPF_REFERENCED		2
#define KPF_UPTODATE		3
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_WRITEBACK		8
#define KPF_RECLAIM		9
#define KPF_BUDDY		10
/* Added in 2.6.31. */
#define KPF_MMAP		11	/* mapped by some page table (not a slab page) */
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_HWPOISON		19
#define KPF_NOPAGE		20	/* a hole: no struct page for the frame */
#define KPF_KSM			21
/* For kernel hackers: Linux says never to rely on these. */
#define KPF_RESERVED		32
#define KPF_MLOCKED		33
#define KPF_MAPPEDTODISK	34
#define KPF_PRIVATE		35
#define KPF_PRIVATE_2		36
#define KPF_OWNER_PRIVATE	37
#define KPF_ARCH		38
#define KPF_UNCACHED		39

#endif /* KMM_KERNEL_PAGE_FLAGS_H */
