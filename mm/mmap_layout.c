/*
 * mmap_layout.c - where a new mapping goes when the caller does not say:
 * the two layouts of a process's address space and their searches for a
 * hole (x86's arch/x86/mm/mmap.c and arch/x86/kernel/sys_x86_64.c, with
 * the generic i386 search of mm/mmap.c).
 *
 *   legacy (bottom-up)                     top-down (the default)
 *   TASK_SIZE +-----------+                TASK_SIZE +-----------+
 *             | stack     |                          | stack     |
 *             |     v     |                          |     v     |
 *             |           |                          | gap >= 128M, the stack rlimit
 *             |     ^     |                mmap_base +-----------+
 *             | mmaps     |                          | mmaps     |
 *   TASK_UNMAPPED_BASE ---+  (TASK_SIZE/3)           |     v     |
 *             |     ^     |                          |           |
 *             | brk heap  |                          |     ^     |
 *             | program   |                          | brk heap  |
 *           0 +-----------+                        0 +-----------+
 *
 * The legacy layout is used when RLIMIT_STACK is unlimited or
 * vm.legacy_va_layout is set.  Both searches start from free_area_cache
 * (where the last search ended) and remember in cached_hole_size the
 * largest hole they skipped, so that a later, smaller request may look
 * again from the start.  With randomize_va_space (kmm's default is 0, so
 * runs are reproducible) mmap_base moves by a random number of pages.
 */
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/random.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "mm/internal.h"

int sysctl_legacy_va_layout __state_zero;
int randomize_va_space __state_zero;		/* 0: kmm's default (Linux's is 2) */
unsigned long mmap_min_addr __state = 4096;	/* CONFIG_DEFAULT_MMAP_MIN_ADDR */

static bool is_ia32(void)
{
	return arch->bits == 32;
}

/* The random page offset of the mmap base: 8 bits of pages on i386, 28 on x86_64. */
static unsigned long mmap_rnd(void)
{
	unsigned long rnd = 0;

	if (current->flags & PF_RANDOMIZE)
		rnd = is_ia32() ? random32() % (1u << 8) : random32() % (1u << 28);
	return rnd << PAGE_SHIFT;
}

/* The stack's random offset the gap must leave room for. */
static unsigned long stack_maxrandom_size(void)
{
	if ((current->flags & PF_RANDOMIZE) && !(current->personality & ADDR_NO_RANDOMIZE))
		return STACK_RND_MASK << PAGE_SHIFT;
	return 0;
}

static bool mmap_is_legacy(void)
{
	if (current->personality & ADDR_COMPAT_LAYOUT)
		return true;
	if (rlimit(RLIMIT_STACK) == RLIM_INFINITY)
		return true;
	return sysctl_legacy_va_layout;
}

/* Below the stack, leaving the stack rlimit (at least 128 MiB, at most 5/6 of the space). */
static unsigned long mmap_base(struct mm_struct *mm)
{
	unsigned long gap = rlimit(RLIMIT_STACK);
	unsigned long min_gap = 128 * 1024 * 1024UL + stack_maxrandom_size();
	unsigned long max_gap = mm->task_size / 6 * 5;

	if (gap < min_gap)
		gap = min_gap;
	else if (gap > max_gap)
		gap = max_gap;
	return PAGE_ALIGN(mm->task_size - gap - mmap_rnd());
}

void arch_pick_mmap_layout(struct mm_struct *mm)
{
	if (mmap_is_legacy()) {
		/* i386's legacy base is not randomised; x86_64's is. */
		mm->mmap_base = TASK_UNMAPPED_BASE(mm) + (is_ia32() ? 0 : mmap_rnd());
		mm->get_unmapped_area = arch_get_unmapped_area;
		mm->unmap_area = arch_unmap_area;
		mm->legacy_layout = 1;
	} else {
		mm->mmap_base = mmap_base(mm);
		mm->get_unmapped_area = arch_get_unmapped_area_topdown;
		mm->unmap_area = arch_unmap_area_topdown;
		mm->legacy_layout = 0;
	}
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = ~0UL;
}

/* x86_64's MAP_32BIT: the first 2 GiB above 1 GiB; otherwise the whole space above the base. */
static void find_start_end(struct mm_struct *mm, unsigned long flags, unsigned long *begin,
			   unsigned long *end)
{
	if (!is_ia32() && (flags & MAP_32BIT)) {
		*begin = 0x40000000;
		*end = 0x80000000;
		if (current->flags & PF_RANDOMIZE)
			*begin += (random32() % (0x02000000 >> PAGE_SHIFT)) << PAGE_SHIFT;
	} else {
		*begin = TASK_UNMAPPED_BASE(mm);
		*end = mm->task_size;
	}
}

/*
 * Bottom-up: a hint that fits wins; else first fit from free_area_cache
 * upwards (i386 restarts from the base when cached_hole_size says a
 * skipped hole is big enough; x86_64 only for MAP_32BIT), and once more
 * from the base if the top is reached.
 */
unsigned long arch_get_unmapped_area(struct file *filp, unsigned long addr, unsigned long len,
				     unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long begin, end, start_addr;

	(void)filp;
	(void)pgoff;
	if (flags & MAP_FIXED)
		return addr;
	find_start_end(mm, flags, &begin, &end);
	if (len > end)
		return -ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(mm, addr);
		if (end - len >= addr && (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	if (is_ia32() ? len <= mm->cached_hole_size
		      : (flags & MAP_32BIT) && len <= mm->cached_hole_size) {
		mm->cached_hole_size = 0;
		mm->free_area_cache = begin;
	}
	addr = mm->free_area_cache;
	if (addr < begin)
		addr = begin;
	start_addr = addr;
full_search:
	for (vma = find_vma(mm, addr);; vma = vma->vm_next) {
		/* Here !vma || addr < vma->vm_end. */
		if (end - len < addr) {
			if (start_addr != begin) {
				start_addr = addr = begin;
				mm->cached_hole_size = 0;
				goto full_search;
			}
			return -ENOMEM;
		}
		if (!vma || addr + len <= vma->vm_start) {
			mm->free_area_cache = addr + len;
			return addr;
		}
		if (addr + mm->cached_hole_size < vma->vm_start)
			mm->cached_hole_size = vma->vm_start - addr;
		addr = vma->vm_end;
	}
}

/* An unmap below the search's start makes the hole the next search begins at. */
void arch_unmap_area(struct mm_struct *mm, unsigned long addr)
{
	if (addr >= TASK_UNMAPPED_BASE(mm) && addr < mm->free_area_cache) {
		mm->free_area_cache = addr;
		mm->cached_hole_size = ~0UL;
	}
}

/*
 * Top-down: a hint that fits wins; else just below free_area_cache if
 * that fits, else walk down from mmap_base below each VMA in the way;
 * when the bottom is reached, fall back to the bottom-up search (a failed
 * mmap kills programs; big stacks and big mappings can get here).
 */
unsigned long arch_get_unmapped_area_topdown(struct file *filp, unsigned long addr0,
					     unsigned long len, unsigned long pgoff,
					     unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr = addr0;

	if (len > mm->task_size)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (!is_ia32() && (flags & MAP_32BIT))
		goto bottomup;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(mm, addr);
		if (mm->task_size - len >= addr && (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	if (len <= mm->cached_hole_size) {
		mm->cached_hole_size = 0;
		mm->free_area_cache = mm->mmap_base;
	}
	addr = mm->free_area_cache;
	if (addr > len) {
		vma = find_vma(mm, addr - len);
		if (!vma || addr <= vma->vm_start)
			return mm->free_area_cache = addr - len;
	}
	if (mm->mmap_base < len)
		goto bottomup;
	addr = mm->mmap_base - len;
	do {
		vma = find_vma(mm, addr);
		if (!vma || addr + len <= vma->vm_start)
			return mm->free_area_cache = addr;
		if (addr + mm->cached_hole_size < vma->vm_start)
			mm->cached_hole_size = vma->vm_start - addr;
		addr = vma->vm_start - len;
	} while (len < vma->vm_start);

bottomup:
	mm->cached_hole_size = ~0UL;
	mm->free_area_cache = TASK_UNMAPPED_BASE(mm);
	addr = arch_get_unmapped_area(filp, addr0, len, pgoff, flags);
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = ~0UL;
	return addr;
}

/* An unmap above the search's start raises it, never above mmap_base. */
void arch_unmap_area_topdown(struct mm_struct *mm, unsigned long addr)
{
	if (addr > mm->free_area_cache)
		mm->free_area_cache = addr;
	if (mm->free_area_cache > mm->mmap_base)
		mm->free_area_cache = mm->mmap_base;
}

/*
 * The address a mapping of @len bytes gets: the layout's choice, checked.
 * Errors come back as -errno in the unsigned value (its low bits are set,
 * which no page-aligned address has).
 */
unsigned long get_unmapped_area(struct file *file, unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;

	if (len > mm->task_size)
		return -ENOMEM;
	addr = mm->get_unmapped_area(file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > mm->task_size - len)
		return -ENOMEM;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	return addr;
}

/* brk's random start (randomize_va_space 2): within 32 MiB above the end of the program. */
unsigned long arch_randomize_brk(struct mm_struct *mm)
{
	unsigned long range = 0x02000000 >> PAGE_SHIFT;
	unsigned long start = PAGE_ALIGN(mm->brk);

	return start + (random32() % range) * PAGE_SIZE;
}

/* The top of a new stack: STACK_TOP, less a random number of pages when randomising. */
unsigned long randomize_stack_top(unsigned long stack_top)
{
	unsigned long rnd = 0;

	if ((current->flags & PF_RANDOMIZE) && !(current->personality & ADDR_NO_RANDOMIZE))
		rnd = (random32() & STACK_RND_MASK) << PAGE_SHIFT;
	return PAGE_ALIGN(stack_top) - rnd;
}

/*
 * Where get_unmapped_area would put a mapping now, without making it: the
 * search runs as mmap's would, under mmap_sem, and the two hints it
 * leaves for the next search (free_area_cache, cached_hole_size) are put
 * back, so that asking changes nothing.  kmm's own (no Linux function
 * does this): the strace replay asks it before placing each mapping where
 * the traced program got it, to count where kmm's layout agrees.
 */
unsigned long get_unmapped_area_peek(struct file *file, unsigned long addr, unsigned long len,
				     unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long cache, hole;

	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	cache = mm->free_area_cache;
	hole = mm->cached_hole_size;
	addr = get_unmapped_area(file, addr, PAGE_ALIGN(len), pgoff, flags);
	mm->free_area_cache = cache;
	mm->cached_hole_size = hole;
	up_write(&mm->mmap_sem);
	return addr;
}
