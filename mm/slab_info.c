/*
 * mm/slab_info.c - the slab allocator described to debuggers: what a
 * pointer is (kmem_valid_obj, kmem_obj_info, after Linux 5.11) and a
 * cache's geometry and tunables (kmem_cache_get_info).  Tools and tests
 * read the allocator through these, never through mm/slab.h.
 *
 * An object is free when its slab's free chain reaches it or when one of
 * its cache's arrays (per CPU, shared per node, alien) holds it; arrays
 * hold buffer starts, the allocator's view of an object, red zone
 * included.  Nothing here takes a lock or changes anything: the caller
 * keeps the cache still (see include/kmm/slab.h).
 *
 * The allocator itself lives in slab.c (caches), slab_alloc.c (objects),
 * slab_debug.c (red zones, poison) and slab_proc.c (/proc/slabinfo).
 */
#include <kmm/string.h>
#include "mm/slab.h"

_Static_assert(SLAB_CREATE_MASK == CREATE_MASK, "include/kmm/slab.h's mask is mm/slab.h's");

static bool direct_mapped(const void *p)
{
	return virt_addr_valid(p) && (__pa(p) >> PAGE_SHIFT) < max_low_pfn;
}

bool kmem_valid_obj(const void *object)
{
	return direct_mapped(object) && PageSlab(virt_to_page(object));
}

static bool array_holds(const struct array_cache *ac, const void *buffer)
{
	if (!ac)
		return false;
	for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++)
		if (ac->entry[i] == buffer)
			return true;
	return false;
}

/* Where the object at @buffer, number @idx of @slabp, waits if it is free. */
static enum kmem_obj_free_in free_in(struct kmem_cache *cache, struct slab *slabp,
				     unsigned int idx, const void *buffer, int *id)
{
	int cpu, node;

	*id = -1;
	if (slab_obj_free_in_chain(cache, slabp, idx))
		return KMEM_FREE_SLAB;
	for_each_online_cpu(cpu)
		if (array_holds(cache->array[cpu], buffer)) {
			*id = cpu;
			return KMEM_FREE_CPU;
		}
	for_each_online_node(node) {
		struct kmem_list3 *l3 = cache->nodelists[node];

		if (!l3)
			continue;
		if (array_holds(l3->shared, buffer)) {
			*id = node;
			return KMEM_FREE_SHARED;
		}
		for (int n = 0; l3->alien && n < nr_node_ids; n++)
			if (array_holds(l3->alien[n], buffer)) {
				*id = n;
				return KMEM_FREE_ALIEN;
			}
	}
	return KMEM_FREE_NONE;
}

static enum kmem_redzone redzone_state(struct kmem_cache *cache, void *buffer)
{
	u64 r1, r2;

	if (!(cache->flags & SLAB_RED_ZONE))
		return KMEM_RZ_NONE;
	r1 = *dbg_redzone1(cache, buffer);
	r2 = *dbg_redzone2(cache, buffer);
	if (r1 == RED_ACTIVE && r2 == RED_ACTIVE)
		return KMEM_RZ_ACTIVE;
	if (r1 == RED_INACTIVE && r2 == RED_INACTIVE)
		return KMEM_RZ_INACTIVE;
	return KMEM_RZ_CORRUPT;
}

void kmem_obj_info(struct kmem_obj_info *kpp, const void *object)
{
	struct kmem_cache *cache;
	struct slab *slabp;
	char *s_mem;
	size_t off;

	memset(kpp, 0, sizeof(*kpp));
	kpp->kp_ptr = object;
	kpp->kp_free_id = -1;
	if (!direct_mapped(object)) {
		kpp->state = KMEM_OBJ_OUTSIDE;
		return;
	}
	if (!PageSlab(virt_to_page(object))) {
		kpp->state = KMEM_OBJ_NOT_SLAB;
		return;
	}
	slabp = virt_to_slab(object);
	cache = page_get_cache(slab_page(slabp));
	s_mem = slab_s_mem(slabp);
	kpp->kp_slab_cache = cache;
	kpp->kp_page = slab_page(slabp);
	kpp->kp_slab = lowmem_page_address(slab_page(slabp));
	kpp->kp_node = slab_nodeid(slabp);
	if ((const char *)object < s_mem ||
	    (const char *)object >= s_mem + cache->num * cache->buffer_size) {
		kpp->state = KMEM_OBJ_METADATA;
		return;
	}
	off = (const char *)object - s_mem;
	kpp->kp_index = off / cache->buffer_size;
	kpp->kp_buffer = s_mem + kpp->kp_index * cache->buffer_size;
	kpp->kp_objp = (char *)kpp->kp_buffer + cache->obj_offset;
	kpp->kp_data_offset = (const char *)object - (const char *)kpp->kp_objp;
	kpp->kp_free_in = free_in(cache, slabp, kpp->kp_index, kpp->kp_buffer, &kpp->kp_free_id);
	kpp->kp_free = kpp->kp_free_in != KMEM_FREE_NONE;
	kpp->kp_redzone = redzone_state(cache, kpp->kp_buffer);
	if (object != kpp->kp_objp)
		kpp->state = KMEM_OBJ_INSIDE;
	else
		kpp->state = kpp->kp_free ? KMEM_OBJ_FREE : KMEM_OBJ_ALLOCATED;
}

void kmem_cache_get_info(struct kmem_cache *cachep, struct kmem_cache_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = cachep->name;
	info->object_size = cachep->obj_size;
	info->buffer_size = cachep->buffer_size;
	info->num = cachep->num;
	info->gfporder = cachep->gfporder;
	info->colour = cachep->colour;
	info->colour_off = cachep->colour_off;
	info->flags = cachep->flags & CREATE_MASK;	/* not the allocator's own bits */
	info->debug = cache_debug(cachep);
	info->hardened = cache_hardened(cachep);
	info->slabp_cache = OFF_SLAB(cachep) ? cachep->slabp_cache : NULL;
	info->limit = cachep->limit;
	info->batchcount = cachep->batchcount;
	info->shared = cachep->shared;
}
