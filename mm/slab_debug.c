/*
 * mm/slab_debug.c - CONFIG_DEBUG_SLAB's checks: red zones, poisoning, the
 * last user, the free-chain check, and their reports in Linux's words.
 *
 * With the debug flags an object's buffer is laid out as
 *
 *   [red zone 1: 8][object: obj_size][red zone 2: 8][last user: a word]
 *
 * (on i386 the word is 4 bytes and 4 of padding precede it).  Red zones
 * hold RED_ACTIVE while the object is allocated and RED_INACTIVE while it
 * is free, so a free of a free object and a write past either end show.
 * A free object is filled with 0x6b and ends in 0xa5; a new one with 0x5a;
 * a write after free shows when the object is next allocated.
 *
 * Linux BUG()s on several of these; kmm reports them in the same words
 * and leaves the object alone (a bad free is not carried out), so that the
 * cache stays intact and a test can go on to check it.
 */
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/string.h>
#include "mm/slab.h"

void __slab_error(const char *function, struct kmem_cache *cachep, const char *msg)
{
	printk(KERN_ERR "slab error in %s(): cache `%s': %s\n", function, cachep->name, msg);
	dump_stack();
}

u64 *dbg_redzone1(struct kmem_cache *cachep, void *objp)
{
	BUG_ON(!(cachep->flags & SLAB_RED_ZONE));
	return (u64 *)((char *)objp + cachep->obj_offset - sizeof(u64));
}

u64 *dbg_redzone2(struct kmem_cache *cachep, void *objp)
{
	BUG_ON(!(cachep->flags & SLAB_RED_ZONE));
	if (cachep->flags & SLAB_STORE_USER)
		return (u64 *)((char *)objp + cachep->buffer_size - sizeof(u64) - REDZONE_ALIGN);
	return (u64 *)((char *)objp + cachep->buffer_size - sizeof(u64));
}

unsigned long *dbg_userword(struct kmem_cache *cachep, void *objp)
{
	BUG_ON(!(cachep->flags & SLAB_STORE_USER));
	return (unsigned long *)((char *)objp + cachep->buffer_size - BYTES_PER_WORD);
}

/* The last-user word is the simulated kernel's word: 4 bytes on i386. */
static void set_userword(struct kmem_cache *cachep, void *objp, unsigned long caller)
{
	if (BYTES_PER_WORD == 8)
		*dbg_userword(cachep, objp) = caller;
	else
		*(u32 *)dbg_userword(cachep, objp) = (u32)caller;
}

static unsigned long get_userword(struct kmem_cache *cachep, void *objp)
{
	if (BYTES_PER_WORD == 8)
		return *dbg_userword(cachep, objp);
	return *(u32 *)dbg_userword(cachep, objp);
}

void poison_obj(struct kmem_cache *cachep, void *addr, unsigned char val)
{
	unsigned char *p = (unsigned char *)addr + cachep->obj_offset;
	int size = cachep->obj_size;

	memset(p, val, size);
	p[size - 1] = POISON_END;
}

/* One 16-byte line of a dump, and the single-bit-error hint. */
static void dump_line(const unsigned char *data, int offset, int limit)
{
	unsigned char error = 0;
	int bad_count = 0;

	printk(KERN_ERR "%03x:", offset);
	for (int i = 0; i < limit; i++) {
		if (data[offset + i] != POISON_FREE) {
			error = data[offset + i];
			bad_count++;
		}
		printk(KERN_CONT " %02x", data[offset + i]);
	}
	printk(KERN_CONT "\n");
	if (bad_count == 1) {
		error ^= POISON_FREE;
		if (!(error & (error - 1))) {
			printk(KERN_ERR "Single bit error detected. Probably bad RAM.\n");
			printk(KERN_ERR "Run memtest86+ or a similar memory test tool.\n");
		}
	}
}

static void print_objinfo(struct kmem_cache *cachep, void *objp, int lines)
{
	if (cachep->flags & SLAB_RED_ZONE)
		printk(KERN_ERR "Redzone: 0x%llx/0x%llx.\n", *dbg_redzone1(cachep, objp),
		       *dbg_redzone2(cachep, objp));
	if (cachep->flags & SLAB_STORE_USER) {
		unsigned long caller = get_userword(cachep, objp);
		char sym[128];

		if (caller) {
			sprint_symbol(sym, sizeof(sym), caller);
			printk(KERN_ERR "Last user: [<%0*lx>](%s)\n", arch->sizeof_ptr * 2, caller,
			       sym);
		} else {
			/* 2.6.34: %p of NULL, and print_symbol of 0. */
			printk(KERN_ERR "Last user: [<(null)>](0x0)\n");
		}
	}
	for (int i = 0; i < cachep->obj_size && lines; i += 16, lines--) {
		int limit = 16;

		if (i + limit > cachep->obj_size)
			limit = cachep->obj_size - i;
		dump_line((unsigned char *)objp + cachep->obj_offset, i, limit);
	}
}

/*
 * A free object must still hold its poison: report the lines (up to six)
 * that do not, then the neighbours.  Like Linux, after a bad line the scan
 * resumes one byte into the next line.
 */
static void check_poison_obj(struct kmem_cache *cachep, void *objp)
{
	unsigned char *realobj = (unsigned char *)objp + cachep->obj_offset;
	int size = cachep->obj_size, lines = 0;

	for (int i = 0; i < size; i++) {
		unsigned char exp = (i == size - 1) ? POISON_END : POISON_FREE;

		if (realobj[i] != exp) {
			int limit;

			if (lines == 0) {
				printk(KERN_ERR "Slab corruption: %s start=%lx, len=%d\n",
				       cachep->name, lptr(realobj), size);
				print_objinfo(cachep, objp, 0);
			}
			i = (i / 16) * 16;
			limit = 16;
			if (i + limit > size)
				limit = size - i;
			dump_line(realobj, i, limit);
			i += 16;
			lines++;
			if (lines > 5)
				break;
		}
	}
	if (lines != 0) {
		struct slab *slabp = virt_to_slab(objp);
		unsigned int objnr = obj_to_index(cachep, slabp, objp);

		if (objnr) {
			void *prev = index_to_obj(cachep, slabp, objnr - 1);

			printk(KERN_ERR "Prev obj: start=%lx, len=%d\n",
			       lptr((char *)prev + cachep->obj_offset), size);
			print_objinfo(cachep, prev, 2);
		}
		if (objnr + 1 < cachep->num) {
			void *next = index_to_obj(cachep, slabp, objnr + 1);

			printk(KERN_ERR "Next obj: start=%lx, len=%d\n",
			       lptr((char *)next + cachep->obj_offset), size);
			print_objinfo(cachep, next, 2);
		}
	}
}

/* A new slab's object: poison, clear red zones and last user, construct. */
void cache_init_objs_debug(struct kmem_cache *cachep, void *objp)
{
	if (cachep->flags & SLAB_POISON)
		poison_obj(cachep, objp, POISON_FREE);
	if (cachep->flags & SLAB_STORE_USER)
		set_userword(cachep, objp, 0);
	if (cachep->flags & SLAB_RED_ZONE) {
		*dbg_redzone1(cachep, objp) = RED_INACTIVE;
		*dbg_redzone2(cachep, objp) = RED_INACTIVE;
	}
	/* Poisoned objects are constructed when allocated. */
	if (cachep->ctor && !(cachep->flags & SLAB_POISON))
		cachep->ctor((char *)objp + cachep->obj_offset);
	if (cachep->flags & SLAB_RED_ZONE) {
		if (*dbg_redzone2(cachep, objp) != RED_INACTIVE)
			__slab_error("cache_init_objs", cachep,
				     "constructor overwrote the end of an object");
		if (*dbg_redzone1(cachep, objp) != RED_INACTIVE)
			__slab_error("cache_init_objs", cachep,
				     "constructor overwrote the start of an object");
	}
}

/* @objp (the buffer start) leaves the cache: check it, mark it, hand out the object. */
void *cache_alloc_debugcheck_after(struct kmem_cache *cachep, gfp_t flags, void *objp,
				   unsigned long caller)
{
	if (cachep->flags & SLAB_POISON) {
		check_poison_obj(cachep, objp);
		poison_obj(cachep, objp, POISON_INUSE);
	}
	if (cachep->flags & SLAB_STORE_USER)
		set_userword(cachep, objp, caller);
	if (cachep->flags & SLAB_RED_ZONE) {
		if (*dbg_redzone1(cachep, objp) != RED_INACTIVE ||
		    *dbg_redzone2(cachep, objp) != RED_INACTIVE) {
			slab_error(cachep, "double free, or memory outside object was overwritten");
			printk(KERN_ERR "%lx: redzone 1:0x%llx, redzone 2:0x%llx\n", lptr(objp),
			       *dbg_redzone1(cachep, objp), *dbg_redzone2(cachep, objp));
		}
		*dbg_redzone1(cachep, objp) = RED_ACTIVE;
		*dbg_redzone2(cachep, objp) = RED_ACTIVE;
	}
	objp = (char *)objp + cachep->obj_offset;
	if (cachep->ctor && (cachep->flags & SLAB_POISON))
		cachep->ctor(objp);
	return objp;
}

enum redzone_state { RZ_OK, RZ_OVERWRITTEN, RZ_DOUBLE_FREE };

static enum redzone_state verify_redzone_free(struct kmem_cache *cache, void *obj)
{
	u64 redzone1 = *dbg_redzone1(cache, obj), redzone2 = *dbg_redzone2(cache, obj);
	enum redzone_state state;

	if (redzone1 == RED_ACTIVE && redzone2 == RED_ACTIVE)
		return RZ_OK;
	if (redzone1 == RED_INACTIVE && redzone2 == RED_INACTIVE) {
		slab_error(cache, "double free detected");
		state = RZ_DOUBLE_FREE;
	} else {
		slab_error(cache, "memory outside object was overwritten");
		state = RZ_OVERWRITTEN;
	}
	printk(KERN_ERR "%lx: redzone 1:0x%llx, redzone 2:0x%llx.\n", lptr(obj), redzone1,
	       redzone2);
	return state;
}

/*
 * An object comes back: it must be an object of @cachep (not of another
 * cache, not a pointer into the middle of one) and not already free.
 * Returns the buffer start to free, or NULL when the free must not happen.
 */
void *cache_free_debugcheck(struct kmem_cache *cachep, void *objp, unsigned long caller)
{
	struct kmem_cache *owner;
	struct slab *slabp;
	unsigned int objnr;

	if (!virt_addr_valid(objp) || !PageSlab(virt_to_page(objp))) {
		printk(KERN_ERR "kfree_debugcheck: out of range ptr %lxh.\n", lptr(objp));
		dump_stack();
		return NULL;
	}
	owner = virt_to_cache(objp);
	if (owner != cachep) {
		printk(KERN_ERR "slab error in cache_free_debugcheck(): cache `%s': object %lx "
		       "belongs to cache `%s'\n", cachep->name, lptr(objp), owner->name);
		dump_stack();
		return NULL;
	}
	objp = (char *)objp - cachep->obj_offset;
	slabp = virt_to_slab(objp);
	objnr = obj_to_index(cachep, slabp, objp);
	if (objnr >= cachep->num || objp != index_to_obj(cachep, slabp, objnr)) {
		long off = (char *)objp - (char *)index_to_obj(cachep, slabp,
								objnr < cachep->num ? objnr : 0);

		printk(KERN_ERR "slab error in cache_free_debugcheck(): cache `%s': %lx is not "
		       "an object (%ld bytes into object %u)\n", cachep->name,
		       lptr((char *)objp + cachep->obj_offset), off, objnr);
		dump_stack();
		return NULL;
	}
	if (cachep->flags & SLAB_RED_ZONE) {
		if (verify_redzone_free(cachep, objp) == RZ_DOUBLE_FREE)
			return NULL;
		*dbg_redzone1(cachep, objp) = RED_INACTIVE;
		*dbg_redzone2(cachep, objp) = RED_INACTIVE;
	}
	if (cachep->flags & SLAB_STORE_USER)
		set_userword(cachep, objp, caller);
	if (cachep->flags & SLAB_POISON)
		poison_obj(cachep, objp, POISON_FREE);
	return objp;
}

/* A slab about to be freed: its free objects must be intact. */
void slab_destroy_debugcheck(struct kmem_cache *cachep, struct slab *slabp)
{
	for (unsigned int i = 0; i < cachep->num; i++) {
		void *objp = index_to_obj(cachep, slabp, i);

		if (cachep->flags & SLAB_POISON)
			check_poison_obj(cachep, objp);
		if (cachep->flags & SLAB_RED_ZONE) {
			if (*dbg_redzone1(cachep, objp) != RED_INACTIVE)
				slab_error(cachep, "start of a freed object was overwritten");
			if (*dbg_redzone2(cachep, objp) != RED_INACTIVE)
				slab_error(cachep, "end of a freed object was overwritten");
		}
	}
}

/*
 * Debug caches mark an allocated object's free-index entry BUFCTL_FREE;
 * a link (or BUFCTL_END) there means the object is already free.
 */
bool slab_double_free(struct kmem_cache *cachep, struct slab *slabp, unsigned int objnr,
		      const void *objp)
{
	if (slab_bufctl(slabp)[objnr] + 1 <= SLAB_LIMIT + 1) {
		printk(KERN_ERR "slab: double free detected in cache '%s', objp %lx\n",
		       cachep->name, lptr(objp));
		dump_stack();
		return true;
	}
	return false;
}

/*
 * The free chain of a slab must visit num - inuse distinct objects; if it
 * does not, the slab's memory is corrupt: dump it and stop (as Linux).
 */
int check_slabp(struct kmem_cache *cachep, struct slab *slabp)
{
	kmem_bufctl_t i;
	unsigned int entries = 0;

	for (i = slabp->free; i != BUFCTL_END; i = slab_next(cachep, slabp, i)) {
		entries++;
		if (entries > cachep->num || i >= cachep->num)
			goto bad;
	}
	if (entries != cachep->num - slabp->inuse) {
		const unsigned char *mgmt;
bad:
		mgmt = (const unsigned char *)slab_bufctl(slabp) - SIM_SIZEOF_SLAB;
		printk(KERN_ERR "slab: Internal list corruption detected in cache '%s'(%d), "
		       "slabp %lx(%d). Hexdump:\n", cachep->name, cachep->num, lptr(mgmt),
		       slabp->inuse);
		for (size_t k = 0; k < SIM_SIZEOF_SLAB + cachep->num * sizeof(kmem_bufctl_t); k++) {
			if (k % 16 == 0)
				printk(KERN_CONT "\n%03zx:", k);
			printk(KERN_CONT " %02x", mgmt[k]);
		}
		printk(KERN_CONT "\n");
		BUG();
	}
	return 0;
}
