/*
 * sys.c - prctl(PR_SET_MM): a process says where its program's parts are
 * (Linux 3.3's kernel/sys.c prctl_set_mm; 2.6.34 has no such call, see
 * docs/glossary.md).
 *
 * kmm's strace replay is its user: a traced program's image and heap were
 * set up by an exec that its log does not show (the log starts after
 * it), so a process replaying it starts with the heap where kmm's spawn
 * put it.  The first brk the log shows gives the real start of the heap,
 * and the replay moves the process's start_brk and brk there; from then
 * on brk grows and shrinks the heap as the traced program's did.
 *
 * The checks are 3.3's for these two options: the new value lies in the
 * user address space above the end of the data segment, and the heap it
 * makes stays within RLIMIT_DATA.  The capability check (CAP_SYS_RESOURCE)
 * is left out: kmm's processes have no capabilities to check.
 */
#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/prctl.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>

long prctl_set_mm(int opt, unsigned long addr)
{
	struct mm_struct *mm = current->is_process ? current->mm : NULL;
	unsigned long rlim = rlimit(RLIMIT_DATA);
	long err = -EINVAL;

	if (!mm)
		return -EFAULT;
	if (opt != PR_SET_MM_START_BRK && opt != PR_SET_MM_BRK)
		return -EINVAL;
	if (addr >= mm->task_size || addr < mmap_min_addr)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	if (addr <= mm->end_data)
		goto out;
	if (opt == PR_SET_MM_START_BRK) {
		/* A heap already grown moves with its start: the replay sets both. */
		if (mm->brk > mm->start_brk)
			goto out;
		if (rlim < RLIM_INFINITY && mm->end_data - mm->start_data > rlim)
			goto out;
		mm->start_brk = mm->brk = addr;
	} else {
		if (addr < mm->start_brk)
			goto out;
		if (rlim < RLIM_INFINITY &&
		    (addr - mm->start_brk) + (mm->end_data - mm->start_data) > rlim)
			goto out;
		mm->brk = addr;
	}
	err = 0;
out:
	up_write(&mm->mmap_sem);
	return err;
}
