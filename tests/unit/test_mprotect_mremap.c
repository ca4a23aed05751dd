/*
 * test_mprotect_mremap.c - the refusals of mprotect and mremap that a
 * scenario cannot reach (tests/scripts/process_mprotect.kmm and
 * process_mremap.kmm show the rest):
 *
 *   - mprotect's -EACCES: a VMA whose VM_MAY* bits forbid a right.  Every
 *     mapping kmm can make today has all three (a read-only file's shared
 *     mapping, the usual case, needs files), so the test clears the bits
 *     itself, as the file's f_mode would have;
 *   - RLIMIT_AS: a growth past it is -ENOMEM, whether it could stay in
 *     place or move, and a shrink is always allowed (the scripts have no
 *     setrlimit);
 *   - max_map_count: a split that would pass it fails mprotect with
 *     -ENOMEM and gives back what it charged; a move needs three VMAs of
 *     room (do_munmap may split one into three).
 *
 * Each test runs as a process of its own on a fresh 64M machine, at
 * fixed addresses (BASE), and ends with the process gone and mm_check.
 */
#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "tests/harness.h"

#define BASE		0x40000000UL
#define ANON_RW		(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static pid_t enter_new_process(void)
{
	struct task_struct *p;

	boot_or_fail("ram=64M cpus=1");
	p = process_spawn("test");
	assert_non_null(p);
	process_enter(p);
	return p->pid;
}

static void exit_process(pid_t pid)
{
	int status;

	process_exit(0);
	assert_int_equal(process_wait(pid, &status), pid);
	assert_mm_check();
}

static void map(unsigned long addr, unsigned long len, unsigned long prot)
{
	assert_int_equal(sys_mmap(addr, len, prot, ANON_RW, (unsigned long)-1, 0), (long)addr);
}

static unsigned long vma_flags_at(unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(current->mm, addr);

	assert_non_null(vma);
	assert_true(vma->vm_start <= addr);
	return vma->vm_flags;
}

/* Take @may (VM_MAYREAD...) from the VMA at @addr, as a read-only file's f_mode would. */
static void forbid(unsigned long addr, unsigned long may)
{
	struct mm_struct *mm = current->mm;

	down_write(&mm->mmap_sem);
	find_vma(mm, addr)->vm_flags &= ~may;
	up_write(&mm->mmap_sem);
}

/*
 * Three one-page VMAs, r--, --- and -w- (their flags differ: they never
 * merge): A allows everything, B lacks VM_MAYWRITE, C lacks VM_MAYEXEC.  What B or C
 * may not get is -EACCES; what they may is granted; a range over A and B
 * changes A before B refuses, as Linux does.
 */
static void mprotect_refuses_what_vm_may_forbids(void **state)
{
	unsigned long a = BASE, b = BASE + PAGE_SIZE, c = BASE + 2 * PAGE_SIZE;
	pid_t pid = enter_new_process();

	(void)state;
	map(a, PAGE_SIZE, PROT_READ);
	map(b, PAGE_SIZE, PROT_NONE);
	map(c, PAGE_SIZE, PROT_WRITE);
	forbid(b, VM_MAYWRITE);
	forbid(c, VM_MAYEXEC);

	assert_int_equal(sys_mprotect(b, PAGE_SIZE, PROT_READ | PROT_WRITE), -EACCES);
	assert_int_equal(sys_mprotect(b, PAGE_SIZE, PROT_WRITE), -EACCES);
	assert_int_equal(sys_mprotect(c, PAGE_SIZE, PROT_READ | PROT_EXEC), -EACCES);
	assert_int_equal(vma_flags_at(b) & (VM_READ | VM_WRITE | VM_EXEC), 0);
	assert_int_equal(vma_flags_at(c) & (VM_READ | VM_WRITE | VM_EXEC), VM_WRITE);
	assert_int_equal(sys_mprotect(b, PAGE_SIZE, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(sys_mprotect(c, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);

	/* Over A and B: A becomes writable, then B refuses. */
	assert_int_equal(sys_mprotect(a, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), -EACCES);
	assert_true(vma_flags_at(a) & VM_WRITE);
	assert_false(vma_flags_at(b) & VM_WRITE);

	/* Without VM_MAYREAD even PROT_READ is refused; PROT_NONE never is. */
	forbid(a, VM_MAYREAD);
	assert_int_equal(sys_mprotect(a, PAGE_SIZE, PROT_READ), -EACCES);
	assert_int_equal(sys_mprotect(a, PAGE_SIZE, PROT_NONE), 0);
	exit_process(pid);
}

/*
 * RLIMIT_AS set two pages above what the process maps: a growth of two
 * pages fits (in place), one more page does not -- in place or moved --
 * and charges nothing; a shrink is allowed.
 */
static void mremap_growth_respects_rlimit_as(void **state)
{
	pid_t pid = enter_new_process();
	struct mm_struct *mm = current->mm;
	unsigned long committed, ret;

	(void)state;
	map(BASE, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	current->signal->rlim[RLIMIT_AS].rlim_cur = (mm->total_vm + 2) << PAGE_SHIFT;
	assert_int_equal(sys_mremap(BASE, 4 * PAGE_SIZE, 6 * PAGE_SIZE, 0, 0), BASE);
	committed = vm_committed_pages();
	ret = sys_mremap(BASE, 6 * PAGE_SIZE, 7 * PAGE_SIZE, 0, 0);
	assert_int_equal((long)ret, -ENOMEM);
	ret = sys_mremap(BASE, 6 * PAGE_SIZE, 7 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	assert_int_equal((long)ret, -ENOMEM);
	ret = sys_mremap(BASE, 6 * PAGE_SIZE, 7 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			 BASE + 0x100000);
	assert_int_equal((long)ret, -ENOMEM);
	assert_int_equal(vm_committed_pages(), committed);
	assert_int_equal(find_vma(mm, BASE)->vm_end, BASE + 6 * PAGE_SIZE);
	assert_int_equal(sys_mremap(BASE, 6 * PAGE_SIZE, PAGE_SIZE, 0, 0), BASE);
	assert_int_equal(vm_committed_pages(), committed - 5);
	exit_process(pid);
}

/*
 * max_map_count at the number of VMAs now: mprotect of a page inside a
 * read-only mapping, made writable (charged first), needs a split and
 * fails with -ENOMEM, giving the charge back; at three more VMAs a move
 * is refused too, at four it goes.
 */
static void map_count_limits_splits_and_moves(void **state)
{
	pid_t pid = enter_new_process();
	struct mm_struct *mm = current->mm;
	int saved = sysctl_max_map_count;
	unsigned long committed;

	(void)state;
	map(BASE, 4 * PAGE_SIZE, PROT_READ);
	committed = vm_committed_pages();
	sysctl_max_map_count = mm->map_count;
	assert_int_equal(sys_mprotect(BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE), -ENOMEM);
	assert_int_equal(vm_committed_pages(), committed);
	assert_int_equal(find_vma(mm, BASE)->vm_end, BASE + 4 * PAGE_SIZE);

	sysctl_max_map_count = mm->map_count + 3;
	assert_int_equal((long)sys_mremap(BASE, PAGE_SIZE, PAGE_SIZE,
					  MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 0x100000), -ENOMEM);
	sysctl_max_map_count = mm->map_count + 4;
	assert_int_equal(sys_mremap(BASE, PAGE_SIZE, PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
				    BASE + 0x100000), BASE + 0x100000);
	sysctl_max_map_count = saved;
	exit_process(pid);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(mprotect_refuses_what_vm_may_forbids, teardown_machine),
	cmocka_unit_test_teardown(mremap_growth_respects_rlimit_as, teardown_machine),
	cmocka_unit_test_teardown(map_count_limits_splits_and_moves, teardown_machine),
};

KMM_TEST_MAIN(tests)
