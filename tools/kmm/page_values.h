/*
 * page_values.h - the page allocator's kinds of value (cmd_pages.c), for
 * the commands of other groups that take them (kmap takes a block or a
 * pool: cmd_highmem.c).
 */
#ifndef KMM_TOOL_PAGE_VALUES_H
#define KMM_TOOL_PAGE_VALUES_H

#include "tools/kmm/runtime.h"

struct page;

/* A block of pages: `p = alloc_pages ...` */
struct page_value {
	struct page *page;		/* NULL when the allocation failed */
	unsigned int order;
};

/* page_block holds a struct page_value; page_pool a struct wl_pool (workload.h). */
extern const struct value_type page_block, page_pool;

#endif /* KMM_TOOL_PAGE_VALUES_H */
