/*
 * page_debug.c - reporting pages in a state they must not be in, and page
 * poisoning.
 *
 * bad_page() prints 2.6.34's "Bad page state" report (rate-limited to 60
 * reports, then a minute of silence) and clears PG_buddy so the page can
 * never be merged into a free block; the caller then leaks the page rather
 * than corrupt the free lists.
 *
 * Poisoning (debug builds, boot option page_poison): a lowmem page freed to
 * the buddy allocator is filled with PAGE_POISON; when it is allocated
 * again the pattern must still be there, else someone wrote to free memory
 * and the corrupt bytes are reported.  A flag bit above the page flags
 * remembers which pages were poisoned.
 */
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/string.h>
#include "mm/internal.h"

#define PAGE_POISON	0xaa
#define PG_poisoned	(NR_PAGEFLAGS + 1)	/* outside PAGE_FLAGS_CHECK_AT_PREP */

const char *const pageflag_names[NR_PAGEFLAGS] = {
	"locked", "error", "referenced", "uptodate", "dirty", "lru", "active", "slab",
	"owner_priv_1", "arch_1", "reserved", "private", "private_2", "writeback",
	"head", "tail", "swapcache", "mappedtodisk", "reclaim", "buddy", "swapbacked",
	"unevictable", "mlocked", "uncached",
};

static struct {
	unsigned long resume;
	unsigned long nr_shown;
	unsigned long nr_unshown;
	unsigned long nr_bad;		/* every report, shown or not */
	bool poison;
} dbg __state = { .poison = KMM_DEBUG };

static int set_page_poison(const char *val)
{
	if (val && !strcmp(val, "on"))
		dbg.poison = true;
	else if (val && !strcmp(val, "off"))
		dbg.poison = false;
	else
		return kmm_error("page_poison=%s: need on or off", val ? val : "");
	return 0;
}
early_param("page_poison", set_page_poison, "poison freed pages and check them when allocated (on or off; debug builds default on)");

unsigned long bad_page_count(void)
{
	return dbg.nr_bad;
}

void dump_page(struct page *page)
{
	unsigned long flags = page->flags & ((1UL << NR_PAGEFLAGS) - 1);
	const char *delim = "";

	int w = arch->sizeof_ptr * 2;

	printk(KERN_ALERT "page:%0*llx count:%d mapcount:%d mapping:%0*lx index:0x%lx\n",
	       w, (unsigned long long)page_to_linux(page), page_count(page), page_mapcount(page),
	       w, (unsigned long)page->mapping, page->index);
	printk(KERN_ALERT "page flags: 0x%lx(", page->flags);
	for (int i = 0; i < NR_PAGEFLAGS && flags; i++) {
		if (!(flags & (1UL << i)))
			continue;
		printk("%s%s", delim, pageflag_names[i]);
		delim = "|";
		flags &= ~(1UL << i);
	}
	printk(")\n");
}

/*
 * Report @page; with @clear_buddy also clear PG_buddy so that it can never
 * merge.  A page that really heads a free block (a double free found it)
 * keeps its flag: clearing it would corrupt the free lists.
 */
static void __bad_page(struct page *page, bool clear_buddy)
{
	dbg.nr_bad++;
	if (dbg.nr_shown == 60) {
		if (time_before(jiffies, dbg.resume)) {
			dbg.nr_unshown++;
			goto out;
		}
		if (dbg.nr_unshown) {
			printk(KERN_ALERT "BUG: Bad page state: %lu messages suppressed\n", dbg.nr_unshown);
			dbg.nr_unshown = 0;
		}
		dbg.nr_shown = 0;
	}
	if (dbg.nr_shown++ == 0)
		dbg.resume = jiffies + 60 * HZ;
	printk(KERN_ALERT "BUG: Bad page state in process %s  pfn:%05lx\n", current->comm,
	       page_to_pfn(page));
	dump_page(page);
	dump_stack();
out:
	if (clear_buddy)
		__ClearPageBuddy(page);
}

void bad_page(struct page *page)
{
	__bad_page(page, true);
}

void bad_page_report(struct page *page)
{
	__bad_page(page, false);
}

/* ---- poisoning ---- */

static bool page_poisonable(struct page *page)
{
	return KMM_DEBUG && dbg.poison && mm_boot_done() && !PageHighMem(page);
}

static void report_corruption(struct page *page, const u8 *start, const u8 *end)
{
	const u8 *base = page_address(page);

	printk(KERN_ERR "pagealloc: memory corruption\n");
	printk(KERN_ERR "pfn:%05lx offset:0x%lx bytes:", page_to_pfn(page), (unsigned long)(start - base));
	for (const u8 *p = start; p <= end && p < start + 16; p++)
		printk(KERN_CONT " %02x", *p);
	printk(KERN_CONT "\n");
	dump_stack();
}

static void unpoison_page(struct page *page)
{
	u8 *addr, *start, *end;

	if (!test_bit(PG_poisoned, &page->flags))
		return;
	__page_flags_clear(page, 1UL << PG_poisoned);
	addr = page_address(page);
	start = memchr_inv(addr, PAGE_POISON, PAGE_SIZE);
	if (!start)
		return;
	for (end = addr + PAGE_SIZE - 1; end > start && *end == PAGE_POISON; end--)
		;
	report_corruption(page, start, end);
}

/* Called with enable=1 when pages leave the allocator, 0 when they return. */
void __kernel_map_pages(struct page *page, int numpages, int enable)
{
	for (int i = 0; i < numpages; i++) {
		if (!page_poisonable(page + i))
			continue;
		if (enable) {
			unpoison_page(page + i);
		} else {
			memset(page_address(page + i), PAGE_POISON, PAGE_SIZE);
			__page_flags_set(&page[i], 1UL << PG_poisoned);
		}
	}
}
