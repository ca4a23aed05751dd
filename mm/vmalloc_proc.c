/*
 * vmalloc_proc.c - what the vmalloc area shows: /proc/vmallocinfo, one
 * line per area of vmlist in 2.6.34's format, and get_vmalloc_info() for
 * /proc/meminfo's VmallocUsed and VmallocChunk.
 *
 * Both read vmlist under vmlist_lock (for reading) and show the addresses
 * Linux would (the window addresses of the host pointers areas hold).  Lazily
 * freed ranges are no longer on vmlist: like 2.6.34, neither view counts
 * them, although the range allocator cannot use them before a purge.
 */
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/string.h>
#include "arch/x86/kernel_map.h"
#include "mm/vmalloc_internal.h"

/*
 * 2.6.34's get_vmalloc_info: the sizes of the areas (guard pages
 * included, ioremap areas too) and the largest gap between them, an
 * area's end counted after its guard page, the gap above the last one
 * running to VMALLOC_END: Linux's end even where the host reserved less
 * (vmalloc_limit), so that the view is the same on every build.
 */
void get_vmalloc_info(struct vmalloc_info *vmi)
{
	unsigned long prev_end = VMALLOC_START, end = VMALLOC_END;
	struct vm_struct *vm;

	vmi->used = 0;
	vmi->largest_chunk = 0;
	down_read(&vmlist_lock);
	if (!vmlist) {
		vmi->largest_chunk = end - VMALLOC_START;
		up_read(&vmlist_lock);
		return;
	}
	for (vm = vmlist; vm; vm = vm->next) {
		unsigned long addr = kernel_window_addr(vm->addr);

		if (addr < VMALLOC_START)
			continue;
		if (addr >= end)
			break;
		vmi->used += vm->size;
		vmi->largest_chunk = max(vmi->largest_chunk, addr - prev_end);
		prev_end = addr + vm->size;
	}
	vmi->largest_chunk = max(vmi->largest_chunk, end - prev_end);
	up_read(&vmlist_lock);
}

/* " N0=3 N1=1": pages by node, on kernels built for NUMA (x86_64 here). */
static void show_numa_info(struct seq_file *m, const struct vm_struct *v)
{
	unsigned int counters[MAX_NUMNODES];
	int nid;

	if (!arch->numa || !v->pages)
		return;
	memset(counters, 0, sizeof(counters));
	/* An area being filled has its count before its pages: skip the empty slots. */
	for (unsigned int i = 0; i < v->nr_pages; i++)
		if (v->pages[i])
			counters[page_to_nid(v->pages[i])]++;
	for_each_online_node(nid)
		if (counters[nid])
			seq_printf(m, " N%d=%u", nid, counters[nid]);
}

/*
 * "0xffffc90000000000-0xffffc90000003000    12288 caller pages=2 vmalloc N0=2":
 * the range with its guard page, its size, who asked (as kallsyms names
 * it), then what it holds.  2.6.34's %p is zero-padded to the pointer's
 * width.
 */
static int vmallocinfo_show(struct seq_file *m, const char *rest)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} kinds[] = {
		{ VM_IOREMAP, " ioremap" }, { VM_ALLOC, " vmalloc" }, { VM_MAP, " vmap" },
		{ VM_USERMAP, " user" }, { VM_VPAGES, " vpages" },
	};
	int w = arch->sizeof_ptr * 2;
	char sym[128];

	down_read(&vmlist_lock);
	for (const struct vm_struct *v = vmlist; v; v = v->next) {
		unsigned long long start = kernel_window_addr(v->addr);

		seq_printf(m, "0x%0*llx-0x%0*llx %7ld", w, start, w, start + v->size, (long)v->size);
		if (v->caller) {
			sprint_symbol(sym, sizeof(sym), (unsigned long)v->caller);
			seq_printf(m, " %s", sym);
		}
		if (v->nr_pages)
			seq_printf(m, " pages=%u", v->nr_pages);
		if (v->phys_addr)
			seq_printf(m, " phys=%lx", v->phys_addr);
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			if (v->flags & kinds[i].flag)
				seq_puts(m, kinds[i].name);
		show_numa_info(m, v);
		seq_putc(m, '\n');
	}
	up_read(&vmlist_lock);
	return 0;
}
PROC_ENTRY(vmallocinfo, "/proc/vmallocinfo", vmallocinfo_show, NULL, false);
