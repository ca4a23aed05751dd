/*
 * antifrag_bench.c - the anti-fragmentation experiment, with grouping by
 * mobility on and off (the mobility_grouping= boot option).
 *
 * Single pages fill the machine, each movable or unmovable at random; then
 * either every movable page is freed (what reclaim and migration could
 * achieve) or a random half of all pages; then order-9 blocks (one
 * pageblock, a huge page) are asked for until none comes.  Reported: how
 * many came, against how many the free memory could hold at best.
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/vmstat.h>
#include "bench/bench.h"
#include "tools/kmm/workload.h"

struct outcome {
	long got, possible;
};

static struct outcome run(const char *cmdline, int movable_pct, int free_pct)
{
	struct wl_pool frag = { 0 }, huge = { 0 };
	struct outcome o;

	if (kmm_boot(cmdline, KMM_BOOT_DETERMINISTIC)) {
		fprintf(stderr, "kmm_bench: boot %s: %s\n", cmdline, kmm_error_msg());
		exit(1);
	}
	wl_fragment(&frag, -1, movable_pct, free_pct);
	o.possible = nr_free_pages() / 512;
	wl_fill(&huge, GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN, 9, -1, 0, -1);
	o.got = huge.nr_blocks;
	wl_pool_free(&huge, 0, 0, -1);
	wl_pool_free(&frag, 0, 0, -1);
	free(huge.blocks);
	free(frag.blocks);
	kmm_shutdown();
	return o;
}

void bench_antifrag(void)
{
	static const struct {
		const char *ram;
		int movable, free;	/* free < 0: every movable page */
	} cases[] = {
		{ "ram=256M", 50, -1 },
		{ "ram=1G", 50, -1 },
		{ "ram=1G", 80, -1 },
		{ "ram=1G", 50, 50 },
	};
	char name[96], cmd[96], note[128];

	printf("\n== anti-fragmentation: order-9 blocks obtained after fragmenting ==\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct outcome on, off;

		if (bench_quick && i > 0)
			break;
		snprintf(cmd, sizeof(cmd), "%s cpus=2 seed=5", cases[i].ram);
		on = run(cmd, cases[i].movable, cases[i].free);
		snprintf(cmd, sizeof(cmd), "%s cpus=2 seed=5 mobility_grouping=off", cases[i].ram);
		off = run(cmd, cases[i].movable, cases[i].free);
		if (cases[i].free < 0)
			snprintf(name, sizeof(name), "%s, %d%% movable, movable freed", cases[i].ram,
				 cases[i].movable);
		else
			snprintf(name, sizeof(name), "%s, %d%% movable, %d%% freed", cases[i].ram,
				 cases[i].movable, cases[i].free);
		snprintf(note, sizeof(note), "grouping on: %ld of %ld possible; off: %ld of %ld",
			 on.got, on.possible, off.got, off.possible);
		bench_row_value("antifrag", name, on.possible ? 100.0 * on.got / on.possible : 0, "%",
				note);
	}
}
