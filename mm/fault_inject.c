/*
 * mm/fault_inject.c - the memory manager's fault injection points:
 * fail_page_alloc (page allocator) and failslab (slab allocator), with
 * their filters (2.6.34 defaults: ignore allocations that may sleep, and
 * for pages highmem ones and order 0).
 */
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/string.h>
#include "mm/internal.h"

struct fault_attr fail_page_alloc_attr __state = FAULT_ATTR_INITIALIZER("fail_page_alloc");
struct fault_attr failslab_attr __state = FAULT_ATTR_INITIALIZER("failslab");

static struct {
	u32 ignore_gfp_highmem;
	u32 ignore_gfp_wait;
	u32 min_order;
} fail_page_alloc __state = { 1, 1, 1 };

static struct {
	u32 ignore_gfp_wait;
	u32 cache_filter;
} failslab __state = { 1, 0 };

bool __should_fail_alloc_page(gfp_t gfp_mask, unsigned int order)
{
	if (order < fail_page_alloc.min_order)
		return false;
	if (gfp_mask & __GFP_NOFAIL)
		return false;
	if (fail_page_alloc.ignore_gfp_highmem && (gfp_mask & __GFP_HIGHMEM))
		return false;
	if (fail_page_alloc.ignore_gfp_wait && (gfp_mask & __GFP_WAIT))
		return false;
	return should_fail(&fail_page_alloc_attr, 1L << order);
}

bool should_failslab(size_t size, gfp_t gfpflags, unsigned long cache_flags, unsigned long failslab_flag)
{
	if (likely(!fault_attr_active(&failslab_attr)))
		return false;
	if (gfpflags & __GFP_NOFAIL)
		return false;
	if (failslab.ignore_gfp_wait && (gfpflags & __GFP_WAIT))
		return false;
	if (failslab.cache_filter && !(cache_flags & failslab_flag))
		return false;
	return should_fail(&failslab_attr, size);
}

/* The filter files of the two debugfs directories. */
u32 *fault_filter_file(const char *dir, const char *file)
{
	if (!strcmp(dir, "fail_page_alloc")) {
		if (!strcmp(file, "ignore-gfp-highmem"))
			return &fail_page_alloc.ignore_gfp_highmem;
		if (!strcmp(file, "ignore-gfp-wait"))
			return &fail_page_alloc.ignore_gfp_wait;
		if (!strcmp(file, "min-order"))
			return &fail_page_alloc.min_order;
	} else if (!strcmp(dir, "failslab")) {
		if (!strcmp(file, "ignore-gfp-wait"))
			return &failslab.ignore_gfp_wait;
		if (!strcmp(file, "cache-filter"))
			return &failslab.cache_filter;
	}
	return NULL;
}
