/*
 * cmd_mmu.c - the MMU in scenarios: walking an address, reading and
 * writing kernel memory through the page tables and the TLB (so a script
 * can fault), and a CPU's TLB.
 *
 *   translate ADDR [pid=P] [cpu=N]      each level's entry, then the page
 *   pagetable START [END] [max=N] [pid=P]   every page mapped in the range
 *   R = kread ADDR [size=1|2|4|8] [cpu=N]     a kernel read through the MMU
 *   kwrite ADDR VALUE [size=1|2|4|8] [cpu=N]
 *   tlb [cpu=N]                         the TLB's entries and counters
 *   tlb_flush [ADDR] [cpu=N]            invlpg of ADDR, or every entry
 *
 * An access nothing maps is an oops (in the kernel log).  The task that
 * made it dies, as do_exit(SIGKILL) ends it in 2.6.34: a process's thread
 * (the script goes on as the next live thread or the parent), a kernel
 * thread of the script (its block ends there).  In the script's own
 * context (init) the command fails with an error instead, which `expect
 * error` lets the run survive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/mmu.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/asm/page.h>
#include "tools/kmm/command.h"

static const char *page_size_name(unsigned int shift)
{
	return shift == 30 ? "1G" : shift == 22 ? "4M" : shift == 21 ? "2M" : "4K";
}

/* Virtual addresses in the machine's word width; entries and physical addresses in the entries'. */
static int va_width(void)
{
	return arch->bits / 4;
}

static int entry_width(void)
{
	return arch->bits == 64 || arch->pae ? 16 : 8;
}

/*
 * The address space to walk: with pid=, that process's (a number, $P, or
 * self: the process the script acts as); *@mm NULL without it (the CPU's
 * CR3).  -1 after an error.
 */
static int walk_target(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		       struct mm_struct **mm)
{
	const char *what;
	struct task_struct *t;
	char *end;
	long pid;

	*mm = NULL;
	if (!arg_given(a, "pid"))
		return 0;
	what = arg_str(a, "pid");
	if (!strcmp(what, "self")) {
		t = current;
	} else {
		pid = strtol(what, &end, 0);
		if (end == what || *end || pid <= 0)
			return rt_error(rt, c, "%s: '%s' is not a pid (a number, $P or self)",
					c->def->name, what);
		t = find_task_by_pid((pid_t)pid);
		if (!t || t->exit_state)
			return rt_error(rt, c, "%s: no live process has pid %ld", c->def->name, pid);
	}
	if (!t->mm)
		return rt_error(rt, c, "%s: %s (pid %d) has no address space", c->def->name, t->comm,
				t->pid);
	*mm = t->mm;
	return 0;
}

static int walk(struct mm_struct *mm, unsigned long addr, struct kmm_walk *w)
{
	return mm ? kmm_translate_mm(mm, addr, w) : kmm_translate(addr, w);
}

static int cmd_translate(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	struct mm_struct *mm;
	struct kmm_walk w;
	char bits[64];
	int fault;
	int ew = entry_width();

	if (walk_target(rt, c, a, &mm))
		return -1;
	fault = walk(mm, addr, &w);
	if (c->assign) {	/* R = translate: the physical address, or -1 on a fault */
		rt_give_num(rt, c, fault ? -1 : (long long)w.pa, "%lld\n");
		return 0;
	}
	fprintf(rt->out, "%0*lx: cr3 %0*llx\n", va_width(), addr, ew, (unsigned long long)w.cr3);
	for (int i = 0; i < w.levels; i++) {
		bool leaf_4k = i == w.levels - 1 && !fault && w.page_shift == 12;

		kmm_entry_bits(w.step[i].entry, leaf_4k, bits, sizeof(bits));
		fprintf(rt->out, "  %-5s %0*llx[%u] = %0*llx %s\n", w.step[i].name, ew,
			(unsigned long long)w.step[i].table, w.step[i].index, ew,
			(unsigned long long)w.step[i].entry, bits);
	}
	if (fault & 0x200)
		fprintf(rt->out, "  -> general protection fault (not canonical)\n");
	else if (fault)
		fprintf(rt->out, "  -> page fault, error code %04x (%s)\n", fault & 0xff,
			fault & 8 ? "reserved bit" : fault & 1 ? "protection" : "not present");
	else
		fprintf(rt->out, "  -> %0*llx, %s page, %s%s%s%s\n", ew, (unsigned long long)w.pa,
			page_size_name(w.page_shift), w.perms & KMM_PERM_WRITE ? "RW" : "ro",
			w.perms & KMM_PERM_USER ? " user" : " kernel",
			w.perms & KMM_PERM_NX ? " NX" : "", w.perms & KMM_PERM_GLOBAL ? " G" : "");
	return 0;
}

/* The size each level's entry covers, from the top: the walk stopped at @level maps or skips that much. */
static unsigned int level_shift(int level)
{
	static const unsigned int four[] = { 39, 30, 21, 12 }, pae[] = { 30, 21, 12 }, two[] = { 22, 12 };

	if (arch->bits == 64)
		return four[level];
	return arch->pae ? pae[level] : two[level];
}

/*
 * Every page mapped in [start, end): a line per leaf, each level's entry
 * on the way and the leaf's bits; empty entries are skipped whole.
 */
static int cmd_pagetable(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long start = (unsigned long)arg_num(a, "start");
	unsigned long end = arg_given(a, "end") ? (unsigned long)arg_num(a, "end") : start + 1;
	long long max = arg_num(a, "max"), shown = 0, more = 0;
	int ew = entry_width();
	struct mm_struct *mm;

	if (walk_target(rt, c, a, &mm))
		return -1;
	if (end <= start)
		return rt_error(rt, c, "pagetable: the end %#lx is not above the start %#lx", end, start);
	for (unsigned long addr = start & PAGE_MASK; addr < end;) {
		struct kmm_walk w;
		int fault = walk(mm, addr, &w);
		unsigned int shift = w.levels ? level_shift(w.levels - 1) : PAGE_SHIFT;
		unsigned long next = (addr | ((1UL << shift) - 1)) + 1;
		char bits[64];

		if (fault & 0x200) {		/* the non-canonical hole: on to its end */
			next = 0xffff800000000000UL;
		} else if (!fault) {
			if (shown++ < max) {
				fprintf(rt->out, "%0*lx %s", va_width(), addr, page_size_name(w.page_shift));
				for (int i = 0; i < w.levels; i++)
					fprintf(rt->out, " %s[%u]=%0*llx", w.step[i].name, w.step[i].index, ew,
						(unsigned long long)w.step[i].entry);
				kmm_entry_bits(w.step[w.levels - 1].entry, w.page_shift == 12, bits, sizeof(bits));
				fprintf(rt->out, " %s -> %0*llx\n", bits, ew,
					(unsigned long long)(w.pa & ~((1ULL << w.page_shift) - 1)));
			} else {
				more++;
			}
			next = (addr | ((1UL << w.page_shift) - 1)) + 1;
		}
		if (next <= addr)
			break;			/* wrapped past the top */
		addr = next;
	}
	if (more)
		fprintf(rt->out, "... %lld more mapped page%s (max=%lld)\n", more, more == 1 ? "" : "s", max);
	if (!shown)
		fprintf(rt->out, "nothing mapped in %0*lx-%0*lx\n", va_width(), start, va_width(), end);
	return 0;
}

static int cmd_kread(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	int size = arg_access_size(rt, c, a);
	unsigned long long v = 0;

	if (size < 0)
		return -1;
	if (kmm_kernel_read(addr, &v, (unsigned long)size)) {
		if (current->pending_fatal)
			return 0;	/* the oops ends this task; the script goes on */
		return rt_error(rt, c, "kread: oops: the kernel cannot read %#lx (see dmesg)", addr);
	}
	rt_give_num(rt, c, (long long)v, "%#llx\n");
	return 0;
}

static int cmd_kwrite(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	unsigned long long v = (unsigned long long)arg_num(a, "value");
	int size = arg_access_size(rt, c, a);

	if (size < 0)
		return -1;
	if (kmm_kernel_write(addr, &v, (unsigned long)size)) {
		if (current->pending_fatal)
			return 0;	/* the oops ends this task; the script goes on */
		return rt_error(rt, c, "kwrite: oops: the kernel cannot write %#lx (see dmesg)", addr);
	}
	return 0;
}

static int print_tlb_entry(void *arg, u64 va, u64 pa, unsigned int shift, unsigned int perms)
{
	FILE *out = arg;

	fprintf(out, "  %0*llx -> %0*llx %s %s%s%s%s\n", va_width(), (unsigned long long)va,
		entry_width(), (unsigned long long)pa, page_size_name(shift), perms & KMM_PERM_WRITE ? "RW" : "ro",
		perms & KMM_PERM_USER ? " user" : "", perms & KMM_PERM_NX ? " NX" : "",
		perms & KMM_PERM_GLOBAL ? " G" : "");
	return 0;
}

static int cmd_tlb(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct kmm_tlb_stats st;
	int cpu = smp_processor_id();

	kmm_tlb_stats(cpu, &st);
	fprintf(rt->out,
		"CPU %d TLB: lookups %llu, hits %llu, misses %llu, walks %llu, faults %llu; "
		"flushes: invlpg %llu, all %llu, cr3 loads %llu\n",
		cpu, (unsigned long long)st.lookups, (unsigned long long)st.hits,
		(unsigned long long)st.misses, (unsigned long long)st.walks,
		(unsigned long long)st.faults, (unsigned long long)st.flush_one,
		(unsigned long long)st.flush_all, (unsigned long long)st.cr3_loads);
	if (kmm_tlb_dump(cpu, print_tlb_entry, rt->out) < 0)
		return rt_error(rt, c, "tlb: CPU %d is another thread's: its entries change under us",
				cpu);
	return 0;
}

static int cmd_tlb_flush(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (arg_given(a, "addr"))
		kmm_tlb_flush_one((unsigned long)arg_num(a, "addr"));
	else
		kmm_tlb_flush_all();
	return 0;
}

#define ARG_ADDR	{ "addr", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "ADDR", \
			  .help = "an address as Linux shows it (0xffff880000000000 + pa...)" }
#define ARG_PID		{ "pid", &arg_string, .meta = "P", \
			  .help = "walk this process's page tables: $P, a number, or self (default: the CPU's CR3)" }
#define ARG_SIZE_BYTES	{ "size", &arg_number, .def = 8, .def_text = "8", \
			  .help = "bytes: 1, 2, 4 or 8" }

const struct command_def mmu_commands[] = {
	{ "translate", "walk ADDR with the CPU's CR3 (or process P's tables): each level's entry and bits, then the page",
	  (const struct arg_def[]){ ARG_ADDR, ARG_PID, { NULL } },
	  .contexts = CTX_CPU, .result = "R", .prints = true, .gives = &value_number,
	  .machine = true, .run = cmd_translate },
	{ "pagetable", "the pages mapped in [START, END) through the CPU's CR3 (or process P's tables): each level's entry, the leaf's bits",
	  (const struct arg_def[]){
		  { "start", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "START", .help = "the first address" },
		  { "end", &arg_number, ARG_POS, .meta = "END", .help = "the end (default: START's page only)" },
		  { "max", &arg_number, .def = 32, .def_text = "32", .min = 1, .max = ARG_NO_MAX,
		    .flags = ARG_RANGE, .help = "lines at most; the rest are counted" },
		  ARG_PID, { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_pagetable },
	{ "kread", "read SIZE bytes at ADDR as the kernel, through the MMU (an oops if unmapped)",
	  (const struct arg_def[]){ ARG_ADDR, ARG_SIZE_BYTES, { NULL } },
	  .contexts = CTX_CPU, .result = "R", .prints = true, .gives = &value_number,
	  .machine = true, .run = cmd_kread },
	{ "kwrite", "write VALUE (SIZE bytes) at ADDR as the kernel, through the MMU",
	  (const struct arg_def[]){
		  ARG_ADDR,
		  { "value", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "VALUE", .help = "the value" },
		  ARG_SIZE_BYTES, { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_kwrite },
	{ "tlb", "show the CPU's TLB: its counters, then each entry",
	  NULL, .contexts = CTX_CPU, .machine = true, .run = cmd_tlb },
	{ "tlb_flush", "flush ADDR from the CPU's TLB (invlpg), or every entry",
	  (const struct arg_def[]){
		  { "addr", &arg_number, ARG_POS, .meta = "ADDR", .help = "the page to flush" },
		  { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_tlb_flush },
	{ NULL },
};
