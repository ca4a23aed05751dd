/*
 * page_bench.c - the page allocator's costs, with mimalloc side by side.
 *
 *   order-0 pair     alloc_pages(GFP_KERNEL, 0) + __free_pages(): the
 *                    per-CPU list fast path, one page in and out;
 *                    peer: mi_malloc_aligned(4096, 4096) + mi_free
 *   order-0 x64      64 pages out, then 64 back (still within pcp->high)
 *   bulk 1024        1024 pages out then back: the lists refill from the
 *                    buddy lists (rmqueue_bulk) and spill back
 *                    (free_pcppages_bulk) a batch at a time
 *   buddy order N    rmqueue_buddy/free_buddy: the buddy lists alone, a
 *                    split down from the smallest larger block and the
 *                    merge back up
 *   api order N      alloc_pages/__free_pages for N >= 1: zonelist walk,
 *                    watermark check and the buddy lists
 *
 * The machine runs in parallel mode (what C callers use), on the release
 * build (debug checks compiled away).
 */
#include <stdlib.h>

#include <mimalloc.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include "bench/bench.h"
#include "mm/internal.h"

static void kmm_pair(void *arg, long n)
{
	for (long i = 0; i < n; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, 0);

		__free_pages(p, 0);
	}
}

static void mi_pair(void *arg, long n)
{
	for (long i = 0; i < n; i++) {
		void *p = mi_malloc_aligned(4096, 4096);

		mi_free(p);
	}
}

struct batch {
	int k;
	void *slots[1024];
};

/* n counts pages, in rounds of k. */
static void kmm_batch(void *arg, long n)
{
	struct batch *b = arg;

	for (long done = 0; done < n; done += b->k) {
		for (int i = 0; i < b->k; i++)
			b->slots[i] = alloc_pages(GFP_KERNEL, 0);
		for (int i = 0; i < b->k; i++)
			__free_pages(b->slots[i], 0);
	}
}

static void mi_batch(void *arg, long n)
{
	struct batch *b = arg;

	for (long done = 0; done < n; done += b->k) {
		for (int i = 0; i < b->k; i++)
			b->slots[i] = mi_malloc_aligned(4096, 4096);
		for (int i = 0; i < b->k; i++)
			mi_free(b->slots[i]);
	}
}

struct order_arg {
	struct zone *zone;
	unsigned int order;
};

static void buddy_pair(void *arg, long n)
{
	struct order_arg *a = arg;

	for (long i = 0; i < n; i++)
		free_buddy(rmqueue_buddy(a->zone, a->order, MIGRATE_MOVABLE), a->order);
}

static void api_pair(void *arg, long n)
{
	struct order_arg *a = arg;

	for (long i = 0; i < n; i++)
		__free_pages(alloc_pages(GFP_HIGHUSER_MOVABLE, a->order), a->order);
}

static void ratio_note(char *buf, size_t size, const struct bench_stat *k,
		       const struct bench_stat *peer, const char *who)
{
	snprintf(buf, size, "%s %.1f ns; kmm/%s = %.2f", who, peer->median, who,
		 k->median / peer->median);
}

void bench_page_alloc(void)
{
	static struct batch b;
	struct bench_stat k, m;
	char name[64], note[96];

	if (kmm_boot("ram=2G cpus=2", 0)) {
		fprintf(stderr, "kmm_bench: boot failed: %s\n", kmm_error_msg());
		exit(1);
	}

	bench_header("page allocator: order-0 through the per-CPU lists (ns per alloc+free)");
	bench_compare(kmm_pair, NULL, &k, mi_pair, NULL, &m);
	ratio_note(note, sizeof(note), &k, &m, "mimalloc");
	bench_row("page", "order-0 pair (kmm)", &k, "ns", note);
	bench_row("page", "order-0 pair (mimalloc 4K aligned)", &m, "ns", "");
	for (int kk = 64; kk <= 1024; kk *= 16) {
		b.k = kk;
		bench_compare(kmm_batch, &b, &k, mi_batch, &b, &m);
		ratio_note(note, sizeof(note), &k, &m, "mimalloc");
		snprintf(name, sizeof(name), "%s %d out, %d back (kmm, per page)",
			 kk > 64 ? "bulk" : "order-0", kk, kk);
		bench_row("page", name, &k, "ns", note);
		snprintf(name, sizeof(name), "%s %d out, %d back (mimalloc)", kk > 64 ? "bulk" : "order-0",
			 kk, kk);
		bench_row("page", name, &m, "ns", "");
	}

	bench_header("page allocator: buddy lists alone, and the whole API (ns per alloc+free)");
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		struct order_arg a = { &NODE_DATA(0)->node_zones[ZONE_DMA32], o };
		struct bench_stat s;

		s = bench_measure(buddy_pair, &a);
		snprintf(name, sizeof(name), "buddy order %u", o);
		bench_row("page", name, &s, "ns", "rmqueue_buddy + free_buddy");
		if (o) {
			s = bench_measure(api_pair, &a);
			snprintf(name, sizeof(name), "api order %u", o);
			bench_row("page", name, &s, "ns", "alloc_pages + __free_pages");
		}
	}
	kmm_shutdown();
}
