/*
 * cmd_pages.c - the page allocator in scenarios: its commands and the two
 * kinds of value they make.
 *
 *   p = alloc_pages [order=N] [gfp=FLAGS] [node=N] [cpu=N]   a block of pages
 *   free_pages $p [order=N] [cpu=N]      (a pool: [every=N] [offset=K] [random=PCT])
 *   drain [cpu=N|all]
 *   pool = fill [order=N] [gfp=FLAGS] [node=N] [leave=PAGES] [pages=PAGES]   a pool of blocks
 *   pool = fragment [pages=N] [movable=PCT] [free=movable|PCT]
 *
 * The bulk workloads themselves are in workload.c, shared with the tests
 * and benchmarks.
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include "tools/kmm/command.h"
#include "tools/kmm/page_values.h"
#include "tools/kmm/process_cmd.h"
#include "tools/kmm/workload.h"

/* ---- a block of pages ---- */

static bool block_holds(const void *data)
{
	return ((const struct page_value *)data)->page != NULL;
}

#define BLOCK(data)	((const struct page_value *)(data))

static int block_ok(const void *d, long long *out, char *err, size_t n)
{
	*out = BLOCK(d)->page != NULL;
	return 0;
}

static int block_pfn(const void *d, long long *out, char *err, size_t n)
{
	*out = page_to_pfn(BLOCK(d)->page);
	return 0;
}

static int block_order(const void *d, long long *out, char *err, size_t n)
{
	*out = BLOCK(d)->order;
	return 0;
}

static int block_pages(const void *d, long long *out, char *err, size_t n)
{
	*out = 1LL << BLOCK(d)->order;
	return 0;
}

static int block_zone(const void *d, long long *out, char *err, size_t n)
{
	*out = page_zonenum(BLOCK(d)->page);
	return 0;
}

static int block_node(const void *d, long long *out, char *err, size_t n)
{
	*out = page_to_nid(BLOCK(d)->page);
	return 0;
}

static int block_count(const void *d, long long *out, char *err, size_t n)
{
	*out = page_count(BLOCK(d)->page);
	return 0;
}

static int block_flags(const void *d, long long *out, char *err, size_t n)
{
	*out = BLOCK(d)->page->flags & ((1UL << NR_PAGEFLAGS) - 1);
	return 0;
}

static int block_phys(const void *d, long long *out, char *err, size_t n)
{
	*out = page_to_phys(BLOCK(d)->page);
	return 0;
}

static void block_format(const void *d, char *buf, size_t size)
{
	if (BLOCK(d)->page)
		snprintf(buf, size, "pfn 0x%lx order %u", page_to_pfn(BLOCK(d)->page),
			 BLOCK(d)->order);
	else
		snprintf(buf, size, "NULL");
}

static void block_show(FILE *out, const char *word, const void *d)
{
	struct page *p = BLOCK(d)->page;

	if (!p) {
		fprintf(out, "%s: NULL\n", word);
		return;
	}
	fprintf(out, "%s: pfn 0x%lx order %u node %d zone %s count %d mapcount %d flags 0x%lx\n",
		word, page_to_pfn(p), BLOCK(d)->order, page_to_nid(p), page_zone(p)->name,
		page_count(p), page_mapcount(p), p->flags & ((1UL << NR_PAGEFLAGS) - 1));
}

const struct value_type page_block = {
	.name = "page",
	.noun = "a block of pages",
	.made_by = "alloc_pages",
	.size = sizeof(struct page_value),
	.fields = (const struct value_field[]){
		{ "ok", block_ok, true }, { "pfn", block_pfn }, { "order", block_order },
		{ "pages", block_pages }, { "zone", block_zone }, { "node", block_node },
		{ "count", block_count }, { "flags", block_flags }, { "phys", block_phys },
		{ NULL } },
	.holds = block_holds,
	.empty = "holds no page (the allocation failed)",
	.format = block_format,
	.show = block_show,
};

struct pool_block page_value_block(const struct value *v)
{
	const struct page_value *b = value_as(v, &page_block);

	return b ? (struct pool_block){ b->page, b->order } : (struct pool_block){ NULL, 0 };
}

/* ---- a pool of blocks ---- */

#define POOL(data)	((const struct wl_pool *)(data))

static int pool_blocks(const void *d, long long *out, char *err, size_t n)
{
	*out = POOL(d)->nr_blocks;
	return 0;
}

static int pool_pages(const void *d, long long *out, char *err, size_t n)
{
	*out = 0;
	for (size_t i = 0; i < POOL(d)->nr_blocks; i++)
		*out += POOL(d)->blocks[i].page ? 1LL << POOL(d)->blocks[i].order : 0;
	return 0;
}

static void pool_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "pool of %zu blocks", POOL(d)->nr_blocks);
}

static void pool_release(void *d)
{
	free(((struct wl_pool *)d)->blocks);
}

const struct value_type page_pool = {
	.name = "page_pool",
	.noun = "a pool of blocks",
	.made_by = "fill, fragment",
	.size = sizeof(struct wl_pool),
	.fields = (const struct value_field[]){
		{ "blocks", pool_blocks, true }, { "pages", pool_pages, true }, { NULL } },
	.format = pool_format,
	.release = pool_release,
};

/* ---- commands ---- */

static int cmd_alloc_pages(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned int order = arg_num(a, "order");
	struct page *page = alloc_pages_node(arg_num(a, "node"), arg_num(a, "gfp"), order);
	struct page_value *v = rt_result(rt, c, &page_block);

	if (v) {
		v->page = page;
		v->order = order;
	}
	return 0;
}

static int cmd_free_pages(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct page_value *block = arg_data(a, "variable", &page_block);
	struct wl_pool *pool = arg_data(a, "variable", &page_pool);

	if (block)
		__free_pages(block->page, arg_given(a, "order") ? arg_num(a, "order") : block->order);
	else
		wl_pool_free(pool, arg_num(a, "every"), arg_num(a, "offset"), arg_num(a, "random"));
	return 0;
}

/* drain cpu=N runs drain_local_pages() there, as Linux's IPI would. */
static int cmd_drain(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const struct arg_val *cpu = arg(a, "cpu");

	if (!cpu->given || cpu->word == 0)
		drain_all_pages();
	else
		smp_call_function_single((int)cpu->num, drain_local_pages, NULL, 1);
	return 0;
}

/*
 * fill: with ADDR LEN BYTE, a process's memory written (the name
 * for memset, so that the two read alike); else the page allocator's.
 */
static int cmd_fill(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct wl_pool *pool;

	if (arg_given(a, "addr")) {
		if (!arg_given(a, "byte"))
			return rt_error(rt, c, "fill: ADDR LEN BYTE: the length and the byte are missing");
		if (c->assign)
			return rt_error(rt, c, "fill ADDR LEN BYTE gives no value");
		return process_cmd_fill(rt, c, (unsigned long)arg_num(a, "addr"),
					(unsigned long)arg_num(a, "len"), (int)arg_num(a, "byte"));
	}
	pool = rt_assign(rt, c->assign ? c->assign : "_fill", &page_pool);

	wl_fill(pool, arg_num(a, "gfp"), arg_num(a, "order"), arg_num(a, "node"),
		arg_num(a, "leave"), arg_num(a, "pages"));
	return 0;
}

static int cmd_fragment(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct wl_pool *pool = rt_assign(rt, c->assign ? c->assign : "_fragment", &page_pool);
	const struct arg_val *free_arg = arg(a, "free");

	wl_fragment(pool, arg_num(a, "pages"), arg_num(a, "movable"),
		    free_arg->word == 0 ? -1 : free_arg->num);
	return 0;
}

#define FILL_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)
#define COUNT_MAX	(1LL << 30)

static const struct value_type *const page_or_pool[] = { &page_block, &page_pool, NULL };
static const char *const all_word[] = { "all", NULL };
static const char *const movable_word[] = { "movable", NULL };

const struct command_def page_commands[] = {
	{ "alloc_pages", "allocate 2^order pages (NAME holds NULL if it fails)",
	  (const struct arg_def[]){
		  { "order", &arg_number, ARG_RANGE, .min = 0, .max = 63,
		    .help = "the block is 2^order pages; from MAX_ORDER on the kernel refuses",
		    .def_text = "0" },
		  { "gfp", &arg_gfp, .def = GFP_KERNEL, .def_text = "GFP_KERNEL" },
		  { "node", &arg_node, .def = -1, .help = "allocate from this node: alloc_pages_node",
		    .def_text = "the CPU's node" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "NAME", .gives = &page_block, .machine = true,
	  .run = cmd_alloc_pages },
	{ "free_pages", "free a block (its own order unless order= says otherwise), or blocks of a pool",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED | ARG_PRESENT, .meta = "$NAME",
		    .kinds = page_or_pool, .help = "the block or pool" },
		  { "order", &arg_order, .help = "a block: free it as this order (a wrong one is reported as Linux reports a bad page)",
		    .def_text = "the block's own" },
		  { "every", &arg_number, ARG_RANGE, .min = 0, .max = COUNT_MAX,
		    .help = "a pool: free every Nth block", .def_text = "all of them" },
		  { "offset", &arg_number, ARG_RANGE, .min = 0, .max = COUNT_MAX, .meta = "K",
		    .help = "a pool, with every=: starting at the Kth", .def_text = "0" },
		  { "random", &arg_number, ARG_RANGE, .def = -1, .min = 0, .max = 100, .meta = "PCT",
		    .help = "a pool: free a random PCT percent of the blocks" },
		  { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_free_pages },
	{ "drain", "empty per-CPU page lists into the buddy allocator",
	  (const struct arg_def[]){
		  { "cpu", &arg_cpu, .meta = "N|all", .words = all_word,
		    .help = "the CPU whose lists to drain (drain_local_pages there), or all (drain_all_pages)",
		    .def_text = "all" },
		  { NULL } },
	  .machine = true, .run = cmd_drain },
	{ "fill", "allocate blocks until only leave= pages are free, pages= are taken, or allocation fails; fill ADDR LEN BYTE: write a process's memory",
	  (const struct arg_def[]){
		  { "addr", &arg_flags, ARG_POS, .meta = "ADDR", .help = "in a process: the user address to write" },
		  { "len", &arg_flags, ARG_POS, .meta = "LEN", .help = "in a process: bytes" },
		  { "byte", &arg_number, ARG_POS | ARG_RANGE, .min = 0, .max = 255, .meta = "BYTE",
		    .help = "in a process: the value of each byte" },
		  { "order", &arg_order, .help = "the blocks' order", .def_text = "0" },
		  { "gfp", &arg_gfp, .def = FILL_GFP, .def_text = "GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN" },
		  { "node", &arg_node, .def = -1, .def_text = "the CPU's node" },
		  { "leave", &arg_number, .meta = "PAGES", .help = "stop when this many pages are free",
		    .def_text = "0" },
		  { "pages", &arg_number, .def = -1, .meta = "PAGES",
		    .help = "stop when this many pages were taken", .def_text = "no limit" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "POOL", .gives = &page_pool, .machine = true,
	  .run = cmd_fill },
	{ "fragment", "allocate single pages, movable and unmovable mixed at random, then free the movable ones (default) or a random share",
	  (const struct arg_def[]){
		  { "pages", &arg_number, .def = -1, .help = "pages to allocate",
		    .def_text = "until memory runs out" },
		  { "movable", &arg_number, ARG_RANGE, .def = 50, .min = 0, .max = 100, .meta = "PCT",
		    .help = "the chance that a page is movable", .def_text = "50" },
		  { "free", &arg_number, ARG_RANGE, .def = -1, .min = 0, .max = 100,
		    .meta = "movable|PCT", .words = movable_word,
		    .help = "then free the movable pages, or a random PCT percent of all",
		    .def_text = "movable" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "POOL", .gives = &page_pool, .machine = true,
	  .run = cmd_fragment },
	{ NULL },
};
