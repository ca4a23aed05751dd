/*
 * mm/slab_check.c - mm_check() for the slab allocator.
 *
 * For every cache and node:
 *   - each slab is on the list its inuse count says (full, partial, free);
 *   - its free chain visits num - inuse distinct objects, all in range;
 *   - the node's free_objects is the sum of the slabs' free objects;
 *   - every page of each slab has PG_slab and names the cache, the other
 *     pages name the first, and the slab is on the node of its pages;
 *   - each object in a per-CPU, shared or alien array is an object of the
 *     cache, allocated from its slab (not on the free chain), and in one
 *     array only; arrays hold at most their limit;
 *   - in a hardened cache (slab_harden=on), each object off the chain has
 *     its entry keyed right, reading "cached" if it is in an array and
 *     "handed out" if not (as many read "cached" as the arrays hold).
 * And the pages of all slabs add up to the slab counters of /proc/meminfo.
 */
#include <kmm/kernel.h>
#include <kmm/mm_check.h>
#include <kmm/sort.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "mm/slab.h"

struct slab_walk {
	struct seq_file *report;
	int problems;
	void **objs;		/* every array entry of the cache being checked */
	size_t nr_objs, cap;
	unsigned long slab_pages;
	unsigned long cached;	/* hardened: entries reading "cached" in the cache's slabs */
};

#define problem(w, ...)							\
	do {								\
		check_report((w)->report, __VA_ARGS__);		\
		(w)->problems++;					\
	} while (0)

static void check_slab(struct slab_walk *w, struct kmem_cache *c, int node, struct slab *slabp,
		       const char *list, unsigned long *free_objs)
{
	struct page *page = slab_page(slabp);
	unsigned int entries = 0;
	unsigned char *seen;

	if (!strcmp(list, "full") ? slabp->inuse != c->num :
	    !strcmp(list, "partial") ? (slabp->inuse == 0 || slabp->inuse >= c->num) :
	    slabp->inuse != 0)
		problem(w, "slab: %s: slab %lx with %u of %u objects in use is on slabs_%s",
			c->name, lptr(slab_s_mem(slabp)), slabp->inuse, c->num, list);
	if (slab_nodeid(slabp) != node)
		problem(w, "slab: %s: slab of node %d on node %d's lists", c->name,
			slab_nodeid(slabp), node);
	for (int i = 0; i < 1 << c->gfporder; i++) {
		if (!PageSlab(page + i) || page_get_cache(page + i) != c ||
		    (i && (struct page *)page[i].lru.next != page))
			problem(w, "slab: %s: page %lx of a slab does not name its cache and slab",
				c->name, page_to_pfn(page + i));
		if (slab_pagemap && slab_pagemap_cache(page_address(page + i)) != c)
			problem(w, "slab: %s: the slab page map names %s for page %lx of its slab",
				c->name, slab_pagemap_cache(page_address(page + i)) ?
				slab_pagemap_cache(page_address(page + i))->name : "no cache",
				page_to_pfn(page + i));
	}
	w->slab_pages += 1UL << c->gfporder;

	seen = kmm_scratch_alloc(c->num);
	for (kmem_bufctl_t i = slabp->free; i != BUFCTL_END; i = slab_next(c, slabp, i)) {
		if (i >= c->num) {
			problem(w, "slab: %s: free chain of slab %lx leaves the slab (index %u)",
				c->name, lptr(slab_s_mem(slabp)), i);
			break;
		}
		if (seen[i]) {
			problem(w, "slab: %s: free chain of slab %lx loops at object %u", c->name,
				lptr(slab_s_mem(slabp)), i);
			break;
		}
		seen[i] = 1;
		entries++;
	}
	if (cache_hardened(c)) {
		for (unsigned int i = 0; i < c->num; i++) {
			kmem_bufctl_t v = slab_bufctl(slabp)[i];

			if (seen[i])
				continue;
			if (v == bufctl_tag(slabp, i, BUFCTL_H_CACHED))
				w->cached++;
			else if (v != bufctl_tag(slabp, i, BUFCTL_H_ACTIVE))
				problem(w, "slab: %s: object %lx off the free chain has a bad entry",
					c->name, lptr(index_to_obj(c, slabp, i)));
		}
	}
	kmm_scratch_free(seen);
	if (entries != c->num - slabp->inuse)
		problem(w, "slab: %s: slab %lx has %u free objects on its chain but %u in use of %u",
			c->name, lptr(slab_s_mem(slabp)), entries, slabp->inuse, c->num);
	*free_objs += c->num - slabp->inuse;
}

static void note_array(struct slab_walk *w, struct kmem_cache *c, struct array_cache *ac,
		       const char *what, int id)
{
	if (!ac)
		return;
	if (ac->avail > ac->limit)
		problem(w, "slab: %s: %s array %d holds %u objects, over its limit %u", c->name,
			what, id, ac->avail, ac->limit);
	for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++) {
		void *objp = ac->entry[i];
		struct slab *slabp;
		unsigned int objnr;

		if (!virt_addr_valid(objp) || !PageSlab(virt_to_page(objp)) ||
		    virt_to_cache(objp) != c) {
			problem(w, "slab: %s: %s array %d holds %lx, not an object of the cache",
				c->name, what, id, lptr(objp));
			continue;
		}
		slabp = virt_to_slab(objp);
		objnr = obj_to_index(c, slabp, objp);
		if (objnr >= c->num || objp != index_to_obj(c, slabp, objnr)) {
			problem(w, "slab: %s: %s array %d holds %lx, inside an object", c->name,
				what, id, lptr(objp));
			continue;
		}
		if (slab_obj_free_in_chain(c, slabp, objnr))
			problem(w, "slab: %s: object %lx is in %s array %d and free in its slab",
				c->name, lptr(objp), what, id);
		else if (cache_hardened(c) &&
			 slab_bufctl(slabp)[objnr] != bufctl_tag(slabp, objnr, BUFCTL_H_CACHED))
			problem(w, "slab: %s: object %lx is in %s array %d but not marked cached",
				c->name, lptr(objp), what, id);
		if (w->nr_objs == w->cap) {
			void **n = kmm_scratch_alloc(sizeof(void *) * (w->cap * 2 + 64));

			if (w->objs)
				memcpy(n, w->objs, sizeof(void *) * w->nr_objs);
			kmm_scratch_free(w->objs);
			w->objs = n;
			w->cap = w->cap * 2 + 64;
		}
		w->objs[w->nr_objs++] = objp;
	}
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

static void check_cache(struct slab_walk *w, struct kmem_cache *c)
{
	int node, cpu;

	w->nr_objs = 0;
	w->cached = 0;
	for_each_online_node(node) {
		struct kmem_list3 *l3 = c->nodelists[node];
		unsigned long free_objs = 0;
		struct slab *slabp;

		if (!l3) {
			problem(w, "slab: %s: no lists for node %d", c->name, node);
			continue;
		}
		list_for_each_entry(slabp, &l3->slabs_full, list)
			check_slab(w, c, node, slabp, "full", &free_objs);
		list_for_each_entry(slabp, &l3->slabs_partial, list)
			check_slab(w, c, node, slabp, "partial", &free_objs);
		list_for_each_entry(slabp, &l3->slabs_free, list)
			check_slab(w, c, node, slabp, "free", &free_objs);
		if (free_objs != l3->free_objects)
			problem(w, "slab: %s: node %d counts %lu free objects, its slabs hold %lu",
				c->name, node, l3->free_objects, free_objs);
		note_array(w, c, l3->shared, "shared", node);
		if (l3->alien)
			for (int n = 0; n < nr_node_ids; n++)
				note_array(w, c, l3->alien[n], "alien", n);
	}
	for_each_online_cpu(cpu)
		note_array(w, c, c->array[cpu], "cpu", cpu);
	sort(w->objs, w->nr_objs, sizeof(void *), cmp_ptr, NULL);
	for (size_t i = 1; i < w->nr_objs; i++)
		if (w->objs[i] == w->objs[i - 1])
			problem(w, "slab: %s: object %lx is in two arrays", c->name,
				lptr(w->objs[i]));
	if (cache_hardened(c) && w->cached != w->nr_objs)
		problem(w, "slab: %s: %lu objects marked cached, the arrays hold %zu", c->name,
			w->cached, w->nr_objs);
}

static int slab_check(struct seq_file *report)
{
	struct slab_walk w = { .report = report };
	unsigned long counted = 0;
	struct kmem_cache *c;
	struct zone *zone;

	if (!slab_is_available())
		return 0;
	list_for_each_entry(c, &cache_chain, next)
		check_cache(&w, c);
	kmm_scratch_free(w.objs);
	for_each_populated_zone(zone)
		counted += zone_page_state_snapshot(zone, NR_SLAB_RECLAIMABLE) +
			   zone_page_state_snapshot(zone, NR_SLAB_UNRECLAIMABLE);
	if (counted != w.slab_pages)
		problem(&w, "slab: the slabs hold %lu pages but NR_SLAB_* count %lu", w.slab_pages,
			counted);
	/* Each slab page has its entry (check_slab): more entries are strays. */
	if (slab_pagemap && READ_ONCE(slab_pagemap_nr) != w.slab_pages)
		problem(&w, "slab: the slab page map has %lu entries, the slabs hold %lu pages",
			READ_ONCE(slab_pagemap_nr), w.slab_pages);
	return w.problems;
}
MM_CHECK(slab, slab_check);
