/*
 * mm/slab_alloc.c - the SLAB allocator's objects: allocation and free
 * through the per-CPU arrays, their refill and flush in batches, slabs
 * growing from and shrinking back to the page allocator, the NUMA paths
 * (node-specific allocation, frees of other nodes' objects), and the
 * kmalloc family.
 *
 * The common case touches one array: kmem_cache_alloc pops the top of
 * this CPU's array, kmem_cache_free pushes on it, with interrupts
 * disabled and no lock.  An empty array is refilled with up to batchcount
 * objects (from the node's shared array, or from partial, then free
 * slabs, growing the cache by a slab when none is left); a full one is
 * flushed of its batchcount oldest objects (into the shared array while
 * it has room, else back into their slabs, freeing slabs once the node
 * holds more than free_limit free objects).
 */
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include <kmm/trace.h>
#include <kmm/vmstat.h>
#include "mm/slab.h"

/* GFP_THISNODE of the simulated kernel: 0 on i386, which is not NUMA. */
#define SLAB_GFP_THISNODE	(arch->numa ? GFP_THISNODE : 0)

unsigned long slab_caller(unsigned long ret_ip)
{
	return current->call_site ? current->call_site : ret_ip;
}

/* ---- pages ---- */

/* 2^gfporder pages for a slab on @nodeid, counted as slab memory. */
static void *kmem_getpages(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	int nr_pages = 1 << cachep->gfporder;
	unsigned long irqflags;
	struct page *page;

	flags |= cachep->gfpflags;
	if (cachep->flags & SLAB_RECLAIM_ACCOUNT)
		flags |= __GFP_RECLAIMABLE;
	page = alloc_pages_node(nodeid, flags | __GFP_NOTRACK, cachep->gfporder);
	if (!page)
		return NULL;
	local_irq_save(irqflags);
	__mod_zone_page_state(page_zone(page), (cachep->flags & SLAB_RECLAIM_ACCOUNT) ?
			      NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, nr_pages);
	local_irq_restore(irqflags);
	for (int i = 0; i < nr_pages; i++)
		__SetPageSlab(page + i);
	return lowmem_page_address(page);
}

/* Give a slab's pages back, clearing what the slab kept in their struct pages. */
void kmem_freepages(struct kmem_cache *cachep, void *addr)
{
	struct page *page = virt_to_page(addr);
	int nr_freed = 1 << cachep->gfporder;
	unsigned long irqflags;

	local_irq_save(irqflags);
	__mod_zone_page_state(page_zone(page), (cachep->flags & SLAB_RECLAIM_ACCOUNT) ?
			      NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, -nr_freed);
	local_irq_restore(irqflags);
	slab_pagemap_set(page, nr_freed, NULL);
	for (int i = 0; i < nr_freed; i++) {
		BUG_ON(!PageSlab(page + i));
		__ClearPageSlab(page + i);
		page[i].mapping = NULL;
		page[i].private = 0;
		page[i].index = 0;
		atomic_set(&page[i]._mapcount, -1);
		INIT_LIST_HEAD(&page[i].lru);
	}
	if (current->reclaim_state)
		current->reclaim_state->reclaimed_slab += nr_freed;
	free_pages((unsigned long)addr, cachep->gfporder);
}

/* ---- slabs ---- */

/*
 * The descriptor of a new slab at @objp: on-slab after the colour offset
 * (the objects then follow it), or off-slab in an object of slabp_cache.
 */
static struct slab *alloc_slabmgmt(struct kmem_cache *cachep, void *objp, int colour_off,
				   gfp_t local_flags, int nodeid)
{
	struct slab *slabp = (struct slab *)virt_to_page(objp);
	char *mgmt;

	if (OFF_SLAB(cachep)) {
		mgmt = kmem_cache_alloc_node(cachep->slabp_cache, local_flags, nodeid);
		if (!mgmt)
			return NULL;
	} else {
		mgmt = (char *)objp + colour_off;
		colour_off += cachep->slab_size;
	}
	slabp->inuse = 0;
	slabp->colouroff = colour_off;
	slabp->free = 0;
	slabp->bufctl = (kmem_bufctl_t *)(mgmt + SIM_SIZEOF_SLAB);
	return slabp;
}

/* Every page of the slab names the cache; the others name the first page. */
static void slab_map_pages(struct kmem_cache *cache, struct slab *slabp)
{
	struct page *page = slab_page(slabp);
	int nr_pages = 1 << cache->gfporder;

	for (int i = 0; i < nr_pages; i++) {
		page[i].private = (unsigned long)cache;
		if (i)
			page[i].lru.next = (struct list_head *)page;
	}
	slab_pagemap_set(page, nr_pages, cache);
}

/* Construct the objects and chain them free in address order: 0 -> 1 -> ... -> END. */
static void cache_init_objs(struct kmem_cache *cachep, struct slab *slabp)
{
	for (unsigned int i = 0; i < cachep->num; i++) {
		void *objp = index_to_obj(cachep, slabp, i);

		if (cache_debug(cachep))
			cache_init_objs_debug(cachep, objp);
		else if (cachep->ctor)
			cachep->ctor(objp);
		slab_set_next(cachep, slabp, i, i + 1 < cachep->num ? i + 1 : BUFCTL_END);
	}
}

static void kmem_flagcheck(struct kmem_cache *cachep, gfp_t flags)
{
	if (flags & GFP_DMA)
		BUG_ON(!(cachep->gfpflags & GFP_DMA));
	else
		BUG_ON(cachep->gfpflags & GFP_DMA);
}

/*
 * cache_grow - add a slab to @cachep on @nodeid: its pages (or @objp's,
 * already allocated), its descriptor, its objects; it goes to the tail
 * of the free list.  Successive slabs start their objects one colour
 * further on, wrapping.  Called with interrupts off; they are enabled
 * while the page allocator may sleep.  Returns 1, or 0 on failure.
 */
static int cache_grow(struct kmem_cache *cachep, gfp_t flags, int nodeid, void *objp)
{
	struct kmem_list3 *l3 = cachep->nodelists[nodeid];
	gfp_t local_flags;
	struct slab *slabp;
	size_t offset;

	BUG_ON(flags & GFP_SLAB_BUG_MASK);
	local_flags = flags & (GFP_CONSTRAINT_MASK | GFP_RECLAIM_MASK);

	spin_lock(&l3->list_lock);
	offset = l3->colour_next;
	l3->colour_next++;
	if (l3->colour_next >= cachep->colour)
		l3->colour_next = 0;
	spin_unlock(&l3->list_lock);
	offset *= cachep->colour_off;

	if (local_flags & __GFP_WAIT)
		local_irq_enable();
	kmem_flagcheck(cachep, flags);
	if (!objp)
		objp = kmem_getpages(cachep, local_flags, nodeid);
	if (!objp)
		goto failed;
	slabp = alloc_slabmgmt(cachep, objp, offset, local_flags & ~GFP_CONSTRAINT_MASK, nodeid);
	if (!slabp)
		goto opps1;
	slab_map_pages(cachep, slabp);
	cache_init_objs(cachep, slabp);
	if (local_flags & __GFP_WAIT)
		local_irq_disable();

	spin_lock(&l3->list_lock);
	list_add_tail(&slabp->list, &l3->slabs_free);
	STATS_INC(cachep, grown);
	l3->free_objects += cachep->num;
	spin_unlock(&l3->list_lock);
	return 1;
opps1:
	kmem_freepages(cachep, objp);
failed:
	if (local_flags & __GFP_WAIT)
		local_irq_disable();
	return 0;
}

/* Free a slab that holds no object: its pages, and its off-slab descriptor. */
void slab_destroy(struct kmem_cache *cachep, struct slab *slabp)
{
	void *addr = (char *)slab_s_mem(slabp) - slabp->colouroff;
	void *mgmt = (char *)slab_bufctl(slabp) - SIM_SIZEOF_SLAB;

	if (cache_debug(cachep))
		slab_destroy_debugcheck(cachep, slabp);
	kmem_freepages(cachep, addr);
	if (OFF_SLAB(cachep))
		kmem_cache_free(cachep->slabp_cache, mgmt);
}

/*
 * Take the first object off @slabp's chain (under list_lock); @s_mem is
 * the slab's first object (slab_s_mem, which a refill taking a batch works
 * out once).  A hardened
 * cache checks the link it follows (an index, or the end: anything else
 * means the chain was overwritten, and following it could hand out an
 * object twice) and marks the object cached.
 */
static void *slab_get_obj(struct kmem_cache *cachep, struct slab *slabp, char *s_mem,
			  int nodeid)
{
	void *objp = s_mem + cachep->buffer_size * slabp->free;
	kmem_bufctl_t next = slab_next(cachep, slabp, slabp->free);

	if (cache_hardened(cachep)) {
		if (unlikely(next >= cachep->num && next != BUFCTL_END))
			slab_harden_fail(SLAB_HARDEN_CORRUPT, cachep,
					 (char *)objp + cachep->obj_offset, "cache_alloc_refill");
		slab_bufctl(slabp)[slabp->free] = bufctl_tag(slabp, slabp->free, BUFCTL_H_CACHED);
	} else if (cache_debug(cachep)) {
		slab_bufctl(slabp)[slabp->free] = BUFCTL_FREE;
		WARN_ON(slab_nodeid(slabp) != nodeid);
	}
	slabp->inuse++;
	slabp->free = next;
	return objp;
}

/*
 * Put @objp back on its slab's free chain; false (reported) if it is
 * already free.  A hardened cache's object comes from an array, so it must
 * read "cached"; anything else stops.
 */
static bool slab_put_obj(struct kmem_cache *cachep, struct slab *slabp, void *objp, int nodeid)
{
	unsigned int objnr = obj_to_index(cachep, slabp, objp);

	if (cache_hardened(cachep)) {
		if (unlikely(slab_bufctl(slabp)[objnr] !=
			     bufctl_tag(slabp, objnr, BUFCTL_H_CACHED)))
			slab_harden_fail(SLAB_HARDEN_CORRUPT, cachep,
					 (char *)objp + cachep->obj_offset, "free_block");
	} else if (cache_debug(cachep)) {
		WARN_ON(slab_nodeid(slabp) != nodeid);
		if (slab_double_free(cachep, slabp, objnr, objp))
			return false;
	}
	slab_set_next(cachep, slabp, objnr, slabp->free);
	slabp->free = objnr;
	slabp->inuse--;
	return true;
}

/* ---- the arrays ---- */

/*
 * The slab to take objects from: a partial one, else a free one (and the
 * node notes that free slabs were wanted, so cache_reap spares them next
 * time); NULL if the node has none.  Under list_lock.
 */
static struct slab *slab_to_alloc_from(struct kmem_list3 *l3)
{
	struct list_head *entry = l3->slabs_partial.next;

	if (entry == &l3->slabs_partial) {
		WRITE_ONCE(l3->free_touched, 1);
		entry = l3->slabs_free.next;
		if (entry == &l3->slabs_free)
			return NULL;
	}
	return list_entry(entry, struct slab, list);
}

/* After taking objects: the slab goes to the head of the full or partial list. */
static void refile_slab(struct kmem_list3 *l3, struct slab *slabp)
{
	list_del(&slabp->list);
	if (slabp->free == BUFCTL_END)
		list_add(&slabp->list, &l3->slabs_full);
	else
		list_add(&slabp->list, &l3->slabs_partial);
}

/* Move up to @max objects from the top of @from to @to (as room allows). */
int transfer_objects(struct array_cache *to, struct array_cache *from, unsigned int max)
{
	int nr = min(min(from->avail, max), to->limit - to->avail);

	if (!nr)
		return 0;
	memcpy(to->entry + to->avail, from->entry + from->avail - nr, sizeof(void *) * nr);
	from->avail -= nr;
	to->avail += nr;
	return nr;
}

/*
 * cache_alloc_refill - this CPU's array is empty: take a batch (16 at the
 * most while the array has not been used since the last reap) from the
 * node's shared array, or else from the partial slabs, then the free
 * ones, re-filing each slab as full or partial.  With no slab left, grow
 * the cache and try again.  Returns one object, the rest stay in the array.
 */
static noinline void *cache_alloc_refill(struct kmem_cache *cachep, gfp_t flags)
{
	struct kmem_list3 *l3;
	struct array_cache *ac;
	int batchcount, node;
	char *s_mem;

retry:
	node = numa_node_id();
	ac = cpu_cache_get(cachep);
	batchcount = ac->batchcount;
	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;
	l3 = cachep->nodelists[node];
	BUG_ON(ac->avail > 0 || !l3);
	spin_lock(&l3->list_lock);

	if (l3->shared && transfer_objects(ac, l3->shared, batchcount)) {
		l3->shared->touched = 1;
		goto alloc_done;
	}
	while (batchcount > 0) {
		struct slab *slabp = slab_to_alloc_from(l3);

		if (!slabp)
			goto must_grow;
		if (cache_debug(cachep))
			check_slabp(cachep, slabp);
		BUG_ON(slabp->inuse >= cachep->num);
		s_mem = slab_s_mem(slabp);
		while (slabp->inuse < cachep->num && batchcount--) {
			void *objp = slab_get_obj(cachep, slabp, s_mem, node);	/* may stop: first */

			STATS_INC(cachep, num_allocations);
			STATS_INC(cachep, num_active);
			STATS_SET_HIGH(cachep);
			ac->entry[ac->avail++] = objp;
		}
		refile_slab(l3, slabp);
	}
must_grow:
	l3->free_objects -= ac->avail;
alloc_done:
	spin_unlock(&l3->list_lock);

	if (unlikely(!ac->avail)) {
		int x = cache_grow(cachep, flags | SLAB_GFP_THISNODE, node, NULL);

		ac = cpu_cache_get(cachep);	/* interrupts may have been on */
		if (!x && ac->avail == 0)
			return NULL;
		if (!ac->avail)
			goto retry;
	}
	ac->touched = 1;
	return ac->entry[--ac->avail];
}

/* The fast path: the top of this CPU's array (interrupts off). */
static __always_inline void *__cache_alloc_array(struct kmem_cache *cachep, gfp_t flags)
{
	struct array_cache *ac = cpu_cache_get(cachep);

	if (likely(ac->avail)) {
		STATS_ATOMIC_INC(cachep, allochit);
		ac->touched = 1;
		return ac->entry[--ac->avail];
	}
	STATS_ATOMIC_INC(cachep, allocmiss);
	return cache_alloc_refill(cachep, flags);
}

void *____cache_alloc(struct kmem_cache *cachep, gfp_t flags)
{
	return __cache_alloc_array(cachep, flags);
}

/*
 * fallback_alloc - no object on the wanted node: try the nodes of the
 * zonelist that have free objects, then grow a slab wherever the page
 * allocator finds pages.
 */
static void *fallback_alloc(struct kmem_cache *cache, gfp_t flags)
{
	struct zonelist *zonelist;
	enum zone_type high_zoneidx = gfp_zone(flags);
	gfp_t local_flags;
	struct zoneref *z;
	struct zone *zone;
	void *obj = NULL;
	int nid;

	if (flags & __GFP_THISNODE)
		return NULL;
	zonelist = node_zonelist(numa_node_id(), flags);
	local_flags = flags & (GFP_CONSTRAINT_MASK | GFP_RECLAIM_MASK);
retry:
	for_each_zone_zonelist(zone, z, zonelist, high_zoneidx) {
		nid = zone_to_nid(zone);
		if (cache->nodelists[nid] && cache->nodelists[nid]->free_objects) {
			obj = ____cache_alloc_node(cache, flags | GFP_THISNODE, nid);
			if (obj)
				break;
		}
	}
	if (!obj) {
		if (local_flags & __GFP_WAIT)
			local_irq_enable();
		kmem_flagcheck(cache, flags);
		obj = kmem_getpages(cache, local_flags, numa_node_id());
		if (local_flags & __GFP_WAIT)
			local_irq_disable();
		if (obj) {
			nid = page_to_nid(virt_to_page(obj));
			if (cache_grow(cache, flags, nid, obj)) {
				obj = ____cache_alloc_node(cache, flags | GFP_THISNODE, nid);
				if (!obj)
					goto retry;
			} else {
				obj = NULL;	/* cache_grow freed the pages */
			}
		}
	}
	return obj;
}

/* One object from @nodeid's slabs, bypassing the per-CPU array (NUMA). */
void *____cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	struct kmem_list3 *l3 = cachep->nodelists[nodeid];
	struct slab *slabp;
	void *obj;

	BUG_ON(!l3);
retry:
	spin_lock(&l3->list_lock);
	slabp = slab_to_alloc_from(l3);
	if (!slabp)
		goto must_grow;
	if (cache_debug(cachep))
		check_slabp(cachep, slabp);
	STATS_INC(cachep, node_allocs);
	STATS_INC(cachep, num_active);
	STATS_SET_HIGH(cachep);
	BUG_ON(slabp->inuse == cachep->num);
	obj = slab_get_obj(cachep, slabp, slab_s_mem(slabp), nodeid);
	l3->free_objects--;
	refile_slab(l3, slabp);
	spin_unlock(&l3->list_lock);
	return obj;

must_grow:
	spin_unlock(&l3->list_lock);
	if (cache_grow(cachep, flags | SLAB_GFP_THISNODE, nodeid, NULL))
		goto retry;
	return fallback_alloc(cachep, flags);
}

static __always_inline void *__do_cache_alloc(struct kmem_cache *cachep, gfp_t flags)
{
	void *objp = __cache_alloc_array(cachep, flags);

	if (unlikely(!objp) && arch->numa)
		objp = ____cache_alloc_node(cachep, flags, numa_node_id());
	return objp;
}

static __always_inline bool slab_should_failslab(struct kmem_cache *cachep, gfp_t flags)
{
	if (likely(!fault_attr_active(&failslab_attr)))
		return false;
	if (cachep == cache_cachep)
		return false;
	return should_failslab(cachep->obj_size, flags, cachep->flags, SLAB_FAILSLAB);
}

/*
 * Debug builds, at every allocation's entry: one that may sleep must not
 * be made where sleeping is not allowed, whether or not it would sleep.
 */
static __always_inline void slab_might_sleep(gfp_t flags)
{
	if (KMM_DEBUG && (flags & __GFP_WAIT))
		might_sleep();
}

/*
 * Before and after every general (not fast-path) allocation: masking,
 * fault injection; then the debug checks and zeroing.
 */
static gfp_t slab_pre_alloc(struct kmem_cache *cachep, gfp_t flags, bool *fail)
{
	flags &= gfp_allowed_mask;
	*fail = slab_should_failslab(cachep, flags);
	return flags;
}

static void *slab_post_alloc(struct kmem_cache *cachep, gfp_t flags, void *objp,
			     unsigned long caller)
{
	if (unlikely(cache_hardened(cachep)) && objp)
		slab_harden_alloc(cachep, objp);
	if (unlikely(cache_debug(cachep)) && objp)
		objp = cache_alloc_debugcheck_after(cachep, flags, objp, slab_caller(caller));
	if (unlikely(flags & __GFP_ZERO) && objp)
		memset(objp, 0, cachep->obj_size);
	return objp;
}

/*
 * Every allocation but the common one: fault injection armed, a debug
 * cache (checks, statistics), zeroing.  Interrupts on.
 */
static noinline void *__cache_alloc_slow(struct kmem_cache *cachep, gfp_t flags,
					 unsigned long caller)
{
	unsigned long save_flags;
	bool fail;
	void *objp;

	flags = slab_pre_alloc(cachep, flags, &fail);
	if (fail)
		return NULL;
	local_irq_save(save_flags);
	objp = __do_cache_alloc(cachep, flags);
	local_irq_restore(save_flags);
	return slab_post_alloc(cachep, flags, objp, caller);
}

/*
 * The array was empty: refill it (or, on NUMA, take an object from the
 * node's slabs), then give the interrupts back.  Called as a tail call so
 * that the fast path needs no stack frame.
 */
static noinline void *cache_alloc_miss(struct kmem_cache *cachep, gfp_t flags,
				       unsigned long save_flags)
{
	void *objp;

	flags &= gfp_allowed_mask;
	objp = cache_alloc_refill(cachep, flags);
	if (unlikely(!objp) && arch->numa)
		objp = ____cache_alloc_node(cachep, flags, numa_node_id());
	if (unlikely(cache_hardened(cachep)) && objp)
		slab_harden_alloc(cachep, objp);
	local_irq_restore(save_flags);
	return objp;
}

/*
 * Does this allocation need more than the array's top?  Failslab armed, a
 * debug cache, __GFP_ZERO, or its trace event on: one test of words at
 * hand, all of them together.
 */
static __always_inline bool slab_alloc_unusual(struct kmem_cache *cachep, gfp_t flags,
					       unsigned long trace_bit)
{
	return (cachep->flags & CFLGS_SLOWPATH) | (flags & __GFP_ZERO) |
	       (trace_enabled_mask & trace_bit) | fault_attr_active(&failslab_attr);
}

/*
 * With interrupts off (@save_flags: as they were), the top of this CPU's
 * array, marked touched for cache_reap; an empty array is refilled by a
 * tail call.
 */
static __always_inline void *slab_alloc_array(struct kmem_cache *cachep, gfp_t flags,
					      struct hw_cpu *cpu, unsigned long save_flags)
{
	struct array_cache *ac = cachep->array[cpu->id];
	void *objp;

	if (unlikely(!ac->avail))
		return cache_alloc_miss(cachep, flags, save_flags);
	ac->touched = 1;
	objp = ac->entry[--ac->avail];
	if (unlikely(cache_hardened(cachep)))
		slab_harden_alloc(cachep, objp);
	__hw_irq_restore(cpu, save_flags);
	return objp;
}

/* slab_alloc_fast() found interrupts off, a takeover, or no membarrier. */
static noinline void *slab_alloc_irq_slow(struct kmem_cache *cachep, gfp_t flags,
					  struct hw_cpu *cpu, int why)
{
	return slab_alloc_array(cachep, flags, cpu, hw_irq_save_fast_finish(cpu, why));
}

/*
 * The allocation every kmem_cache_alloc and kmalloc makes in the common
 * case.  Only tail calls leave it, so it needs no stack frame.
 */
static __always_inline void *slab_alloc_fast(struct kmem_cache *cachep, gfp_t flags)
{
	struct hw_cpu *cpu = hw_this_cpu;
	int why = hw_irq_save_fast(cpu);

	if (unlikely(why))
		return slab_alloc_irq_slow(cachep, flags, cpu, why);
	return slab_alloc_array(cachep, flags, cpu, 0);
}

static void *__cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid,
				unsigned long caller)
{
	unsigned long save_flags;
	void *ptr = NULL;
	bool fail;

	slab_might_sleep(flags);
	flags = slab_pre_alloc(cachep, flags, &fail);
	if (fail)
		return NULL;
	local_irq_save(save_flags);
	if (nodeid == -1)
		nodeid = numa_node_id();
	if (unlikely(!cachep->nodelists[nodeid])) {
		ptr = fallback_alloc(cachep, flags);
		goto out;
	}
	if (nodeid == numa_node_id())
		ptr = ____cache_alloc(cachep, flags);
	if (!ptr)
		ptr = ____cache_alloc_node(cachep, flags, nodeid);
out:
	local_irq_restore(save_flags);
	return slab_post_alloc(cachep, flags, ptr, caller);
}

/* ---- free ---- */

/*
 * free_block - return @nr_objects objects to their slabs on @node (the
 * caller holds its list_lock).  A slab left empty goes to the head of the
 * free list, or back to the page allocator if the node already has more
 * than free_limit free objects; one still in use goes to the tail of the
 * partial list, giving its other objects the longest time to be freed.
 * A slab already at that tail stays: moving it there again (Linux's
 * list_del and list_add_tail per object) changes nothing but writes the
 * struct pages of its neighbours, and a batch often frees several objects
 * of one slab in a row.
 */
void free_block(struct kmem_cache *cachep, void **objpp, int nr_objects, int node)
{
	struct kmem_list3 *l3 = cachep->nodelists[node];

	for (int i = 0; i < nr_objects; i++) {
		void *objp = objpp[i];
		struct slab *slabp = virt_to_slab(objp);

		if (cache_debug(cachep))
			check_slabp(cachep, slabp);
		if (!slab_put_obj(cachep, slabp, objp, node)) {
			/* Already free: reported; the slab goes back where it was. */
			list_del(&slabp->list);
			list_add(&slabp->list, slabp->inuse == cachep->num ? &l3->slabs_full :
					       slabp->inuse ? &l3->slabs_partial : &l3->slabs_free);
			continue;
		}
		STATS_DEC(cachep, num_active);
		l3->free_objects++;
		if (slabp->inuse == 0) {
			list_del(&slabp->list);
			if (l3->free_objects > l3->free_limit) {
				l3->free_objects -= cachep->num;
				slab_destroy(cachep, slabp);
			} else {
				list_add(&slabp->list, &l3->slabs_free);
			}
		} else if (l3->slabs_partial.prev != &slabp->list) {
			list_del(&slabp->list);
			list_add_tail(&slabp->list, &l3->slabs_partial);
		}
	}
}

/*
 * cache_flusharray - this CPU's array is full: move its batchcount oldest
 * objects to the shared array while it has room, else back to their
 * slabs; the rest slide down.
 */
static noinline void cache_flusharray(struct kmem_cache *cachep, struct array_cache *ac)
{
	int batchcount = ac->batchcount;
	int node = numa_node_id();
	struct kmem_list3 *l3 = cachep->nodelists[node];

	spin_lock(&l3->list_lock);
	if (l3->shared) {
		struct array_cache *shared_array = l3->shared;
		int max = shared_array->limit - shared_array->avail;

		if (max) {
			if (batchcount > max)
				batchcount = max;
			memcpy(&shared_array->entry[shared_array->avail], ac->entry,
			       sizeof(void *) * batchcount);
			shared_array->avail += batchcount;
			goto free_done;
		}
	}
	free_block(cachep, ac->entry, batchcount, node);
free_done:
	if (slab_debug) {
		struct slab *slabp;
		unsigned long freeable = 0;

		list_for_each_entry(slabp, &l3->slabs_free, list)
			freeable++;
		STATS_SET_FREEABLE(cachep, freeable);
	}
	spin_unlock(&l3->list_lock);
	ac->avail -= batchcount;
	memmove(ac->entry, &(ac->entry[batchcount]), sizeof(void *) * ac->avail);
}

/* ---- other nodes' objects (NUMA) ---- */

/* Return an alien array's objects to their node (its shared array first). */
static void __drain_alien_cache(struct kmem_cache *cachep, struct array_cache *ac, int node)
{
	struct kmem_list3 *rl3 = cachep->nodelists[node];

	if (ac->avail) {
		spin_lock(&rl3->list_lock);
		if (rl3->shared)
			transfer_objects(rl3->shared, ac, ac->limit);
		free_block(cachep, ac->entry, ac->avail, node);
		ac->avail = 0;
		spin_unlock(&rl3->list_lock);
	}
}

/* One array per other online node, 12 entries (or 1 when @limit is 1). */
/*
 * The lock classes of alien arrays, as for the list locks (mm/slab.c): a
 * drain of an off-slab cache's alien array destroys slabs whose
 * descriptors go back to an on-slab general cache, possibly through its
 * own alien array (Linux's on_slab_alc_key).
 */
static const struct lock_class_key alien_lock_key, alien_lock_off_slab_key;

struct array_cache **alloc_alien_cache(int node, int limit, gfp_t gfp, bool off_slab)
{
	struct array_cache **ac_ptr;
	int i;

	if (limit > 1)
		limit = 12;
	ac_ptr = kzalloc_node(sizeof(void *) * nr_node_ids, gfp, node);
	if (!ac_ptr)
		return NULL;
	for (i = 0; i < nr_node_ids; i++) {
		if (i == node || !node_online(i))
			continue;
		ac_ptr[i] = alloc_arraycache(node, limit, 0xbaadf00d, gfp);
		if (!ac_ptr[i]) {
			for (i--; i >= 0; i--)
				kfree(ac_ptr[i]);
			kfree(ac_ptr);
			return NULL;
		}
		if (off_slab)
			spin_lock_set_class(&ac_ptr[i]->lock, &alien_lock_off_slab_key,
					    "&alc->lock (off-slab)");
		else
			spin_lock_set_class(&ac_ptr[i]->lock, &alien_lock_key, "&alc->lock");
	}
	return ac_ptr;
}

void free_alien_cache(struct array_cache **ac_ptr)
{
	if (!ac_ptr)
		return;
	for (int i = 0; i < nr_node_ids; i++)
		kfree(ac_ptr[i]);
	kfree(ac_ptr);
}

void drain_alien_cache(struct kmem_cache *cachep, struct array_cache **alien)
{
	unsigned long flags;
	int i;

	for_each_online_node(i) {
		struct array_cache *ac = alien[i];

		if (ac) {
			spin_lock_irqsave(&ac->lock, flags);
			__drain_alien_cache(cachep, ac, i);
			spin_unlock_irqrestore(&ac->lock, flags);
		}
	}
}

/* The node whose alien arrays this CPU's reap drains next, round robin. */
DEFINE_PER_CPU(int, slab_reap_node);

void init_reap_node(int cpu)
{
	int node = cpu_to_node(cpu);

	do {
		node = (node + 1) % MAX_NUMNODES;
	} while (!node_online(node));
	per_cpu(slab_reap_node, cpu) = node;
}

void next_reap_node(void)
{
	int node = __get_cpu_var(slab_reap_node);

	do {
		node = (node + 1) % MAX_NUMNODES;
	} while (!node_online(node));
	__get_cpu_var(slab_reap_node) = node;
}

void reap_alien(struct kmem_cache *cachep, struct kmem_list3 *l3)
{
	int node = __get_cpu_var(slab_reap_node);
	struct array_cache *ac;

	if (!l3->alien)
		return;
	ac = l3->alien[node];
	if (ac && ac->avail) {
		local_irq_disable();
		if (spin_trylock(&ac->lock)) {
			__drain_alien_cache(cachep, ac, node);
			spin_unlock(&ac->lock);
		}
		local_irq_enable();
	}
}

/*
 * An object of another node goes to this node's alien array for that
 * node (drained there when full), or straight back to its slab.  Returns
 * 1 if @objp was such an object.
 */
static noinline int cache_free_alien(struct kmem_cache *cachep, void *objp)
{
	struct slab *slabp = virt_to_slab(objp);
	int nodeid = slab_nodeid(slabp), node = numa_node_id();
	struct kmem_list3 *l3;
	struct array_cache *alien;

	if (likely(nodeid == node))
		return 0;
	l3 = cachep->nodelists[node];
	STATS_INC(cachep, node_frees);
	if (l3->alien && l3->alien[nodeid]) {
		alien = l3->alien[nodeid];
		spin_lock(&alien->lock);
		if (unlikely(alien->avail == alien->limit)) {
			STATS_INC(cachep, node_overflow);
			__drain_alien_cache(cachep, alien, nodeid);
		}
		alien->entry[alien->avail++] = objp;
		spin_unlock(&alien->lock);
	} else {
		spin_lock(&cachep->nodelists[nodeid]->list_lock);
		free_block(cachep, &objp, 1, nodeid);
		spin_unlock(&cachep->nodelists[nodeid]->list_lock);
	}
	return 1;
}

/*
 * A hardened cache's free: check it (slab_harden_entry), then mark the
 * object cached; it goes to an array next, where the mark says it is.
 */
static __always_inline void slab_harden_free(struct kmem_cache *cachep, const void *objp,
					     const char *call)
{
	kmem_bufctl_t *entry = slab_harden_entry(cachep, (const char *)objp - cachep->obj_offset,
						 call);

	*entry &= ~(BUFCTL_H_ACTIVE ^ BUFCTL_H_CACHED);
}

/* A debug cache's free (its checks and statistics), or NUMA's; interrupts off. */
static noinline void __cache_free_slow(struct kmem_cache *cachep, void *objp,
				       unsigned long caller, const char *call)
{
	struct array_cache *ac = cpu_cache_get(cachep);

	if (cache_hardened(cachep))
		slab_harden_free(cachep, objp, call);
	if (cache_debug(cachep)) {
		objp = cache_free_debugcheck(cachep, objp, slab_caller(caller));
		if (!objp)
			return;		/* reported; not freed */
	}
	if (nr_online_nodes > 1 && cache_free_alien(cachep, objp))
		return;
	if (likely(ac->avail < ac->limit)) {
		STATS_ATOMIC_INC(cachep, freehit);
		ac->entry[ac->avail++] = objp;
		return;
	}
	STATS_ATOMIC_INC(cachep, freemiss);
	cache_flusharray(cachep, ac);
	ac->entry[ac->avail++] = objp;
}

static noinline void cache_free_general(struct kmem_cache *cachep, void *objp,
					unsigned long caller, const char *call)
{
	unsigned long save_flags;

	local_irq_save(save_flags);
	__cache_free_slow(cachep, objp, caller, call);
	local_irq_restore(save_flags);
}

/* The array was full: flush a batch, push @objp, give the interrupts back. */
static noinline void cache_free_flush(struct kmem_cache *cachep, struct array_cache *ac,
				      void *objp, unsigned long save_flags)
{
	cache_flusharray(cachep, ac);
	ac->entry[ac->avail++] = objp;
	local_irq_restore(save_flags);
}

/*
 * With interrupts off (@save_flags: as they were), push on this CPU's
 * array.  The object is prefetched for writing: the array hands out its
 * top first, so this object is the next one of its cache to be allocated,
 * and its new owner writes it at once.  SLAB never writes a free object
 * (its free list is the array and the bufctls, not the object), so an
 * object freed long after it was last touched would otherwise be cold
 * exactly when it is handed out (kmm_bench slab, kmalloc 8-4096 with
 * 10,000 live: 41 -> 21 ns, the miss taken early instead of stalling the
 * caller).
 */
static __always_inline void slab_free_array(struct kmem_cache *cachep, void *objp,
					    struct hw_cpu *cpu, unsigned long save_flags)
{
	struct array_cache *ac = cachep->array[cpu->id];

	__builtin_prefetch(objp, 1, 3);
	if (unlikely(ac->avail >= ac->limit))
		return cache_free_flush(cachep, ac, objp, save_flags);
	ac->entry[ac->avail++] = objp;
	__hw_irq_restore(cpu, save_flags);
}

/* slab_free_fast() found interrupts off, a takeover, or no membarrier. */
static noinline void slab_free_irq_slow(struct kmem_cache *cachep, void *objp,
					struct hw_cpu *cpu, int why)
{
	slab_free_array(cachep, objp, cpu, hw_irq_save_fast_finish(cpu, why));
}

/*
 * The free every kmem_cache_free and kfree makes in the common case: push
 * on this CPU's array with interrupts off.  A debug cache, or a machine
 * with several nodes (where the object may be another node's), takes the
 * general path.  Only tail calls leave it.
 */
static __always_inline void slab_free_fast(struct kmem_cache *cachep, void *objp,
					   unsigned long caller, const char *call)
{
	struct hw_cpu *cpu;
	int why;

	if (unlikely(cachep->flags & CFLGS_FREE_SLOWPATH))
		return cache_free_general(cachep, objp, caller, call);
	if (unlikely(cache_hardened(cachep)))
		slab_harden_free(cachep, objp, call);
	cpu = hw_this_cpu;
	why = hw_irq_save_fast(cpu);
	if (unlikely(why))
		return slab_free_irq_slow(cachep, objp, cpu, why);
	slab_free_array(cachep, objp, cpu, 0);
}

/* ---- the API ---- */

static noinline void trace_alloc(enum trace_event_id id, unsigned long call_site,
				 const void *ptr, size_t bytes_req, size_t bytes_alloc,
				 gfp_t gfp_flags, int node)
{
	char gfp[160], p[24];

	format_gfp_flags(gfp, sizeof(gfp), gfp_flags);
	sprint_ptr(p, sizeof(p), ptr);
	if (node < 0)
		trace_event(id, "call_site=%lx ptr=%s bytes_req=%zu bytes_alloc=%zu gfp_flags=%s",
			    call_site, p, bytes_req, bytes_alloc, gfp);
	else
		trace_event(id, "call_site=%lx ptr=%s bytes_req=%zu bytes_alloc=%zu gfp_flags=%s "
			    "node=%d", call_site, p, bytes_req, bytes_alloc, gfp, node);
}

static noinline void trace_free(enum trace_event_id id, unsigned long call_site,
				const void *ptr)
{
	char p[24];

	trace_event(id, "call_site=%lx ptr=%s", call_site, sprint_ptr(p, sizeof(p), ptr));
}

#define _RET_IP_	((unsigned long)__builtin_return_address(0))

/*
 * The entry points pass their return address down; it is turned into the
 * recorded call site (slab_caller) only where one is recorded: debug
 * caches and enabled trace events.
 */
static noinline void *kmem_cache_alloc_slow(struct kmem_cache *cachep, gfp_t flags,
					    unsigned long caller)
{
	void *ret = __cache_alloc_slow(cachep, flags, caller);

	if (trace_on(kmem_cache_alloc))
		trace_alloc(TRACE_kmem_cache_alloc, slab_caller(caller), ret, cachep->obj_size,
			    cachep->buffer_size, flags, -1);
	return ret;
}

void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t flags)
{
	slab_might_sleep(flags);
	if (unlikely(slab_alloc_unusual(cachep, flags, 1UL << TRACE_kmem_cache_alloc)))
		return kmem_cache_alloc_slow(cachep, flags, _RET_IP_);
	return slab_alloc_fast(cachep, flags);
}

void *kmem_cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	unsigned long caller = _RET_IP_;
	void *ret;

	if (!arch->numa)
		return kmem_cache_alloc(cachep, flags);
	ret = __cache_alloc_node(cachep, flags, nodeid, caller);
	if (trace_on(kmem_cache_alloc_node))
		trace_alloc(TRACE_kmem_cache_alloc_node, slab_caller(caller), ret, cachep->obj_size,
			    cachep->buffer_size, flags, nodeid);
	return ret;
}

static noinline void kmem_cache_free_traced(struct kmem_cache *cachep, void *objp,
					    unsigned long caller)
{
	slab_free_fast(cachep, objp, caller, "kmem_cache_free");
	trace_free(TRACE_kmem_cache_free, slab_caller(caller), objp);
}

/* A slab object kfree() may free: in the direct map, on a slab page. */
static __always_inline bool kfree_ok(const void *objp)
{
	return virt_addr_valid(objp) && PageSlab(virt_to_page(objp));
}

void kmem_cache_free(struct kmem_cache *cachep, void *objp)
{
	if (unlikely(cache_hardened(cachep)) && !kfree_ok(objp))
		slab_harden_fail(SLAB_HARDEN_NOT_SLAB, cachep, objp, "kmem_cache_free");
	if (trace_on(kmem_cache_free))
		return kmem_cache_free_traced(cachep, objp, _RET_IP_);
	slab_free_fast(cachep, objp, _RET_IP_, "kmem_cache_free");
}

struct kmem_cache *kmem_find_general_cachep(size_t size, gfp_t gfpflags)
{
	int idx;

	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	idx = kmalloc_index(size);
	return (gfpflags & GFP_DMA) ? malloc_sizes[idx].cs_dmacachep : malloc_sizes[idx].cs_cachep;
}

static noinline void *kmalloc_slow(struct kmem_cache *cachep, size_t size, gfp_t flags,
				   unsigned long caller)
{
	void *ret = __cache_alloc_slow(cachep, flags, caller);

	if (trace_on(kmalloc))
		trace_alloc(TRACE_kmalloc, slab_caller(caller), ret, size, cachep->buffer_size, flags,
			    -1);
	return ret;
}

void *__kmalloc(size_t size, gfp_t flags)
{
	struct kmem_cache *cachep;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > KMALLOC_MAX_SIZE))
		return NULL;
	cachep = (flags & GFP_DMA) ? malloc_sizes[kmalloc_index(size)].cs_dmacachep :
				     malloc_sizes[kmalloc_index(size)].cs_cachep;
	slab_might_sleep(flags);
	if (unlikely(slab_alloc_unusual(cachep, flags, 1UL << TRACE_kmalloc)))
		return kmalloc_slow(cachep, size, flags, _RET_IP_);
	return slab_alloc_fast(cachep, flags);
}

void *__kmalloc_node(size_t size, gfp_t flags, int node)
{
	unsigned long caller = _RET_IP_;
	struct kmem_cache *cachep;
	void *ret;

	if (!arch->numa)
		return __kmalloc(size, flags);
	cachep = kmem_find_general_cachep(size, flags);
	if (ZERO_OR_NULL_PTR(cachep))
		return cachep;
	ret = __cache_alloc_node(cachep, flags, node, caller);
	if (trace_on(kmalloc_node))
		trace_alloc(TRACE_kmalloc_node, slab_caller(caller), ret, size, cachep->buffer_size,
			    flags, node);
	return ret;
}

/*
 * A pointer kfree() may take: in the direct map, on a slab page.  Linux
 * BUG()s otherwise; kmm reports it the same way and frees nothing.
 */
static noinline bool kfree_report(const void *objp)
{
	if (!virt_addr_valid(objp)) {
		printk(KERN_ERR "kfree_debugcheck: out of range ptr %lxh.\n", lptr(objp));
		dump_stack();
		return false;
	}
	if (!PageSlab(virt_to_page(objp))) {
		printk(KERN_ERR "kfree_debugcheck: bad ptr %lxh.\n", lptr(objp));
		dump_stack();
	}
	return false;
}

static bool kfree_debugcheck(const void *objp)
{
	return likely(kfree_ok(objp)) || kfree_report(objp);
}

static noinline void kfree_slow(const void *objp, unsigned long caller)
{
	if (trace_on(kfree))
		trace_free(TRACE_kfree, slab_caller(caller), objp);
	if (ZERO_OR_NULL_PTR(objp))
		return;
	if (slab_harden && !kfree_ok(objp))
		slab_harden_fail(SLAB_HARDEN_NOT_SLAB, NULL, objp, "kfree");
	if (!kfree_debugcheck(objp))
		return;
	slab_free_fast(virt_to_cache(objp), (void *)objp, caller, "kfree");
}

/*
 * The cache comes from the slab page map (mm/slab.h); a pointer it does
 * not know (NULL, ZERO_SIZE_PTR, anything but a slab's page) takes the
 * slow path, which checks and reports as before.
 */
void kfree(const void *objp)
{
	struct kmem_cache *cachep = slab_pagemap_cache(objp);

	if (unlikely(!cachep || trace_on(kfree)))
		return kfree_slow(objp, _RET_IP_);
	slab_free_fast(cachep, (void *)objp, _RET_IP_, "kfree");
}

size_t ksize(const void *objp)
{
	BUG_ON(!objp);
	if (unlikely(objp == ZERO_SIZE_PTR))
		return 0;
	return virt_to_cache(objp)->obj_size;
}
