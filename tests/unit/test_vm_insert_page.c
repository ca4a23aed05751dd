/*
 * test_vm_insert_page.c - a driver's pages in a process (issue 8):
 * vm_insert_page (mm/memory.c) and remap_vmalloc_range
 * (mm/vmalloc_rw.c), the rules 2.6.34 gives each, checked one by one.
 *
 * vm_insert_page(vma, addr, page), in 2.6.34's order:
 *   addr outside [vm_start, vm_end)     -EFAULT, the VMA untouched
 *   page_count(page) == 0               -EINVAL, the VMA untouched
 *   (from here VM_INSERTPAGE is set, whatever happens)
 *   PageAnon(page)                      -EINVAL
 *   no page table can be made           -ENOMEM
 *   the PTE slot is not empty           -EBUSY
 *   else: a reference, the file rss, the page's mapcount (Mapped on the
 *   first mapping), PTE = mk_pte(page, vma->vm_page_prot).
 *
 * remap_vmalloc_range(vma, addr, pgoff): addr page-aligned, the start of
 * an area that is VM_USERMAP, and the VMA's length plus pgoff pages
 * within the area's usable pages; else -EINVAL before anything is mapped.
 * Success sets VM_RESERVED.
 */
#include <string.h>

#include <kmm/err.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/mmu.h>
#include <kmm/pgtable.h>
#include <kmm/process.h>
#include <kmm/rwsem.h>
#include <kmm/uaccess.h>
#include <kmm/vbuf.h>
#include <kmm/vmalloc.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

static struct task_struct *spawn_and_enter(const char *name)
{
	struct task_struct *p = process_spawn(name);

	assert_non_null(p);
	process_enter(p);
	return p;
}

/* A shared anonymous mapping of @pages pages: a VMA that faults nothing in by itself. */
static struct vm_area_struct *shared_vma(unsigned long pages)
{
	long r = sys_mmap(0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1UL, 0);

	assert_false(IS_ERR_VALUE(r));
	return find_vma(current->mm, (unsigned long)r);
}

static pte_t pte_of(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address_in(current->mm, addr, &level);

	return pte ? ptep_get(pte) : __pte(0);
}

/* Mapped, in pages, with every CPU's deltas folded. */
static long mapped_pages(void)
{
	refresh_all_vm_stats();
	return (long)global_page_state(NR_FILE_MAPPED);
}

/* Each refusal of vm_insert_page, then an insert, then -EBUSY on top of it. */
static void insert_page_rules(void **state)
{
	struct vm_area_struct *vma;
	struct page *kpage, *free_page, *anon;
	unsigned long a, mapped0;
	unsigned char b = 1;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("driver");
	vma = shared_vma(4);
	a = vma->vm_start;

	/* Outside the VMA: -EFAULT, and the VMA not marked. */
	kpage = alloc_page(GFP_KERNEL);
	assert_non_null(kpage);
	assert_int_equal(vm_insert_page(vma, vma->vm_end, kpage), -EFAULT);
	assert_int_equal(vm_insert_page(vma, a - PAGE_SIZE, kpage), -EFAULT);
	assert_false(vma->vm_flags & VM_INSERTPAGE);

	/* A page nobody holds (a free page): -EINVAL, still not marked. */
	free_page = alloc_page(GFP_KERNEL);
	__free_page(free_page);
	assert_int_equal(page_count(free_page), 0);
	assert_int_equal(vm_insert_page(vma, a, free_page), -EINVAL);
	assert_false(vma->vm_flags & VM_INSERTPAGE);

	/* An anonymous page: -EINVAL, but the VMA is marked first (2.6.34's order). */
	{
		long r = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1UL, 0);

		assert_false(IS_ERR_VALUE(r));
		assert_int_equal(kmm_user_access((unsigned long)r, &b, 1, true, 0), 0);
		anon = pte_page(pte_of((unsigned long)r));
		assert_true(PageAnon(anon));
	}
	assert_int_equal(vm_insert_page(vma, a, anon), -EINVAL);
	assert_true(vma->vm_flags & VM_INSERTPAGE);
	assert_true(pte_none(pte_of(a)));

	/* The insert: one reference more, the first mapping, the file rss. */
	mapped0 = mapped_pages();
	assert_int_equal(page_count(kpage), 1);
	assert_int_equal(vm_insert_page(vma, a + PAGE_SIZE, kpage), 0);
	assert_int_equal(page_count(kpage), 2);
	assert_int_equal(page_mapcount(kpage), 1);
	assert_int_equal(mapped_pages(), mapped0 + 1);
	assert_int_equal(get_mm_counter(current->mm, MM_FILEPAGES), 1);
	assert_int_equal(pte_val(pte_of(a + PAGE_SIZE)),
			 pte_val(mk_pte(kpage, vma->vm_page_prot)));

	/* The slot is taken: -EBUSY, and nothing counted twice. */
	assert_int_equal(vm_insert_page(vma, a + PAGE_SIZE, kpage), -EBUSY);
	assert_int_equal(page_count(kpage), 2);
	assert_int_equal(page_mapcount(kpage), 1);
	assert_int_equal(mapped_pages(), mapped0 + 1);

	/* The process reads the kernel's byte through it. */
	memset(page_address(kpage), 0x3c, PAGE_SIZE);
	assert_int_equal(kmm_user_access(a + PAGE_SIZE, &b, 1, false, 0), 0);
	assert_int_equal(b, 0x3c);
	assert_mm_check();

	/* munmap drops the PTE's reference; the driver's stays. */
	assert_int_equal(sys_munmap(a, 4 * PAGE_SIZE), 0);
	assert_int_equal(page_count(kpage), 1);
	assert_int_equal(page_mapcount(kpage), 0);
	assert_int_equal(mapped_pages(), mapped0);
	__free_page(kpage);
	assert_mm_check();
}

/* mmap of /dev/vbuf on @buf: @pages pages from @pgoff; the address or -errno. */
static long vbuf_map(void *buf, unsigned long pages, unsigned long pgoff)
{
	struct file *file = vbuf_open(buf);
	long r;

	assert_non_null(file);
	down_write(&current->mm->mmap_sem);
	r = (long)do_mmap_pgoff(file, 0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				pgoff);
	up_write(&current->mm->mmap_sem);
	fput(file);
	return r;
}

/*
 * The bounds: a 4-page buffer maps 4 pages from 0, 3 from 1, 1 from 3;
 * not 5 from 0, 4 from 1, 1 from 4, nor anything of an area that is not
 * VM_USERMAP or at an address that is not an area's start.
 */
static void remap_vmalloc_range_bounds(void **state)
{
	static const struct { unsigned long pages, pgoff; long ok; } cases[] = {
		{ 4, 0, 1 }, { 3, 1, 1 }, { 1, 3, 1 }, { 5, 0, 0 }, { 4, 1, 0 }, { 1, 4, 0 },
	};
	void *user, *plain;
	struct vm_area_struct *vma;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("driver");
	user = vmalloc_user(4 * PAGE_SIZE);
	plain = vmalloc(4 * PAGE_SIZE);
	assert_non_null(user);
	assert_non_null(plain);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long r = vbuf_map(user, cases[i].pages, cases[i].pgoff);

		if (!cases[i].ok) {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		assert_false(IS_ERR_VALUE(r));
		vma = find_vma(current->mm, (unsigned long)r);
		assert_true(vma->vm_flags & VM_RESERVED);
		assert_true(vma->vm_flags & VM_INSERTPAGE);
		for (unsigned long p = 0; p < cases[i].pages; p++)
			assert_ptr_equal(pte_page(pte_of((unsigned long)r + p * PAGE_SIZE)),
					 vmalloc_to_page((char *)user + (cases[i].pgoff + p) * PAGE_SIZE));
		assert_mm_check();
		assert_int_equal(sys_munmap((unsigned long)r, cases[i].pages * PAGE_SIZE), 0);
	}
	assert_int_equal(vbuf_map(plain, 1, 0), -EINVAL);
	assert_int_equal(vbuf_map((char *)user + PAGE_SIZE, 1, 0), -EINVAL);
	assert_int_equal(vbuf_map((char *)user + 1, 1, 0), -EINVAL);
	assert_null(current->mm->mmap->vm_next);	/* the stack alone */
	vfree(user);
	vfree(plain);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(insert_page_rules, teardown_machine),
		cmocka_unit_test_teardown(remap_vmalloc_range_bounds, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
