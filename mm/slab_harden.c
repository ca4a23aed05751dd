/*
 * mm/slab_harden.c - slab_harden=on: misuse of kfree and kmem_cache_free
 * caught on the spot, in O(1), and the kernel stopped before the cache is
 * damaged.  A departure from 2.6.34, whose SLAB checks nothing unless
 * CONFIG_DEBUG_SLAB (slab_debug=on, at a large cost) is set; in the spirit
 * of later kernels' CONFIG_SLAB_FREELIST_HARDENED and their double-free
 * checks (docs/glossary.md).
 *
 * The state is the free-index array that every slab has anyway (mm/slab.h
 * draws its hardened format): one 32-bit entry per object says whether the
 * object is on the slab's free chain (an encoded link), cached in an array
 * or handed out, keyed by a secret, the slab and the index.  So:
 *
 *   kfree(p)         p's page is a slab page; p - s_mem is a whole number
 *                    of objects below num (a reciprocal multiply, as
 *                    obj_to_index); its entry reads "handed out" with the
 *                    right key.  The entry becomes "cached".
 *   allocation       the object taken from an array reads "cached"; it
 *                    becomes "handed out".
 *   refill, flush    an object leaving the chain must be on it (a valid
 *                    encoded link); one going back must read "cached".
 *
 * Each is a few instructions and one load and store of a word of the slab's
 * own descriptor, whatever the cache holds: O(1).  A double free is caught
 * wherever the object went after the first free, the per-CPU array, the
 * shared array, an alien array or back to its slab, because its entry
 * moved with it and never reads "handed out" until it is handed out again.
 * Concurrency: an entry is written only by the object's owner (mm/slab.h),
 * so frees on different CPUs touch different words and need no lock.
 *
 * Reports: printk at KERN_EMERG, then the hook (kmm-malloc writes its own
 * message and aborts), then BUG().  Nothing in the cache has changed.
 */
#include <kmm/kernel.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/random.h>
#include <kmm/string.h>
#include "mm/slab.h"

bool slab_harden __state_zero;
u32 slab_harden_secret __state_zero;
static bool slab_harden_given __state_zero;	/* the command line said on or off */

/* Outside the state section: set by a library before it boots its machine. */
static bool slab_harden_default;
static slab_harden_hook_t slab_harden_hook;

static int parse_slab_harden(const char *val)
{
	if (!val || !strcmp(val, "on") || !strcmp(val, "1"))
		slab_harden = true;
	else if (!strcmp(val, "off") || !strcmp(val, "0"))
		slab_harden = false;
	else
		return kmm_error("slab_harden=%s: expected on or off", val);
	slab_harden_given = true;
	return 0;
}
early_param("slab_harden", parse_slab_harden,
	    "on|off: check every kfree for double frees, bad pointers and overwritten slab "
	    "records, and stop on the first (kmm; default off)");

void slab_harden_set_default(bool on)
{
	slab_harden_default = on;
}

void slab_harden_set_hook(slab_harden_hook_t hook)
{
	slab_harden_hook = hook;
}

bool slab_hardened(void)
{
	return slab_harden;
}

/*
 * At kmem_cache_init, before the first cache: the default if the command
 * line did not say, and the secret.  The secret comes from the machine's
 * seeded stream, so a run is reproducible (it guards against accidents and
 * stale pointers; a program that reads simulated RAM could read it too).
 */
void slab_harden_init(void)
{
	if (!slab_harden_given)
		slab_harden = slab_harden_default;
	if (slab_harden)
		slab_harden_secret = random32();
}

static const char *const fault_words[] = {
	[SLAB_HARDEN_DOUBLE_FREE] = "double free detected",
	[SLAB_HARDEN_NOT_OBJECT] = "invalid pointer (not the start of an object)",
	[SLAB_HARDEN_NOT_SLAB] = "invalid pointer (not a slab object)",
	[SLAB_HARDEN_WRONG_CACHE] = "invalid pointer (an object of another cache)",
	[SLAB_HARDEN_CORRUPT] = "slab bookkeeping overwritten",
};

void slab_harden_fail(enum slab_harden_fault fault, struct kmem_cache *cachep,
		      const void *objp, const char *call)
{
	struct slab_harden_report r = {
		.fault = fault,
		.what = fault_words[fault],
		.call = call,
		.objp = objp,
		.cache = cachep ? cachep->name : NULL,
	};
	int width = arch->sizeof_ptr * 2;

	if (cachep)
		printk(KERN_EMERG "%s(): %s: object %0*lx in cache `%s'\n", call, r.what, width,
		       lptr(objp), cachep->name);
	else
		printk(KERN_EMERG "%s(): %s: %0*lx\n", call, r.what, width, lptr(objp));
	if (slab_harden_hook)
		slab_harden_hook(&r);
	BUG();
}

/*
 * The entry of object @objnr did not read "handed out": "cached", or a
 * valid link of the free chain, means the object is free already (a
 * double free); anything else was written by something other than the
 * allocator.
 */
void slab_harden_bad_free(struct kmem_cache *cachep, struct slab *slabp, unsigned int objnr,
			  const void *objp, const char *call)
{
	kmem_bufctl_t v = slab_bufctl(slabp)[objnr], next = slab_next(cachep, slabp, objnr);
	bool free = v == bufctl_tag(slabp, objnr, BUFCTL_H_CACHED) || next == BUFCTL_END ||
		    next < cachep->num;

	slab_harden_fail(free ? SLAB_HARDEN_DOUBLE_FREE : SLAB_HARDEN_CORRUPT, cachep, objp,
			 call);
}

void kmem_harden_check(const void *objp, const char *call)
{
	struct kmem_cache *cachep;

	if (!slab_harden || ZERO_OR_NULL_PTR(objp))
		return;
	if (!virt_addr_valid(objp) || !PageSlab(virt_to_page(objp)))
		slab_harden_fail(SLAB_HARDEN_NOT_SLAB, NULL, objp, call);
	cachep = virt_to_cache(objp);
	if (cache_hardened(cachep))
		slab_harden_entry(cachep, (const char *)objp - cachep->obj_offset, call);
}
