/*
 * test_slab_harden.c - slab_harden=on (mm/slab_harden.c): each misuse of
 * kfree and kmem_cache_free stops the kernel on the spot with its report,
 * and nothing in the cache changed (mm_check clean after the stop); off,
 * 2.6.34's behaviour is unchanged.
 *
 * The caches: "h-64", 64-byte objects, 59 to a one-page slab on x86_64
 * ((4096 - 48) / (64 + 4) = 59.5), tuned through /proc/slabinfo to
 * "h-64 4 2 2": a per-CPU array of 4, batches of 2, a shared array of 2 * 2.
 * Objects of one slab: the first refill takes objects 0 and 1, and so on.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/irqflags.h>
#include <kmm/mm_check.h>
#include <kmm/seq_file.h>
#include <kmm/procfs.h>
#include <kmm/random.h>
#include <kmm/slab.h>
#include "mm/slab.h"
#include "tests/harness.h"

static char last_report[256];
static int nr_reports;

static void note_report(const struct slab_harden_report *r)
{
	snprintf(last_report, sizeof(last_report), "%s(): %s: %s", r->call, r->what,
		 r->cache ? r->cache : "-");
	nr_reports++;
}

static struct kmem_cache *boot_h64(const char *cmdline)
{
	struct kmem_cache *c;

	boot_or_fail(cmdline);
	slab_harden_set_hook(note_report);
	nr_reports = 0;
	c = kmem_cache_create("h-64", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_int_equal(c->num, 59);
	assert_int_equal(proc_write("/proc/slabinfo", "h-64 4 2 2"), 0);
	return c;
}

static enum kmem_obj_free_in where(const void *p)
{
	struct kmem_obj_info in;

	kmem_obj_info(&in, p);
	return in.kp_free_in;
}

/* The kernel line of a report: "CALL(): WHAT: object ADDR in cache `NAME'". */
static void assert_reported(const char *call, const char *what, const void *p, const char *cache)
{
	char line[256];

	snprintf(line, sizeof(line), "%s(): %s: object %016lx in cache `%s'", call, what, lptr(p),
		 cache);
	if (!dmesg_has(line))
		fail_msg("dmesg lacks \"%s\"", line);
}

/*
 * Off (the default): every cache as in 2.6.34, raw free-index links; a
 * kfree of a page that is no slab's is reported as 2.6.34's debug check
 * does and the kernel goes on.
 */
static void off_by_default(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1");
	struct page *page;
	struct slab *s;
	void *p;

	assert_false(slab_hardened());
	assert_false(c->flags & CFLGS_HARDEN);
	assert_false(malloc_sizes[1].cs_cachep->flags & CFLGS_HARDEN);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	s = virt_to_slab(p);
	/* Objects 0 and 1 went to the array (1 handed out); the chain starts at 2 -> 3. */
	assert_int_equal(s->free, 2);
	assert_int_equal(slab_bufctl(s)[2], 3);
	page = alloc_pages(GFP_KERNEL, 0);
	kfree(page_address(page));
	assert_true(dmesg_has("kfree_debugcheck: bad ptr"));
	__free_pages(page, 0);
	kmem_cache_free(c, p);
	assert_int_equal(nr_reports, 0);
	kmem_cache_destroy(c);
	assert_mm_check();
}

/*
 * On: the chain's links are encoded, never the raw index; the objects in
 * the array read "cached", the one handed out "handed out".
 */
static void entries_say_where_objects_are(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	struct slab *s;
	void *p;
	unsigned int i;

	assert_true(slab_hardened());
	assert_true(c->flags & CFLGS_HARDEN);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	s = virt_to_slab(p);
	i = obj_to_index(c, s, p);
	assert_int_equal(s->free, 2);
	assert_int_equal(slab_next(c, s, 2), 3);
	assert_int_not_equal(slab_bufctl(s)[2], 3);
	assert_int_equal(slab_bufctl(s)[i], bufctl_tag(s, i, BUFCTL_H_ACTIVE));
	assert_int_equal(slab_bufctl(s)[i ^ 1], bufctl_tag(s, i ^ 1, BUFCTL_H_CACHED));
	assert_mm_check();
	kmem_cache_free(c, p);
	assert_int_equal(slab_bufctl(s)[i], bufctl_tag(s, i, BUFCTL_H_CACHED));
	assert_mm_check();
	kmem_cache_destroy(c);
	assert_mm_check();
}

/* A library sets the default before it boots; the command line still decides. */
static void default_and_command_line(void **state)
{
	slab_harden_set_default(true);
	boot_or_fail("ram=64M cpus=1");
	assert_true(slab_hardened());
	assert_true(malloc_sizes[0].cs_cachep->flags & CFLGS_HARDEN);
	teardown_machine(state);
	boot_or_fail("ram=64M cpus=1 slab_harden=off");
	assert_false(slab_hardened());
	assert_false(malloc_sizes[0].cs_cachep->flags & CFLGS_HARDEN);
	slab_harden_set_default(false);
	assert_mm_check();
}

/* Freed twice in a row: the second free finds it in the per-CPU array. */
static void double_free_immediate(void **state)
{
	void *p;

	boot_h64("ram=64M cpus=1 slab_harden=on");
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	assert_int_equal(where(p), KMEM_FREE_CPU);
	EXPECT_KERNEL_STOP(kfree(p));
	assert_reported("kfree", "double free detected", p, "size-128");
	assert_string_equal(last_report, "kfree(): double free detected: size-128");
	assert_mm_check();
}

/*
 * With slab_debug=on too, frees take the general path (debug checks);
 * hardening checks first and stops, where the red zones alone would only
 * report and refuse.
 */
static void double_free_in_a_debug_cache(void **state)
{
	void *p;

	boot_or_fail("ram=64M cpus=1 slab_harden=on slab_debug=on");
	slab_harden_set_hook(note_report);
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	EXPECT_KERNEL_STOP(kfree(p));
	local_irq_enable();	/* the general path stops with interrupts off */
	assert_reported("kfree", "double free detected", p, "size-128");
	assert_false(dmesg_has("slab error in verify_redzone_free()"));
	assert_mm_check();
}

/*
 * Through every place a free object waits: freed first, p[0] is the
 * oldest in the array of 4; the fifth free flushes a batch of 2 (p[0],
 * p[1]) to the shared array; a shrink empties the arrays into the slab,
 * which stays because k, of the same slab, is still allocated.
 */
static void double_free_after_the_arrays(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	void *p[5], *k;

	for (int i = 0; i < 5; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	k = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(c, p[i]);
	assert_int_equal(where(p[0]), KMEM_FREE_SHARED);
	EXPECT_KERNEL_STOP(kmem_cache_free(c, p[0]));
	assert_reported("kmem_cache_free", "double free detected", p[0], "h-64");
	assert_mm_check();

	kmem_cache_shrink(c);
	assert_int_equal(where(p[0]), KMEM_FREE_SLAB);
	assert_int_equal(where(p[4]), KMEM_FREE_SLAB);
	EXPECT_KERNEL_STOP(kfree(p[4]));
	assert_reported("kfree", "double free detected", p[4], "h-64");
	assert_mm_check();
	kmem_cache_free(c, k);
	kmem_cache_destroy(c);
	assert_mm_check();
}

/*
 * Two nodes: an object of node 1 freed on CPU 0 (node 0) waits in node
 * 0's alien array for node 1; a second free finds it there.  The general
 * free path (several nodes) stops with interrupts off.
 */
static void double_free_in_an_alien_array(void **state)
{
	struct kmem_cache *c;
	struct kmem_obj_info in;
	void *p;

	boot_or_fail("ram=256M nodes=2 cpus=2 slab_harden=on");
	slab_harden_set_hook(note_report);
	c = kmem_cache_create("h-alien", 100, 0, 0, NULL);
	kmm_set_cpu(1);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmm_set_cpu(0);
	kmem_cache_free(c, p);
	kmem_obj_info(&in, p);
	assert_int_equal(in.kp_free_in, KMEM_FREE_ALIEN);
	EXPECT_KERNEL_STOP(kmem_cache_free(c, p));
	local_irq_enable();
	assert_reported("kmem_cache_free", "double free detected", p, "h-alien");
	assert_mm_check();
}

/* Pointers that are not objects: inside one, the descriptor, another cache's, no slab. */
static void invalid_pointers(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	struct page *page;
	char *p = kmem_cache_alloc(c, GFP_KERNEL), *q = kmalloc(64, GFP_KERNEL);
	char *s_mem = slab_s_mem(virt_to_slab(p));

	EXPECT_KERNEL_STOP(kfree(p + 8));
	assert_reported("kfree", "invalid pointer (not the start of an object)", p + 8, "h-64");
	EXPECT_KERNEL_STOP(kmem_cache_free(c, s_mem - 16));
	assert_reported("kmem_cache_free", "invalid pointer (not the start of an object)",
			s_mem - 16, "h-64");
	EXPECT_KERNEL_STOP(kmem_cache_free(c, q));
	assert_reported("kmem_cache_free", "invalid pointer (an object of another cache)", q,
			"h-64");
	EXPECT_KERNEL_STOP(kmem_cache_free(c, &page));
	assert_string_equal(last_report,
			    "kmem_cache_free(): invalid pointer (not a slab object): h-64");
	page = alloc_pages(GFP_KERNEL, 0);
	EXPECT_KERNEL_STOP(kfree(page_address(page)));
	assert_string_equal(last_report, "kfree(): invalid pointer (not a slab object): -");
	assert_true(dmesg_has("kfree(): invalid pointer (not a slab object): "));
	assert_mm_check();
	__free_pages(page, 0);
	kfree(q);
	kfree(p);
	assert_mm_check();
}

/*
 * Overwritten records: the entry of an object handed out (caught by its
 * free), of one in the array (caught when it is handed out), and a link of
 * the free chain (caught by the refill that would follow it).
 */
static void overwritten_bookkeeping(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	void *p = kmem_cache_alloc(c, GFP_KERNEL), *volatile q;
	struct slab *s = virt_to_slab(p);
	unsigned int i = obj_to_index(c, s, p);
	kmem_bufctl_t saved = slab_bufctl(s)[i];

	slab_bufctl(s)[i] = 0x41414141;
	EXPECT_KERNEL_STOP(kmem_cache_free(c, p));
	assert_reported("kmem_cache_free", "slab bookkeeping overwritten", p, "h-64");
	/* Another object's entry, though it also reads "handed out": keyed by the index. */
	q = kmem_cache_alloc(c, GFP_KERNEL);
	slab_bufctl(s)[i] = slab_bufctl(s)[obj_to_index(c, s, q)];
	EXPECT_KERNEL_STOP(kmem_cache_free(c, p));
	assert_string_equal(last_report, "kmem_cache_free(): slab bookkeeping overwritten: h-64");
	slab_bufctl(s)[i] = saved;
	kmem_cache_free(c, q);
	assert_mm_check();

	/* Its twin (objects 0 and 1 came in one batch) waits in the array. */
	q = index_to_obj(c, s, i ^ 1);
	assert_int_equal(where(q), KMEM_FREE_CPU);
	saved = slab_bufctl(s)[i ^ 1];
	slab_bufctl(s)[i ^ 1] = 0;
	EXPECT_KERNEL_STOP(kmem_cache_alloc(c, GFP_KERNEL));
	local_irq_enable();	/* the stop came with interrupts off; a real one never returns */
	assert_reported("kmem_cache_alloc", "slab bookkeeping overwritten", q, "h-64");
	/* q left the array before the check: the stopped caller's now. */
	slab_bufctl(s)[i ^ 1] = saved | BUFCTL_H_ACTIVE;
	assert_mm_check();
	assert_non_null(kmem_cache_alloc(c, GFP_KERNEL));	/* a refill: objects 2 and 3 */

	/* The chain: the first free object's link now leads nowhere (the next refill follows it). */
	assert_non_null(kmem_cache_alloc(c, GFP_KERNEL));	/* empties the array */
	assert_int_equal(s->free, 4);
	slab_bufctl(s)[4] ^= 0x00ffff00;
	EXPECT_KERNEL_STOP(kmem_cache_alloc(c, GFP_KERNEL));
	spin_unlock(&c->nodelists[0]->list_lock);	/* the refill stopped under it */
	local_irq_enable();
	assert_reported("cache_alloc_refill", "slab bookkeeping overwritten", index_to_obj(c, s, 4),
			"h-64");
	slab_bufctl(s)[4] ^= 0x00ffff00;
	assert_mm_check();
}

/*
 * An object waiting in the array whose entry was overwritten: the flush
 * that would put it back on its slab's chain stops instead.
 */
static void overwritten_entry_in_the_array(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	void *p = kmem_cache_alloc(c, GFP_KERNEL), *q;
	struct slab *s = virt_to_slab(p);
	unsigned int i = obj_to_index(c, s, p);

	q = index_to_obj(c, s, i ^ 1);
	assert_int_equal(where(q), KMEM_FREE_CPU);
	slab_bufctl(s)[i ^ 1] = 0x41414141;
	EXPECT_KERNEL_STOP(kmem_cache_shrink(c));
	spin_unlock(&c->nodelists[0]->list_lock);	/* the drain stopped under it */
	local_irq_enable();
	assert_reported("free_block", "slab bookkeeping overwritten", q, "h-64");
}

/* mm_check reads every entry: a handed-out object marked cached is a problem. */
static void mm_check_reads_the_entries(void **state)
{
	struct kmem_cache *c = boot_h64("ram=64M cpus=1 slab_harden=on");
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	struct slab *s = virt_to_slab(p);
	unsigned int i = obj_to_index(c, s, p);

	struct seq_file report;

	slab_bufctl(s)[i] = bufctl_tag(s, i, BUFCTL_H_CACHED);
	seq_init(&report);
	assert_int_equal(mm_check(&report), 1);
	assert_non_null(strstr(report.buf, "slab: h-64: 2 objects marked cached, the arrays hold 1"));
	seq_release(&report);
	slab_bufctl(s)[i] = bufctl_tag(s, i, BUFCTL_H_ACTIVE);
	assert_mm_check();
}

/*
 * Random kmalloc/kfree (sizes 8-4096, up to 300 live) with misuse
 * injected: every double free and interior free stops, and no object is
 * ever handed out while it is live.  Double frees are injected only in
 * size-192 and up: a freed size-64 or size-128 object may come back as an
 * off-slab descriptor, which a second free would then really free.
 */
static void random_misuse_never_hands_out_twice(void **state)
{
	enum { MAX_LIVE = 300, STEPS = 20000 };
	void *live[MAX_LIVE], *freed[64];
	int nr_live = 0, nr_freed = 0;
	volatile int stops = 0;

	boot_h64("ram=64M cpus=2 slab_harden=on");
	for (int step = 0; step < STEPS; step++) {
		unsigned int r = random32() % 100;

		if (r < 3 && nr_freed) {
			void *p = freed[random32() % nr_freed];

			EXPECT_KERNEL_STOP(kfree(p));
			stops++;
		} else if (r < 5 && nr_live) {
			EXPECT_KERNEL_STOP(kfree((char *)live[random32() % nr_live] + 8));
			stops++;
		} else if (r < 50 && nr_live < MAX_LIVE) {
			void *p = kmalloc(8 + random32() % 4089, GFP_KERNEL);

			assert_non_null(p);
			for (int i = 0; i < nr_live; i++)
				assert_ptr_not_equal(live[i], p);
			/* Handed out again: no longer freed. */
			for (int i = 0; i < nr_freed; i++)
				if (freed[i] == p)
					freed[i--] = freed[--nr_freed];
			live[nr_live++] = p;
		} else if (nr_live) {
			int i = random32() % nr_live;

			kfree(live[i]);
			if (ksize(live[i]) < 192)
				;
			else if (nr_freed < 64)
				freed[nr_freed++] = live[i];
			else
				freed[random32() % 64] = live[i];
			live[i] = live[--nr_live];
		}
	}
	assert_int_equal(nr_reports, stops);
	assert_true(stops > 100);
	while (nr_live)
		kfree(live[--nr_live]);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(off_by_default, teardown_machine),
		cmocka_unit_test_teardown(entries_say_where_objects_are, teardown_machine),
		cmocka_unit_test_teardown(default_and_command_line, teardown_machine),
		cmocka_unit_test_teardown(double_free_immediate, teardown_machine),
		cmocka_unit_test_teardown(double_free_in_a_debug_cache, teardown_machine),
		cmocka_unit_test_teardown(double_free_after_the_arrays, teardown_machine),
		cmocka_unit_test_teardown(double_free_in_an_alien_array, teardown_machine),
		cmocka_unit_test_teardown(invalid_pointers, teardown_machine),
		cmocka_unit_test_teardown(overwritten_bookkeeping, teardown_machine),
		cmocka_unit_test_teardown(overwritten_entry_in_the_array, teardown_machine),
		cmocka_unit_test_teardown(mm_check_reads_the_entries, teardown_machine),
		cmocka_unit_test_teardown(random_misuse_never_hands_out_twice, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
