/*
 * trace.h - tracepoints, with Linux's event names and fields, recorded in
 * ftrace's text format ("  comm-pid   [cpu] sec.usec: event: fields") into a
 * ring that /sys/kernel/debug/tracing/trace shows.  A disabled event costs
 * one test of a bit.
 */
#ifndef KMM_TRACE_H
#define KMM_TRACE_H

#include <kmm/compiler.h>
#include <kmm/types.h>

enum trace_event_id {
	TRACE_mm_page_alloc,
	TRACE_mm_page_free_direct,
	TRACE_mm_pagevec_free,
	TRACE_mm_page_alloc_zone_locked,
	TRACE_mm_page_pcpu_drain,
	TRACE_mm_page_alloc_extfrag,
	TRACE_kmalloc,
	TRACE_kmem_cache_alloc,
	TRACE_kmalloc_node,
	TRACE_kmem_cache_alloc_node,
	TRACE_kfree,
	TRACE_kmem_cache_free,
	TRACE_tlb_flush,		/* tlb: a TLB flush (later Linux's tracepoint) */
	TRACE_page_fault_kernel,	/* exceptions: a page fault taken in kernel mode */
	TRACE_page_fault_user,		/* exceptions: a page fault taken in user mode */
	TRACE_mmap,			/* mm: a mapping made (kmm's event) */
	TRACE_munmap,			/* mm: a range unmapped */
	TRACE_brk,			/* mm: the break moved */
	TRACE_cow,			/* mm: a write fault copied or reused a page */
	TRACE_readahead,		/* mm: a readahead window read (kmm's event) */
	NR_TRACE_EVENTS
};

/* The reasons of tlb_flush, as later Linux numbers them. */
enum tlb_flush_reason {
	TLB_FLUSH_ON_TASK_SWITCH,
	TLB_REMOTE_SHOOTDOWN,
	TLB_LOCAL_SHOOTDOWN,
	TLB_LOCAL_MM_SHOOTDOWN,
};
#define TLB_FLUSH_ALL	-1L		/* pages: everything */

extern unsigned long trace_enabled_mask;	/* bit per enum trace_event_id */
extern const char *const trace_event_names[NR_TRACE_EVENTS];
/* Each event's subsystem: its directory under tracing/events ("kmem", "tlb", "exceptions"). */
extern const char *const trace_event_systems[NR_TRACE_EVENTS];

#define trace_on(ev)	unlikely(trace_enabled_mask & (1UL << TRACE_##ev))

/* Record one event line; @fmt formats the fields after "name: ". */
void trace_event(enum trace_event_id id, const char *fmt, ...) __printf(2, 3);

/* Enable (1) or disable (0) an event by name, or "all"; -EINVAL if unknown. */
int trace_set_event(const char *name, int on);
/* The same within subsystem @system ("all": its events); -EINVAL if it has no such event. */
int trace_set_system_event(const char *system, const char *name, int on);
/* The trace as ftrace prints it, header included; returns the length. */
size_t trace_read(char *buf, size_t size);
void trace_clear(void);

#endif /* KMM_TRACE_H */
