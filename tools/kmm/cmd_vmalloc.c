/*
 * cmd_vmalloc.c - the vmalloc area in scenarios (include/kmm/vmalloc.h):
 *
 *   V = vmalloc SIZE [node=N] [gfp=FLAGS] [call=vmalloc_user...]  vfree $V
 *   M = vmap $P                  (a block or a pool of blocks)     vunmap $M
 *   R = vm_map_ram $P [node=N]   (a CPU's vmap block, or a range)  vm_unmap_ram $R
 *   IO = ioremap PHYS SIZE                                         iounmap $IO
 *   vm_unmap_aliases             (purge the lazily freed ranges now)
 *   [N =] vread ADDR LEN         (the bytes, as /dev/kmem reads them: a CRC)
 *   [N =] vwrite ADDR BYTE LEN
 *   R = vbuf_mmap $V LEN ...     (/dev/vbuf: a process maps a vmalloc_user
 *                                 buffer, remap_vmalloc_range)
 *
 * Each makes a value of kind vm_area: what /proc/vmallocinfo would show
 * of the area when it was made (its Linux address, its size with the guard
 * page, its pages), kept after the area is freed so that a script can
 * free it again and see the kernel's report.  The caller /proc/vmallocinfo
 * names for these areas is the script line (FILE:LINE).
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/err.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/vbuf.h>
#include <kmm/vmalloc.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"
#include "tools/kmm/workload.h"

/* ---- an area ---- */

enum vm_area_kind { VM_AREA_VMALLOC, VM_AREA_VMAP, VM_AREA_IOREMAP, VM_AREA_RAM };

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
	[VM_AREA_RAM] = "vm_map_ram",
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
	fprintf(out, "%s: %s area 0x%llx-0x%llx, %lu bytes%s, %u pages",
		word, kind_names[v->kind], v->addr, v->addr + v->size, v->size,
		v->kind == VM_AREA_RAM ? " (no guard page)" : " with its guard page", v->nr_pages);
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
	.made_by = "vmalloc, vmap, vm_map_ram, ioremap",
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

/* call=: the vmalloc family's fixed-purpose calls, in vmalloc_calls' order. */
static const char *const vmalloc_calls[] = {
	"vmalloc_user", "vmalloc_32", "vmalloc_32_user", "vmalloc_exec", NULL,
};

static int cmd_vmalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long size = arg_num(a, "size");
	int call = arg(a, "call")->word;
	void *p;

	if (call >= 0 && (arg_given(a, "gfp") || arg_given(a, "node")))
		return rt_error(rt, c, "vmalloc: call=%s takes its own gfp mask and node (drop gfp= and node=)",
				vmalloc_calls[call]);
	switch (call) {
	case 0:
		p = vmalloc_user(size);
		break;
	case 1:
		p = vmalloc_32(size);
		break;
	case 2:
		p = vmalloc_32_user(size);
		break;
	case 3:
		p = vmalloc_exec(size);
		break;
	default:
		p = __vmalloc_node(size, 1, arg_num(a, "gfp"), PAGE_KERNEL, arg_num(a, "node"),
				   __builtin_return_address(0));
	}
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
	if (kind == VM_AREA_RAM && v->freed)
		return rt_error(rt, c, "vm_unmap_ram: %s was unmapped already (the kernel would BUG)",
				arg(a, "area")->written);
	if (kind == VM_AREA_VMALLOC)
		vfree(v->ptr);
	else if (kind == VM_AREA_VMAP)
		vunmap(v->ptr);
	else if (kind == VM_AREA_RAM)
		vm_unmap_ram(v->ptr, v->nr_pages);
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

static int cmd_vm_unmap_ram(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return free_area(rt, c, a, VM_AREA_RAM);
}

/* vm_map_ram has no vm_struct: the value is made from what the call was given. */
static int cmd_vm_map_ram(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned int count = 0;
	struct page **pages = pages_of(arg_value(a, "pages"), &count);
	struct vm_area_value *v;
	void *p;

	if (!pages)
		return rt_error(rt, c, "vm_map_ram: out of host memory");
	if (!count) {
		free(pages);
		return rt_error(rt, c, "vm_map_ram: %s holds no pages", arg(a, "pages")->written);
	}
	p = vm_map_ram(pages, count, (int)arg_num(a, "node"), PAGE_KERNEL);
	v = rt_result(rt, c, &vm_area_kind);
	if (v) {
		v->ptr = p;
		v->kind = VM_AREA_RAM;
		if (p) {
			v->addr = kaddr_to_linux(p);
			v->size = (unsigned long)count << PAGE_SHIFT;
			v->nr_pages = count;
			v->pfn = page_to_pfn(pages[0]);
		}
	} else if (p) {
		vm_unmap_ram(p, count);		/* nothing would remember it */
	}
	free(pages);
	return 0;
}

/* The host pointer of Linux address @addr in the vmalloc range; NULL (reported) if it is not. */
static char *vmalloc_range_ptr(struct runtime *rt, struct script_cmd *c, unsigned long long addr,
			       unsigned long long len)
{
	char *p = linux_to_kaddr(addr);

	if (!p || !is_vmalloc_addr(p) || (len && !is_vmalloc_addr(p + len - 1))) {
		rt_error(rt, c, "%s: [%#llx, %#llx) is not inside the vmalloc range", c->def->name,
			 addr, addr + len);
		return NULL;
	}
	return p;
}

/*
 * vread as /dev/kmem's reader calls it: LEN bytes from ADDR, holes read
 * as zeros.  The line shows the return, the bytes' CRC-32 and the first
 * ones; NAME = keeps the return.
 */
static int cmd_vread(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long long addr = (unsigned long long)arg_num(a, "addr");
	unsigned long len = (unsigned long)arg_num(a, "len");
	char *p = vmalloc_range_ptr(rt, c, addr, len);
	unsigned char *buf;
	long ret;

	if (!p)
		return -1;
	buf = calloc(len ? len : 1, 1);
	if (!buf)
		return rt_error(rt, c, "vread: out of host memory");
	ret = vread((char *)buf, p, len);
	fprintf(rt->out, "vread %#llx %lu: ret %ld, crc32 %#010x,", addr, len, ret,
		crc32_update(0xffffffffu, buf, len) ^ 0xffffffffu);
	for (unsigned long i = 0; i < len && i < 16; i++)
		fprintf(rt->out, " %02x", buf[i]);
	fprintf(rt->out, "%s\n", len > 16 ? " ..." : "");
	free(buf);
	if (c->assign)
		rt_give_num(rt, c, ret, "%lld\n");
	return 0;
}

static int cmd_vwrite(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long long addr = (unsigned long long)arg_num(a, "addr");
	unsigned long len = (unsigned long)arg_num(a, "len");
	char *p = vmalloc_range_ptr(rt, c, addr, len);
	char *buf;
	long ret;

	if (!p)
		return -1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return rt_error(rt, c, "vwrite: out of host memory");
	memset(buf, (int)arg_num(a, "byte"), len);
	ret = vwrite(buf, p, len);
	free(buf);
	rt_give_num(rt, c, ret, "%lld\n");
	return 0;
}

/*
 * The current process opens /dev/vbuf on the buffer $V and mmaps LEN
 * bytes of it from page PGOFF (MAP_SHARED, read and write, unless told):
 * the driver's ->mmap is remap_vmalloc_range.  The file is closed after
 * the call, as a program would: the VMA keeps it.
 */
static int cmd_vbuf_mmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct vm_area_value *v = arg_data(a, "area", &vm_area_kind);
	struct mm_struct *mm;
	struct file *file;
	long r;

	if (process_cmd_need(rt, c))
		return -1;
	if (v->kind != VM_AREA_VMALLOC || v->freed)
		return rt_error(rt, c, "vbuf_mmap: %s is not a live vmalloc area",
				arg(a, "area")->written);
	file = vbuf_open(v->ptr);
	if (!file) {
		give_syscall(rt, c, -ENOMEM);
		return 0;
	}
	mm = current->mm;
	down_write(&mm->mmap_sem);
	r = (long)do_mmap_pgoff(file, (unsigned long)arg_num(a, "addr"),
				(unsigned long)arg_num(a, "len"), (unsigned long)arg_num(a, "prot"),
				(unsigned long)arg_num(a, "flags"), (unsigned long)arg_num(a, "pgoff"));
	up_write(&mm->mmap_sem);
	fput(file);
	give_syscall(rt, c, r);
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
#define ARG_KADDR	{ "addr", &arg_number, POS_REQ, .meta = "ADDR", \
			  .help = "an address of the vmalloc range, as Linux shows it" }
#define ARG_KLEN	{ "len", &arg_size, POS_REQ | ARG_RANGE, .min = 0, .max = 1 << 24, \
			  .meta = "LEN", .help = "bytes (at most 16M)" }
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
		  { "call", &arg_word, .words = vmalloc_calls, .def_text = "__vmalloc_node",
		    .help = "vmalloc_user (zeroed, VM_USERMAP: mappable by a process), vmalloc_32, vmalloc_32_user or vmalloc_exec" },
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
	{ "vm_map_ram", "map the pages of a block or a pool quickly: a piece of this CPU's vmap block (up to VMAP_MAX_ALLOC pages), else a range of its own; no guard page",
	  (const struct arg_def[]){
		  { "pages", &arg_var, POS_REQ | ARG_PRESENT, .meta = "$P", .kinds = block_or_pool,
		    .help = "the pages to map, in order" },
		  { "node", &arg_node, .def = -1, .help = "where the bookkeeping goes",
		    .def_text = "any" },
		  { NULL } },
	  .contexts = CTX_CPU, .result = "NAME", .gives = &vm_area_kind, .machine = true,
	  .run = cmd_vm_map_ram },
	{ "vm_unmap_ram", "take down a vm_map_ram mapping (its TLB flush waits for vm_unmap_aliases or the next purge)",
	  (const struct arg_def[]){ ARG_AREA("$R", "the mapping vm_map_ram made"), { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_vm_unmap_ram },
	{ "vread", "read LEN bytes at ADDR of the vmalloc range as /dev/kmem does (holes read as zeros): the return, a CRC-32, the first bytes",
	  (const struct arg_def[]){ ARG_KADDR, ARG_KLEN, { NULL } },
	  .contexts = CTX_CPU, .result = "N", .gives = &value_number, .machine = true,
	  .run = cmd_vread },
	{ "vwrite", "write LEN bytes of BYTE at ADDR of the vmalloc range as /dev/kmem does (holes skipped): the return",
	  (const struct arg_def[]){
		  ARG_KADDR,
		  { "byte", &arg_number, POS_REQ | ARG_RANGE, .min = 0, .max = 255, .meta = "BYTE",
		    .help = "the byte" },
		  ARG_KLEN, { NULL } },
	  .contexts = CTX_CPU, .result = "N", .prints = true, .gives = &value_number,
	  .machine = true, .run = cmd_vwrite },
	{ "vbuf_mmap", "the current process mmaps /dev/vbuf on a vmalloc_user buffer: remap_vmalloc_range maps its pages (.ret, .errno)",
	  (const struct arg_def[]){
		  ARG_AREA("$V", "the buffer (vmalloc call=vmalloc_user)"),
		  { "len", &arg_flags, POS_REQ, .meta = "LEN", .help = "bytes" },
		  { "pgoff", &arg_number, .def = 0, .def_text = "0", .help = "the buffer's page to start at" },
		  { "prot", &arg_flags, .def = PROT_READ | PROT_WRITE, .def_text = "PROT_READ|PROT_WRITE" },
		  { "flags", &arg_flags, .def = MAP_SHARED, .def_text = "MAP_SHARED" },
		  { "addr", &arg_flags, .def = 0, .def_text = "0", .help = "the hint (MAP_FIXED: the address)" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_vbuf_mmap },
	{ NULL },
};
