/*
 * cmd_highmem.c - kernel mappings of pages in scenarios: kmap's pkmap
 * window and kmap_atomic's per-CPU slots.
 *
 *   K = kmap $P [page=I] [cpu=N]          page I of block $P (may sleep: every
 *                                         pkmap entry taken); a pool: each block
 *   kunmap $P [page=I] [cpu=N]            ($P a block, a pool or a kmap value)
 *   A = kmap_atomic $P [page=I] [type=KM_USER0] [cpu=N]
 *   kunmap_atomic $A [cpu=N]              on the CPU that mapped it
 *
 * The kinds: `kmap` (addr as Linux shows it, its pkmap entry and that
 * entry's count now, pfn, highmem) and `kmap_atomic` (addr, type, cpu, the
 * fixmap index, pfn, held).  On x86_64 and for lowmem pages the address
 * is the direct map's and there is no entry (-1).  Everything is read
 * through <kmm/highmem.h>: page_address(), kmap_pkmap_nr(),
 * kmap_pkmap_count().
 *
 * kmap_atomic leaves the script's task atomic until kunmap_atomic, as in
 * the kernel: a command that sleeps meanwhile is reported ("sleeping
 * function called from invalid context").  So neither runs as a task
 * serving task= commands, which sleeps between them.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/highmem.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include <kmm/asm/fixmap.h>
#include "tools/kmm/command.h"
#include "tools/kmm/page_values.h"
#include "tools/kmm/workload.h"

static const char *const km_names[KM_TYPE_NR + 1] = {
	"KM_BOUNCE_READ", "KM_SKB_SUNRPC_DATA", "KM_SKB_DATA_SOFTIRQ", "KM_USER0", "KM_USER1",
	"KM_BIO_SRC_IRQ", "KM_BIO_DST_IRQ", "KM_PTE0", "KM_PTE1", "KM_IRQ0", "KM_IRQ1",
	"KM_SOFTIRQ0", "KM_SOFTIRQ1", "KM_SYNC_ICACHE", "KM_SYNC_DCACHE", "KM_UML_USERCOPY",
	"KM_IRQ_PTE", "KM_NMI", "KM_NMI_PTE", NULL,
};

static int addr_width(void)
{
	return arch->bits / 4;
}

/* ---- kmap values ---- */

struct kmap_value {
	struct page *page;
	void *addr;			/* what kmap returned */
	int slot;			/* its pkmap entry, or -1 (the direct map) */
};

extern const struct value_type kmap_kind, kmap_atomic_kind;

#define KV(d)	((const struct kmap_value *)(d))

static int kmap_addr(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)kaddr_to_linux(KV(d)->addr);
	return 0;
}

static int kmap_slot(const void *d, long long *out, char *err, size_t n)
{
	*out = KV(d)->slot;
	return 0;
}

/* The entry's count now: it changes with every kmap and kunmap of the page, and at the wrap. */
static int kmap_count(const void *d, long long *out, char *err, size_t n)
{
	*out = KV(d)->slot < 0 ? 0 : kmap_pkmap_count((unsigned int)KV(d)->slot);
	return 0;
}

static int kmap_pfn(const void *d, long long *out, char *err, size_t n)
{
	*out = page_to_pfn(KV(d)->page);
	return 0;
}

static int kmap_highmem(const void *d, long long *out, char *err, size_t n)
{
	*out = PageHighMem(KV(d)->page);
	return 0;
}

/* Does the page still have this address (kmapped, or kunmapped but not yet flushed)? */
static int kmap_mapped(const void *d, long long *out, char *err, size_t n)
{
	*out = page_address(KV(d)->page) == KV(d)->addr;
	return 0;
}

static void kmap_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%0*llx", addr_width(),
		 (unsigned long long)kaddr_to_linux(KV(d)->addr));
}

static void kmap_show(FILE *out, const char *word, const void *d)
{
	const struct kmap_value *k = d;

	fprintf(out, "%s: %0*llx pfn 0x%lx", word, addr_width(),
		(unsigned long long)kaddr_to_linux(k->addr), page_to_pfn(k->page));
	if (k->slot < 0)
		fprintf(out, " direct map\n");
	else
		fprintf(out, " pkmap entry %d count %d\n", k->slot,
			kmap_pkmap_count((unsigned int)k->slot));
}

const struct value_type kmap_kind = {
	.name = "kmap",
	.noun = "a kmap",
	.made_by = "kmap",
	.size = sizeof(struct kmap_value),
	.fields = (const struct value_field[]){
		{ "addr", kmap_addr }, { "slot", kmap_slot }, { "count", kmap_count },
		{ "pfn", kmap_pfn }, { "highmem", kmap_highmem }, { "mapped", kmap_mapped },
		{ NULL } },
	.format = kmap_format,
	.show = kmap_show,
};

/* ---- kmap_atomic values ---- */

struct kmap_atomic_value {
	struct page *page;
	void *addr;
	int type, cpu;
	bool held;			/* until kunmap_atomic */
};

#define AV(d)	((const struct kmap_atomic_value *)(d))

static int katomic_addr(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)kaddr_to_linux(AV(d)->addr);
	return 0;
}

static int katomic_type(const void *d, long long *out, char *err, size_t n)
{
	*out = AV(d)->type;
	return 0;
}

static int katomic_cpu(const void *d, long long *out, char *err, size_t n)
{
	*out = AV(d)->cpu;
	return 0;
}

/* The slot's fixmap index (FIX_KMAP_BEGIN + type + KM_TYPE_NR * cpu); -1: the direct map. */
static int katomic_idx(const void *d, long long *out, char *err, size_t n)
{
	*out = PageHighMem(AV(d)->page) ? FIX_KMAP_BEGIN + AV(d)->type + KM_TYPE_NR * AV(d)->cpu
					: -1;
	return 0;
}

static int katomic_pfn(const void *d, long long *out, char *err, size_t n)
{
	*out = page_to_pfn(AV(d)->page);
	return 0;
}

static int katomic_held(const void *d, long long *out, char *err, size_t n)
{
	*out = AV(d)->held;
	return 0;
}

static void katomic_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%0*llx", addr_width(),
		 (unsigned long long)kaddr_to_linux(AV(d)->addr));
}

static void katomic_show(FILE *out, const char *word, const void *d)
{
	const struct kmap_atomic_value *k = d;

	fprintf(out, "%s: %0*llx pfn 0x%lx %s CPU %d", word, addr_width(),
		(unsigned long long)kaddr_to_linux(k->addr), page_to_pfn(k->page),
		km_names[k->type], k->cpu);
	if (PageHighMem(k->page))
		fprintf(out, " fixmap %d", FIX_KMAP_BEGIN + k->type + KM_TYPE_NR * k->cpu);
	else
		fprintf(out, " direct map");
	fprintf(out, "%s\n", k->held ? "" : " (unmapped)");
}

const struct value_type kmap_atomic_kind = {
	.name = "kmap_atomic",
	.noun = "a kmap_atomic",
	.made_by = "kmap_atomic",
	.size = sizeof(struct kmap_atomic_value),
	.fields = (const struct value_field[]){
		{ "addr", katomic_addr }, { "type", katomic_type }, { "cpu", katomic_cpu },
		{ "idx", katomic_idx }, { "pfn", katomic_pfn }, { "held", katomic_held },
		{ NULL } },
	.format = katomic_format,
	.show = katomic_show,
};

/* ---- commands ---- */

/* Page page= of the block variable, checked against its size; NULL reported. */
static struct page *block_page(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
			       const struct page_value *b)
{
	long long i = arg_num(a, "page");

	if (i >= (1LL << b->order))
		return rt_error(rt, c, "%s: page=%lld: the block has %d pages", c->def->name, i,
				1 << b->order), NULL;
	return b->page + i;
}

static int cmd_kmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct page_value *b = arg_data(a, "variable", &page_block);
	struct wl_pool *pool = arg_data(a, "variable", &page_pool);
	struct kmap_value *k;
	struct page *page;
	void *addr;

	if (pool) {
		if (c->assign)
			return rt_error(rt, c,
					"kmap: a pool's kmaps give no value (map one block for one)");
		for (size_t i = 0; i < pool->nr_blocks; i++)
			if (pool->blocks[i].page)
				kmap(pool->blocks[i].page);
		return 0;
	}
	page = block_page(rt, c, a, b);
	if (!page)
		return -1;
	addr = kmap(page);
	k = rt_result(rt, c, &kmap_kind);
	if (k) {
		k->page = page;
		k->addr = addr;
		k->slot = kmap_pkmap_nr(page);
	}
	return 0;
}

static int cmd_kunmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct page_value *b = arg_data(a, "variable", &page_block);
	struct wl_pool *pool = arg_data(a, "variable", &page_pool);
	struct kmap_value *k = arg_data(a, "variable", &kmap_kind);
	struct page *page;

	if (pool) {
		for (size_t i = 0; i < pool->nr_blocks; i++)
			if (pool->blocks[i].page)
				kunmap(pool->blocks[i].page);
		return 0;
	}
	page = k ? k->page : block_page(rt, c, a, b);
	if (!page)
		return -1;
	kunmap(page);
	return 0;
}

static int cmd_kmap_atomic(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct page_value *b = arg_data(a, "variable", &page_block);
	const struct arg_val *t = arg(a, "type");
	int type = t->word >= 0 ? t->word : (int)t->num;
	struct kmap_atomic_value *k;
	struct page *page = block_page(rt, c, a, b);
	void *addr;

	if (!page)
		return -1;
	addr = kmap_atomic(page, type);
	k = rt_result(rt, c, &kmap_atomic_kind);
	if (k) {
		k->page = page;
		k->addr = addr;
		k->type = type;
		k->cpu = smp_processor_id();
		k->held = true;
	}
	return 0;
}

static int cmd_kunmap_atomic(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct kmap_atomic_value *k = arg_data(a, "variable", &kmap_atomic_kind);
	const char *name = arg(a, "variable")->written;

	if (!k->held)
		return rt_error(rt, c, "kunmap_atomic: %s is unmapped already", name);
	if (k->cpu != smp_processor_id())
		return rt_error(rt, c,
				"kunmap_atomic: %s is CPU %d's slot, this is CPU %d (give cpu=%d)",
				name, k->cpu, smp_processor_id(), k->cpu);
	kunmap_atomic(k->addr, k->type);
	k->held = false;
	return 0;
}

static const struct value_type *const page_pool_or_kmap[] = { &page_block, &page_pool, &kmap_kind,
							       NULL };
static const struct value_type *const page_or_pool[] = { &page_block, &page_pool, NULL };
static const struct value_type *const page_only[] = { &page_block, NULL };
static const struct value_type *const atomic_only[] = { &kmap_atomic_kind, NULL };

#define ARG_PAGE_INDEX	{ "page", &arg_number, ARG_RANGE, .min = 0, .max = (1LL << 30),	\
			  .meta = "I", .help = "which page of the block", .def_text = "0, the first" }

const struct command_def highmem_commands[] = {
	{ "kmap", "map a page (highmem: an entry of the pkmap window, sleeping while none is free), or each block of a pool",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED | ARG_PRESENT, .meta = "$P",
		    .kinds = page_or_pool, .help = "the block (or pool) whose page to map" },
		  ARG_PAGE_INDEX, { NULL } },
	  .contexts = CTX_CPU, .result = "K", .gives = &kmap_kind, .machine = true,
	  .run = cmd_kmap },
	{ "kunmap", "drop a kmap of a page (of each block of a pool)",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED | ARG_PRESENT, .meta = "$P",
		    .kinds = page_pool_or_kmap, .help = "the block, pool or kmap" },
		  ARG_PAGE_INDEX, { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_kunmap },
	{ "kmap_atomic", "map a page in this CPU's slot of a km_type (never sleeps; the task is atomic until kunmap_atomic)",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED | ARG_PRESENT, .meta = "$P",
		    .kinds = page_only, .help = "the block whose page to map" },
		  ARG_PAGE_INDEX,
		  { "type", &arg_number, ARG_RANGE, .def = KM_USER0, .min = 0,
		    .max = KM_TYPE_NR - 1, .meta = "KM_...", .words = km_names, .def_text = "KM_USER0",
		    .help = "the slot's km_type: KM_USER0, KM_USER1, KM_IRQ0... (or its number)" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "A", .gives = &kmap_atomic_kind, .machine = true,
	  .not_as_task = true, .run = cmd_kmap_atomic },
	{ "kunmap_atomic", "undo a kmap_atomic, on the CPU that made it",
	  (const struct arg_def[]){
		  { "variable", &arg_var, ARG_POS | ARG_REQUIRED | ARG_PRESENT, .meta = "$A",
		    .kinds = atomic_only, .help = "the kmap_atomic" },
		  { NULL } },
	  .contexts = CTX_CPU, .machine = true, .not_as_task = true, .run = cmd_kunmap_atomic },
	{ NULL },
};
