/*
 * cmd_pagemap.c - /proc/PID/pagemap in scenarios.  The file is binary
 * (one 64-bit entry per virtual page, Linux's bit layout: process.h), so
 * `cat` refuses it; this command reads the entries through
 * proc_pid_pagemap(), as a program would read(2) them at offset
 * (ADDR / PAGE_SIZE) * 8, and decodes each:
 *
 *   pagemap $P 0x602000 3
 *   0x602000 8600000000001f2a present pfn 0x1f2a shift 12
 *   0x603000 8600000000000b40 present pfn 0xb40 shift 12
 *   0x604000 0000000000000000 not present
 *
 *   R = pagemap PID ADDR [COUNT]
 *     R.entry .pfn .present .swapped .shift   the first entry, decoded
 *     R.count                                 entries read
 *     R.present_pages, R.swapped_pages        of those, present / in swap
 *     R.kpagecount, R.kpageflags              the first page's frame as
 *                                             /proc/kpagecount and
 *                                             /proc/kpageflags give it
 *
 *   [R =] kpageflags PFN [COUNT]  /proc/kpageflags decoded, a frame a line
 *                                 (R: the first frame's word; -1 past
 *                                 the end of the file)
 *
 * A swapped entry's frame field holds the swap type (bits 0-4) and
 * offset (bits 5-54).  An entry not present is 0, or only the page shift
 * where no page table or no VMA covers the page (2.6.34 writes both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/kernel-page-flags.h>
#include <kmm/mm.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include "tools/kmm/command.h"

#define MAX_ENTRIES	(1L << 20)	/* 4 GiB of address space at a time */

struct pagemap_value {
	u64 entry;			/* the first page's entry */
	long long count;		/* entries read */
	long long present, swapped;	/* how many of them */
	long long kpagecount;		/* /proc/kpagecount of the first entry's frame */
	u64 kpageflags;			/* and its /proc/kpageflags word */
};

static const struct pagemap_value *PMV(const void *d)
{
	return d;
}

#define PMV_FIELD(name, expr)							\
	static int pmv_##name(const void *d, long long *out, char *err, size_t n) \
	{									\
		const struct pagemap_value *v = PMV(d);				\
		(void)err;							\
		(void)n;							\
		*out = (long long)(expr);					\
		return 0;							\
	}
PMV_FIELD(entry, v->entry)
PMV_FIELD(pfn, (v->entry & PM_PRESENT) ? (v->entry & PM_PFRAME_MASK) : 0)
PMV_FIELD(present, !!(v->entry & PM_PRESENT))
PMV_FIELD(swapped, !!(v->entry & PM_SWAP))
PMV_FIELD(shift, (v->entry & PM_PSHIFT_MASK) >> PM_PSHIFT_OFFSET)
PMV_FIELD(count, v->count)
PMV_FIELD(present_pages, v->present)
PMV_FIELD(swapped_pages, v->swapped)
PMV_FIELD(kpagecount, v->kpagecount)
PMV_FIELD(kpageflags, v->kpageflags)

static void pmv_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%016llx", (unsigned long long)PMV(d)->entry);
}

const struct value_type pagemap_kind = {
	.name = "pagemap",
	.noun = "pagemap entries",
	.made_by = "pagemap",
	.size = sizeof(struct pagemap_value),
	.fields = (const struct value_field[]){
		{ "entry", pmv_entry, true }, { "pfn", pmv_pfn, true },
		{ "present", pmv_present, true }, { "swapped", pmv_swapped, true },
		{ "shift", pmv_shift, true }, { "count", pmv_count, true },
		{ "present_pages", pmv_present_pages, true },
		{ "swapped_pages", pmv_swapped_pages, true },
		{ "kpagecount", pmv_kpagecount, true }, { "kpageflags", pmv_kpageflags, true },
		{ NULL } },
	.format = pmv_format,
};

/* One entry, decoded, on a line of its own. */
static void print_entry(FILE *out, unsigned long addr, u64 e)
{
	unsigned int shift = (unsigned int)((e & PM_PSHIFT_MASK) >> PM_PSHIFT_OFFSET);
	u64 frame = e & PM_PFRAME_MASK;

	fprintf(out, "%#lx %016llx ", addr, (unsigned long long)e);
	if (e & PM_PRESENT)
		fprintf(out, "present pfn %#llx shift %u\n", (unsigned long long)frame, shift);
	else if (e & PM_SWAP)
		fprintf(out, "swapped type %llu offset %#llx shift %u\n",
			(unsigned long long)(frame & 0x1f), (unsigned long long)(frame >> 5), shift);
	else if (shift)
		fprintf(out, "not present shift %u\n", shift);
	else
		fprintf(out, "not present\n");
}

/* "self", or a pid (the word $P expands to). */
static int pagemap_pid(struct runtime *rt, struct script_cmd *c, const char *what, pid_t *pid)
{
	char *end;
	long n;

	if (!strcmp(what, "self")) {
		*pid = current->pid;
		return 0;
	}
	n = strtol(what, &end, 0);
	if (end == what || *end || n <= 0)
		return rt_error(rt, c, "pagemap: '%s' is not a pid (a number, $P or self)", what);
	*pid = (pid_t)n;
	return 0;
}

static int cmd_pagemap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	long n = (long)arg_num(a, "count");
	struct pagemap_value *v;
	pid_t pid = 0;
	u64 *buf;
	long got;

	if (pagemap_pid(rt, c, arg_str(a, "pid"), &pid))
		return -1;
	buf = malloc((size_t)n * sizeof(*buf));
	if (!buf)
		return rt_error(rt, c, "pagemap: out of host memory");
	got = proc_pid_pagemap(pid, addr, buf, (unsigned long)n);
	if (got < 0) {
		free(buf);
		return rt_error(rt, c, "pagemap: no process has pid %d", pid);
	}
	v = rt_result(rt, c, &pagemap_kind);
	if (v) {
		u64 mapcount = 0;

		v->entry = got ? buf[0] : 0;
		v->count = got;
		if ((v->entry & PM_PRESENT) &&
		    proc_kpagecount((unsigned long)(v->entry & PM_PFRAME_MASK), &mapcount, 1) == 1) {
			v->kpagecount = (long long)mapcount;
			proc_kpageflags((unsigned long)(v->entry & PM_PFRAME_MASK), &v->kpageflags, 1);
		}
		for (long i = 0; i < got; i++) {
			v->present += !!(buf[i] & PM_PRESENT);
			v->swapped += !!(buf[i] & PM_SWAP);
		}
	} else {
		for (long i = 0; i < got; i++)
			print_entry(rt->out, (addr & PAGE_MASK) + (unsigned long)i * PAGE_SIZE, buf[i]);
	}
	free(buf);
	return 0;
}

/* The KPF_ names, in bit order, as page-types prints them (lowercase). */
static const char *const kpf_names[64] = {
	[KPF_LOCKED] = "locked", [KPF_ERROR] = "error", [KPF_REFERENCED] = "referenced",
	[KPF_UPTODATE] = "uptodate", [KPF_DIRTY] = "dirty", [KPF_LRU] = "lru",
	[KPF_ACTIVE] = "active", [KPF_SLAB] = "slab", [KPF_WRITEBACK] = "writeback",
	[KPF_RECLAIM] = "reclaim", [KPF_BUDDY] = "buddy", [KPF_MMAP] = "mmap",
	[KPF_ANON] = "anonymous", [KPF_SWAPCACHE] = "swapcache", [KPF_SWAPBACKED] = "swapbacked",
	[KPF_COMPOUND_HEAD] = "compound_head", [KPF_COMPOUND_TAIL] = "compound_tail",
	[KPF_HUGE] = "huge", [KPF_UNEVICTABLE] = "unevictable", [KPF_HWPOISON] = "hwpoison",
	[KPF_NOPAGE] = "nopage", [KPF_KSM] = "ksm", [KPF_RESERVED] = "reserved",
	[KPF_MLOCKED] = "mlocked", [KPF_MAPPEDTODISK] = "mappedtodisk", [KPF_PRIVATE] = "private",
	[KPF_PRIVATE_2] = "private_2", [KPF_OWNER_PRIVATE] = "owner_private", [KPF_ARCH] = "arch",
	[KPF_UNCACHED] = "uncached",
};

static int cmd_kpageflags(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long pfn = (unsigned long)arg_num(a, "pfn");
	long n = (long)arg_num(a, "count");
	u64 *buf = malloc((size_t)n * sizeof(*buf));
	long got;

	if (!buf)
		return rt_error(rt, c, "kpageflags: out of host memory");
	got = proc_kpageflags(pfn, buf, (unsigned long)n);
	if (c->assign) {
		rt_give_num(rt, c, got ? (long long)buf[0] : -1, "%#llx\n");
	} else {
		for (long i = 0; i < got; i++) {
			const char *sep = " ";

			fprintf(rt->out, "%#lx %016llx", pfn + (unsigned long)i, (unsigned long long)buf[i]);
			for (int b = 0; b < 64; b++)
				if ((buf[i] >> b) & 1) {
					fprintf(rt->out, "%s%s", sep, kpf_names[b] ? kpf_names[b] : "?");
					sep = ",";
				}
			fputc('\n', rt->out);
		}
	}
	free(buf);
	return 0;
}

const struct command_def pagemap_commands[] = {
	{ "pagemap", "read and decode /proc/PID/pagemap: COUNT pages from ADDR (one line each)",
	  (const struct arg_def[]){
		  { "pid", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "PID",
		    .help = "the process: $P, a number, or self" },
		  { "addr", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "ADDR",
		    .help = "a user address (its page's entry comes first)" },
		  { "count", &arg_number, ARG_POS | ARG_RANGE, .min = 1, .max = MAX_ENTRIES,
		    .def = 1, .def_text = "1", .meta = "COUNT", .help = "pages" },
		  { NULL } },
	  .result = "R", .prints = true, .gives = &pagemap_kind, .machine = true,
	  .run = cmd_pagemap },
	{ "kpageflags", "read /proc/kpageflags: COUNT frames from PFN, each word with its flags named",
	  (const struct arg_def[]){
		  { "pfn", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "PFN",
		    .help = "the first page frame" },
		  { "count", &arg_number, ARG_POS | ARG_RANGE, .min = 1, .max = MAX_ENTRIES,
		    .def = 1, .def_text = "1", .meta = "COUNT", .help = "frames (the file ends at max_pfn)" },
		  { NULL } },
	  .result = "R", .prints = true, .machine = true, .run = cmd_kpageflags },
	{ NULL },
};
