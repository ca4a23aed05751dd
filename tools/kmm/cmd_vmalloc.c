/*
 * cmd_vmalloc.c - the vmalloc area in scenarios (include/kmm/vmalloc.h):
 *
 *   V = vmalloc SIZE [node=N] [gfp=FLAGS] [cpu=N]     vfree $V
 *   M = vmap $P                  (a block or a pool of blocks)     vunmap $M
 *   IO = ioremap PHYS SIZE                                         iounmap $IO
 *   vm_unmap_aliases             (purge the lazily freed ranges now)
 *
 * Each makes a value of kind vm_area: what /proc/vmallocinfo would show
 * of the area when it was made (its Linux address, its size with the guard
 * page, its pages), kept after the area is freed so that a script can
 * free it again and see the kernel's report.  The caller /proc/vmallocinfo
 * names for these areas is the script line (FILE:LINE).
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/vmalloc.h>
#include "tools/kmm/command.h"
#include "tools/kmm/workload.h"

/* ---- an area ---- */

enum vm_area_kind { VM_AREA_VMALLOC, VM_AREA_VMAP, VM_AREA_IOREMAP };

struct vm_area_value {
	void *ptr;			/* what the call returned (NULL: it failed) */
	enum vm_area_kind kind;
	unsigned long long addr;	/* the area's Linux address */
	unsigned long size;		/* the area's size, guard page included */
	unsigned int nr_pages;		/* pages mapped */
	unsigned long pfn;		/* the frame its first page maps */
	unsigned long long phys;	/* ioremap: the physical address asked for */
	unsigned long flags;		/* VM_* */
	bool freed;			/* vfree/vunmap/iounmap ran on it */
};

#define AREA(data)	((const struct vm_area_value *)(data))

static bool area_holds(const void *d)
{
	return AREA(d)->ptr != NULL;
}

static int area_ok(const void *d, long long *out, char *err, size_t n)
{
	*out = AREA(d)->ptr != NULL;
	return 0;
}

static int area_addr(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)AREA(d)->addr;
	return 0;
}

static int area_end(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)(AREA(d)->addr + AREA(d)->size);
	return 0;
}

static int area_size(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)AREA(d)->size;
	return 0;
}

static int area_pages(const void *d, long long *out, char *err, size_t n)
{
	*out = AREA(d)->nr_pages;
	return 0;
}

static int area_pfn(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)AREA(d)->pfn;
	return 0;
}

static int area_phys(const void *d, long long *out, char *err, size_t n)
{
	*out = (long long)AREA(d)->phys;
	return 0;
}

static int area_vpages(const void *d, long long *out, char *err, size_t n)
{
	*out = !!(AREA(d)->flags & VM_VPAGES);
	return 0;
}

static int area_freed(const void *d, long long *out, char *err, size_t n)
{
	*out = AREA(d)->freed;
	return 0;
}

static const char *const kind_names[] = {
	[VM_AREA_VMALLOC] = "vmalloc", [VM_AREA_VMAP] = "vmap", [VM_AREA_IOREMAP] = "ioremap",
};

static void area_format(const void *d, char *buf, size_t size)
{
	if (AREA(d)->ptr)
		snprintf(buf, size, "%llx", AREA(d)->addr);
	else
		snprintf(buf, size, "NULL");
}

static void area_show(FILE *out, const char *word, const void *d)
{
	const struct vm_area_value *v = d;

	if (!v->ptr) {
		fprintf(out, "%s: NULL (the allocation failed)\n", word);
		return;
	}
	if (!v->size) {
		fprintf(out, "%s: physical 0x%llx through the direct map at 0x%llx (the ISA range: no area)\n",
			word, v->phys, v->addr);
		return;
	}
	fprintf(out, "%s: %s area 0x%llx-0x%llx, %lu bytes with its guard page, %u pages",
		word, kind_names[v->kind], v->addr, v->addr + v->size, v->size, v->nr_pages);
	if (v->kind == VM_AREA_IOREMAP)
		fprintf(out, ", phys 0x%llx", v->phys);
	else
		fprintf(out, ", first pfn 0x%lx", v->pfn);
	fprintf(out, "%s%s\n", v->flags & VM_VPAGES ? ", pages array vmalloc'ed" : "",
		v->freed ? " (the script freed it)" : "");
}

const struct value_type vm_area_kind = {
	.name = "vm_area",
	.noun = "a vmalloc area",
	.made_by = "vmalloc, vmap, ioremap",
	.size = sizeof(struct vm_area_value),
	.fields = (const struct value_field[]){
		{ "ok", area_ok, true }, { "addr", area_addr }, { "end", area_end },
		{ "size", area_size }, { "pages", area_pages }, { "pfn", area_pfn },
		{ "phys", area_phys }, { "vpages", area_vpages }, { "freed", area_freed },
		{ NULL } },
	.holds = area_holds,
	.empty = "holds no area (the allocation failed)",
	.format = area_format,
	.show = area_show,
};

/* Record the area behind @ptr (what the call returned) in the command's result. */
static void give_area(struct runtime *rt, struct script_cmd *c, void *ptr,
		      enum vm_area_kind kind, unsigned long long phys)
{
	struct vm_area_value *v = rt_result(rt, c, &vm_area_kind);
	struct vm_struct *vm;

	if (!v)
		return;
	v->ptr = ptr;
	v->kind = kind;
	v->phys = phys;
	vm = ptr ? find_vm_area((void *)((unsigned long)ptr & PAGE_MASK)) : NULL;
	if (!vm) {
		/* ioremap of the ISA range: the direct map, no area. */
		v->addr = ptr ? kaddr_to_linux(ptr) : 0;
		return;
	}
	v->addr = kaddr_to_linux(vm->addr);
	v->size = vm->size;
	v->flags = vm->flags;
	v->nr_pages = kind == VM_AREA_VMALLOC ? vm->nr_pages : get_vm_area_size(vm) >> PAGE_SHIFT;
	v->pfn = vmalloc_to_pfn(vm->addr);
}

/* ---- commands ---- */

static int cmd_vmalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	void *p = __vmalloc_node(arg_num(a, "size"), 1, arg_num(a, "gfp"), PAGE_KERNEL,
				 arg_num(a, "node"), __builtin_return_address(0));

	give_area(rt, c, p, VM_AREA_VMALLOC, 0);
	return 0;
}

/*
 * Free the area; the value keeps its pointer so that a second free reaches
 * the kernel (which reports it).  vfree of a vmap area, or the reverse, is
 * a script error: the kernel would free pages it does not own, or leak; so
 * is a second free once the range went to another area.
 */
static int free_area(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		     enum vm_area_kind kind)
{
	struct vm_area_value *v = arg_data(a, "area", &vm_area_kind);

	if (v->kind != kind)
		return rt_error(rt, c, "%s: %s is a %s area", c->def->name,
				arg(a, "area")->written, kind_names[v->kind]);
	if (v->freed && v->size && find_vm_area((void *)((unsigned long)v->ptr & PAGE_MASK)))
		return rt_error(rt, c, "%s: %s was freed, and its range belongs to another area now (the kernel would free that one)",
				c->def->name, arg(a, "area")->written);
	if (kind == VM_AREA_VMALLOC)
		vfree(v->ptr);
	else if (kind == VM_AREA_VMAP)
		vunmap(v->ptr);
	else
		iounmap(v->ptr);
	v->freed = true;
	return 0;
}

static int cmd_vfree(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return free_area(rt, c, a, VM_AREA_VMALLOC);
}

static int cmd_vunmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return free_area(rt, c, a, VM_AREA_VMAP);
}

static int cmd_iounmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return free_area(rt, c, a, VM_AREA_IOREMAP);
}

extern const struct value_type page_block, page_pool;

/* The pages of a block (2^order of them) or of every block of a pool, in order. */
static struct page **pages_of(const struct value *var, unsigned int *count)
{
	const struct pool_block *blocks;
	struct pool_block one;
	size_t nr_blocks, n = 0;
	struct page **pages;

	if (var->type == &page_pool) {
		blocks = ((const struct wl_pool *)var->data)->blocks;
		nr_blocks = ((const struct wl_pool *)var->data)->nr_blocks;
	} else {
		one = page_value_block(var);
		blocks = &one;
		nr_blocks = 1;
	}
	for (size_t i = 0; i < nr_blocks; i++)
		n += blocks[i].page ? 1UL << blocks[i].order : 0;
	pages = malloc((n ? n : 1) * sizeof(*pages));
	if (!pages)
		return NULL;
	n = 0;
	for (size_t i = 0; i < nr_blocks; i++)
		for (unsigned long j = 0; blocks[i].page && j < 1UL << blocks[i].order; j++)
			pages[n++] = blocks[i].page + j;
	*count = n;
	return pages;
}

static int cmd_vmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned int count = 0;
	struct page **pages = pages_of(arg_value(a, "pages"), &count);
	void *p;

	if (!pages)
		return rt_error(rt, c, "vmap: out of host memory");
	if (!count) {
		free(pages);
		return rt_error(rt, c, "vmap: %s holds no pages", arg(a, "pages")->written);
	}
	p = vmap(pages, count, VM_MAP, PAGE_KERNEL);
	free(pages);
	give_area(rt, c, p, VM_AREA_VMAP, 0);
	return 0;
}

static int cmd_ioremap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long long phys = arg_num(a, "phys");
	void *p = ioremap(phys, arg_num(a, "size"));

	give_area(rt, c, p, VM_AREA_IOREMAP, phys);
	return 0;
}

static int cmd_vm_unmap_aliases(struct runtime *rt, struct script_cmd *c,
				const struct cmd_args *a)
{
	vm_unmap_aliases();
	return 0;
}

/* ---- the table ---- */

static const struct value_type *const area_kind[] = { &vm_area_kind, NULL };
static const struct value_type *const block_or_pool[] = { &page_block, &page_pool, NULL };

#define POS_REQ		(ARG_POS | ARG_REQUIRED)
#define ARG_AREA(m, what) { "area", &arg_var, POS_REQ | ARG_PRESENT, .meta = m, \
			    .kinds = area_kind, .help = what }

const struct command_def vmalloc_commands[] = {
	{ "vmalloc", "allocate SIZE bytes (rounded up to pages) of virtually contiguous memory, page by page (NAME holds NULL if it fails)",
	  (const struct arg_def[]){
		  { "size", &arg_size, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .help = "bytes; the area is one guard page larger" },
		  { "node", &arg_node, .def = -1, .help = "take the pages from this node: vmalloc_node",
		    .def_text = "the CPU's node" },
		  { "gfp", &arg_gfp, .def = GFP_KERNEL | __GFP_HIGHMEM,
		    .def_text = "GFP_KERNEL|__GFP_HIGHMEM" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "NAME", .gives = &vm_area_kind, .machine = true,
	  .run = cmd_vmalloc },
	{ "vfree", "free a vmalloc area: its pages now, its range at the next lazy purge",
	  (const struct arg_def[]){ ARG_AREA("$V", "the area vmalloc made"), { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_vfree },
	{ "vmap", "map the pages of a block, or of every block of a pool, into one range",
	  (const struct arg_def[]){
		  { "pages", &arg_var, POS_REQ | ARG_PRESENT, .meta = "$P", .kinds = block_or_pool,
		    .help = "the pages to map, in order" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "NAME", .gives = &vm_area_kind, .machine = true,
	  .run = cmd_vmap },
	{ "vunmap", "remove a vmap mapping (the pages stay allocated)",
	  (const struct arg_def[]){ ARG_AREA("$M", "the area vmap made"), { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_vunmap },
	{ "ioremap", "map physical memory that is not RAM in use (an e820 reserved range...) uncached",
	  (const struct arg_def[]){
		  { "phys", &arg_number, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .meta = "PHYS", .help = "the physical address" },
		  { "size", &arg_size, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .help = "bytes" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "NAME", .gives = &vm_area_kind, .machine = true,
	  .run = cmd_ioremap },
	{ "iounmap", "remove an ioremap mapping",
	  (const struct arg_def[]){ ARG_AREA("$IO", "the area ioremap made"), { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_iounmap },
	{ "vm_unmap_aliases", "give back every lazily freed range now, with one TLB flush", NULL,
	  .machine = true, .run = cmd_vm_unmap_aliases },
	{ NULL },
};
