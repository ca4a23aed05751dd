/*
 * early_res.c - the table of early reservations (seed 003, 2.3.1.2).
 *
 * Until the buddy allocator takes over, "allocated" means "recorded here".
 * The table starts as a static array of 32 entries; when it runs low it
 * doubles itself into free RAM, and its first entry then describes its own
 * storage.  Reservations made through reserve_early() may not overlap
 * others, except ones marked overlap_ok (BIOS areas), which are split around
 * the newcomer.  The boot allocator appends without checking: it searched
 * for a free range first.
 */
#include <kmm/bootmem.h>
#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/page.h>
#include <kmm/string.h>
#include "arch/x86/e820.h"

static struct early_res early_res_x[MAX_EARLY_RES_X] __state_zero;
static struct {
	struct early_res *table;
	int max;
	int count;
} er __state = { .table = early_res_x, .max = MAX_EARLY_RES_X };

int early_res_nr(void)
{
	return er.count;
}

const struct early_res *early_res_entry(int i)
{
	return &er.table[i];
}

/* Index of the first reservation overlapping [start, end), or of the first free slot. */
static int find_overlapped_early(u64 start, u64 end)
{
	int i;

	BUG_ON(!er.table);
	for (i = 0; i < er.max && er.table[i].end; i++) {
		const struct early_res *r = &er.table[i];

		if (end > r->start && start < r->end)
			break;
	}
	return i;
}

bool early_res_overlaps(u64 start, u64 end)
{
	int i = find_overlapped_early(start, end);

	return i < er.max && er.table[i].end;
}

static void drop_range(int i)
{
	int j;

	for (j = i + 1; j < er.max && er.table[j].end; j++)
		;
	memmove(&er.table[i], &er.table[i + 1], (j - 1 - i) * sizeof(struct early_res));
	er.table[j - 1].end = 0;
	er.count--;
}

static void drop_range_partial(int i, u64 start, u64 end)
{
	u64 common_start = max(er.table[i].start, start);
	u64 common_end = min(er.table[i].end, end);
	u64 old_start = er.table[i].start, old_end = er.table[i].end;
	char name[15];

	if (common_start >= common_end)
		return;
	memcpy(name, er.table[i].name, sizeof(name));
	/* The part before the hole stays in slot i, the part after is re-added. */
	if (old_start < common_start) {
		er.table[i].end = common_start;
		if (old_end > common_end) {
			int k = find_overlapped_early(common_end, old_end);

			BUG_ON(k >= er.max);
			er.table[k].start = common_end;
			er.table[k].end = old_end;
			er.table[k].overlap_ok = er.table[i].overlap_ok;
			memcpy(er.table[k].name, name, sizeof(name));
			er.count++;
		}
		return;
	}
	if (old_end > common_end) {
		er.table[i].start = common_end;
		return;
	}
	drop_range(i);
}

/*
 * Split overlap_ok reservations around [start, end), keeping their parts
 * outside it, so that a real reservation can take the middle.
 */
static void drop_overlaps_that_are_ok(u64 start, u64 end)
{
	for (int i = 0; i < er.max && er.table[i].end; i++) {
		struct early_res *r = &er.table[i];

		if (!r->overlap_ok || end <= r->start || start >= r->end)
			continue;
		drop_range_partial(i, start, end);
		i = -1;		/* the table changed: rescan */
	}
}

/*
 * Keep a few slots free: when few are left, move the table into twice the
 * space, found in RAM away from [ex_start, ex_end) (which is about to be
 * reserved).
 */
static void check_and_double_early_res(u64 ex_start, u64 ex_end)
{
	u64 start, end, size, mem = -1ULL;
	struct early_res *new;

	if (er.max - er.count > max(er.max / 8, 2))
		return;
	size = sizeof(struct early_res) * er.max * 2;
	start = er.table == early_res_x ? 0 : er.table[0].end;
	end = ex_start;
	if (start + size < end)
		mem = find_e820_area(start, end, size, sizeof(struct early_res));
	if (mem == -1ULL) {
		start = ex_end;
		end = (u64)max_pfn_mapped << PAGE_SHIFT;
		if (start + size < end)
			mem = find_e820_area(start, end, size, sizeof(struct early_res));
	}
	if (mem == -1ULL)
		panic("can not find more space for early_res array");
	new = __va(mem);
	memset(new, 0, size);
	new[0].start = mem;
	new[0].end = mem + size;
	strlcpy(new[0].name, "EARLY RES", sizeof(new[0].name));
	if (er.table == early_res_x) {
		memcpy(&new[1], &er.table[0], sizeof(struct early_res) * er.max);
		er.count++;
	} else {
		memcpy(&new[1], &er.table[1], sizeof(struct early_res) * (er.max - 1));
	}
	memset(er.table, 0, sizeof(struct early_res) * er.max);
	er.table = new;
	er.max *= 2;
	printk(KERN_DEBUG "early_res array is doubled to %d at [%llx - %llx]\n", er.max,
	       (unsigned long long)mem, (unsigned long long)(mem + size - 1));
}

static void __reserve_early(u64 start, u64 end, const char *name, int overlap_ok)
{
	int i = find_overlapped_early(start, end);
	struct early_res *r;

	if (i >= er.max)
		panic("Too many early reservations");
	r = &er.table[i];
	if (r->end)
		panic("Overlapping early reservations %llx-%llx %s to %llx-%llx %s\n",
		      (unsigned long long)start, (unsigned long long)(end - 1), name ? name : "",
		      (unsigned long long)r->start, (unsigned long long)(r->end - 1), r->name);
	r->start = start;
	r->end = end;
	r->overlap_ok = overlap_ok;
	memset(r->name, 0, sizeof(r->name));
	if (name)
		strlcpy(r->name, name, sizeof(r->name));
	er.count++;
}

void reserve_early_overlap_ok(u64 start, u64 end, const char *name)
{
	if (start >= end)
		return;
	check_and_double_early_res(start, end);
	__reserve_early(start, end, name, 1);
}

void reserve_early(u64 start, u64 end, const char *name)
{
	if (start >= end)
		return;
	check_and_double_early_res(start, end);
	drop_overlaps_that_are_ok(start, end);
	__reserve_early(start, end, name, 0);
}

void reserve_early_without_check(u64 start, u64 end, const char *name)
{
	struct early_res *r;

	if (start >= end)
		return;
	check_and_double_early_res(start, end);
	r = &er.table[er.count];
	r->start = start;
	r->end = end;
	r->overlap_ok = 0;
	memset(r->name, 0, sizeof(r->name));
	if (name)
		strlcpy(r->name, name, sizeof(r->name));
	er.count++;
}

void free_early(u64 start, u64 end)
{
	int i = find_overlapped_early(start, end);
	struct early_res *r = i < er.max ? &er.table[i] : NULL;

	if (!r || r->start != start || r->end != end)
		panic("free_early on not reserved area: %llx-%llx!",
		      (unsigned long long)start, (unsigned long long)(end - 1));
	drop_range(i);
}

void free_early_partial(u64 start, u64 end)
{
	int i;

	if (start == end)
		return;
	if (WARN(start > end, "free_early_partial: wrong range [0x%llx, 0x%llx]\n",
		 (unsigned long long)start, (unsigned long long)end))
		return;
	for (;;) {
		i = find_overlapped_early(start, end);
		if (i >= er.max || !er.table[i].end)
			break;
		drop_range_partial(i, start, end);
	}
}

/*
 * If [*addrp, *addrp+size) overlaps a reservation, move *addrp past it
 * (aligned) and look again.  Returns true if the address moved.
 *
 * Moving past a reservation that overlaps never skips a fitting address
 * (every start below its end still overlaps it), so the result is the
 * lowest fitting address whatever order the reservations are visited in:
 * each pass over the table moves past every one it meets, and passes
 * repeat until one moves nothing.  Linux restarts the scan after each move,
 * which for the long runs of 2M vmemmap blocks of a large machine costs a
 * scan per block: cubic in the blocks over the boot (256G: 0.8 s).
 */
static bool bad_addr(u64 *addrp, u64 size, u64 align)
{
	u64 addr = *addrp;
	bool changed = false, moved;

	BUG_ON(!er.table);
	do {
		moved = false;
		for (int i = 0; i < er.max && er.table[i].end; i++) {
			const struct early_res *r = &er.table[i];

			if (addr + size > r->start && addr < r->end) {
				addr = round_up(r->end, align);
				moved = changed = true;
			}
		}
	} while (moved);
	*addrp = addr;
	return changed;
}

u64 find_early_area(u64 ei_start, u64 ei_last, u64 start, u64 end, u64 size, u64 align)
{
	u64 addr, last;

	addr = round_up(ei_start, align);
	if (addr < start)
		addr = round_up(start, align);
	if (addr >= ei_last)
		return -1ULL;
	while (bad_addr(&addr, size, align) && addr + size <= ei_last)
		;
	last = addr + size;
	if (last > ei_last || last > end)
		return -1ULL;
	return addr;
}

void early_res_drop_all(void)
{
	memset(er.table, 0, sizeof(struct early_res) * er.max);
	er.table = NULL;
	er.max = 0;
	er.count = 0;
}
