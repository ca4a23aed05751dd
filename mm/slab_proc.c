/*
 * mm/slab_proc.c - /proc/slabinfo, version 2.1: one line per cache,
 * newest cache first, and writable to tune a cache's arrays:
 *
 *   set /proc/slabinfo size-64 120 60 8      (name limit batchcount shared)
 *
 * With slab_debug=on the statistics columns follow, including 2.6.34's
 * four tab characters inside the globalstat field list.
 */
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/params.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/string.h>
#include "mm/slab.h"

static void print_slabinfo_header(struct seq_file *m)
{
	seq_puts(m, slab_debug ? "slabinfo - version: 2.1 (statistics)\n" :
				 "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
	seq_puts(m, " : tunables <limit> <batchcount> <sharedfactor>");
	seq_puts(m, " : slabdata <active_slabs> <num_slabs> <sharedavail>");
	if (slab_debug) {
		seq_puts(m, " : globalstat <listallocs> <maxobjs> <grown> <reaped> <error> "
			    "<maxfreeable> <nodeallocs> <remotefrees> <alienoverflow>");
		seq_puts(m, " : cpustat <allochit> <allocmiss> <freehit> <freemiss>");
	}
	seq_putc(m, '\n');
}

/*
 * One cache.  Objects in the per-CPU, shared and alien arrays were taken
 * from their slabs, so they count as active, as in Linux.
 */
static void s_show(struct seq_file *m, struct kmem_cache *cachep)
{
	unsigned long active_objs = 0, num_objs, active_slabs = 0, num_slabs = 0;
	unsigned long free_objects = 0, shared_avail = 0;
	const char *error = NULL;
	struct slab *slabp;
	int node;

	for_each_online_node(node) {
		struct kmem_list3 *l3 = cachep->nodelists[node];

		if (!l3)
			continue;
		spin_lock_irq(&l3->list_lock);
		list_for_each_entry(slabp, &l3->slabs_full, list) {
			if (slabp->inuse != cachep->num && !error)
				error = "slabs_full accounting error";
			active_objs += cachep->num;
			active_slabs++;
		}
		list_for_each_entry(slabp, &l3->slabs_partial, list) {
			if (slabp->inuse == cachep->num && !error)
				error = "slabs_partial inuse accounting error";
			if (!slabp->inuse && !error)
				error = "slabs_partial/inuse accounting error";
			active_objs += slabp->inuse;
			active_slabs++;
		}
		list_for_each_entry(slabp, &l3->slabs_free, list) {
			if (slabp->inuse && !error)
				error = "slabs_free/inuse accounting error";
			num_slabs++;
		}
		free_objects += l3->free_objects;
		if (l3->shared)
			shared_avail += l3->shared->avail;
		spin_unlock_irq(&l3->list_lock);
	}
	num_slabs += active_slabs;
	num_objs = num_slabs * cachep->num;
	if (num_objs - active_objs != free_objects && !error)
		error = "free_objects accounting error";
	if (error)
		printk(KERN_ERR "slab: cache %s error: %s\n", cachep->name, error);

	seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d", cachep->name, active_objs, num_objs,
		   cachep->buffer_size, cachep->num, (1 << cachep->gfporder));
	seq_printf(m, " : tunables %4u %4u %4u", cachep->limit, cachep->batchcount,
		   cachep->shared);
	seq_printf(m, " : slabdata %6lu %6lu %6lu", active_slabs, num_slabs, shared_avail);
	if (slab_debug) {
		struct slab_stats *st = cache_stats(cachep);

		seq_printf(m, " : globalstat %7lu %6lu %5lu %4lu \t\t\t\t%4lu %4lu %4lu %4lu %4lu",
			   st->num_allocations, st->high_mark, st->grown, st->reaped, st->errors,
			   st->max_freeable, st->node_allocs, st->node_frees, st->node_overflow);
		seq_printf(m, " : cpustat %6lu %6lu %6lu %6lu",
			   (unsigned long)atomic_read(&st->allochit),
			   (unsigned long)atomic_read(&st->allocmiss),
			   (unsigned long)atomic_read(&st->freehit),
			   (unsigned long)atomic_read(&st->freemiss));
	}
	seq_putc(m, '\n');
}

static int slabinfo_show(struct seq_file *m, const char *rest)
{
	struct kmem_cache *cachep;

	if (!slab_is_available())
		return -ENOENT;
	mutex_lock(&cache_chain_mutex);
	print_slabinfo_header(m);
	list_for_each_entry(cachep, &cache_chain, next)
		s_show(m, cachep);
	mutex_unlock(&cache_chain_mutex);
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* sscanf's " %d": blanks, a sign, digits; false if no digit. */
static bool scan_int(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;
	int sign = 1;

	while (is_blank(*s))
		s++;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s)) {
		if (v < INT_MAX)
			v = v * 10 + (*s - '0');
		s++;
	}
	if (v > INT_MAX)
		v = INT_MAX;
	*out = (int)(sign * v);
	*p = s;
	return true;
}

/*
 * slabinfo_write - "name limit batchcount shared" retunes a cache.  As in
 * 2.6.34: an unknown name is -EINVAL; values out of range (limit < 1,
 * batchcount < 1 or > limit, shared < 0) are ignored without an error.
 */
static int slabinfo_write(const char *rest, const char *value)
{
	char kbuf[MAX_SLABINFO_WRITE + 1], *tmp;
	int limit, batchcount, shared, res;
	struct kmem_cache *cachep;
	const char *p;

	if (strlen(value) > MAX_SLABINFO_WRITE) {
		kmm_error("/proc/slabinfo: a line longer than %d bytes", MAX_SLABINFO_WRITE);
		return -EINVAL;
	}
	strlcpy(kbuf, value, sizeof(kbuf));
	tmp = strchr(kbuf, ' ');
	if (!tmp) {
		kmm_error("/proc/slabinfo: expected 'name limit batchcount shared'");
		return -EINVAL;
	}
	*tmp++ = '\0';
	p = tmp;
	if (!scan_int(&p, &limit) || !scan_int(&p, &batchcount) || !scan_int(&p, &shared)) {
		kmm_error("/proc/slabinfo: expected 'name limit batchcount shared'");
		return -EINVAL;
	}
	mutex_lock(&cache_chain_mutex);
	res = -EINVAL;
	list_for_each_entry(cachep, &cache_chain, next) {
		if (!strcmp(cachep->name, kbuf)) {
			if (limit < 1 || batchcount < 1 || batchcount > limit || shared < 0)
				res = 0;
			else
				res = slab_tune_cpucache(cachep, limit, batchcount, shared);
			break;
		}
	}
	mutex_unlock(&cache_chain_mutex);
	if (res == -EINVAL)
		kmm_error("/proc/slabinfo: no cache named '%s'", kbuf);
	else if (res == -ENOMEM)
		kmm_error("/proc/slabinfo: out of memory while tuning '%s'", kbuf);
	return res < 0 ? res : 0;
}
PROC_ENTRY(slabinfo, "/proc/slabinfo", slabinfo_show, slabinfo_write, false);
