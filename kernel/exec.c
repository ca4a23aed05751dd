/*
 * exec.c - execve(2): a program replaces the current process's image
 * (2.6.34's fs/exec.c: do_execve, bprm_mm_init, copy_strings,
 * setup_arg_pages, flush_old_exec, exec_mmap, setup_new_exec).
 *
 * The order is Linux's, and it is what makes a refused exec harmless:
 *
 *   open_exec        the file: ENOENT, EACCES (not regular, not executable)
 *   bprm_mm_init     a new mm with one stack page at STACK_TOP_MAX
 *   copy_strings     the file name, then envp, then argv, each copied last
 *                    string first, downwards from the top of that page,
 *                    through the MMU into the new mm (E2BIG past the limit)
 *   load_elf_binary  headers and interpreter checked (ENOEXEC, EIO,
 *                    ELIBBAD), then flush_old_exec: the new mm becomes the
 *                    process's and the old one goes -- the point of no
 *                    return -- then the image is mapped
 *
 * Everything before flush_old_exec touches only the new mm, which a
 * failure simply drops: the process is left exactly as it was.  After it,
 * a failure leaves a fatal signal pending (the process dies on its way
 * back, as in Linux).
 *
 * The new mm is written before it is the process's: copy_strings borrows
 * it for the calling task (use_bprm_mm: its CR3 loaded, current->mm
 * pointing at it) so that the copies go through the MMU and its faults,
 * as Linux's get_user_pages on bprm->mm does.
 *
 * What lives elsewhere: the ELF format (binfmt_elf.c), the vdso
 * (vdso.c), the process model (process.c).
 */
#include <string.h>

#include <kmm/binfmts.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/process.h>
#include <kmm/random.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include <kmm/tlbflush.h>
#include <kmm/uaccess.h>
#include "kernel/exec_internal.h"

/*
 * open_exec: the program's file, opened for reading.  A name that does
 * not exist is ENOENT (from the open); anything but a regular file, or a
 * file no one may execute, is EACCES -- the checks of do_filp_open's
 * MAY_EXEC and of open_exec's S_ISREG, in one place.
 */
int exec_file_permission(struct file *file)
{
	unsigned int mode = file_inode(file)->i_mode;

	if (!S_ISREG(mode))
		return -EACCES;
	if (!(mode & 0111))
		return -EACCES;	/* MAY_EXEC: some execute bit (host owners are not modelled) */
	return 0;
}

struct file *open_exec(const char *name)
{
	struct file *file = filp_open(name, O_RDONLY, 0);
	int err;

	/* Linux opens a directory read-only and then refuses it as not regular. */
	if (IS_ERR(file) && PTR_ERR(file) == -EISDIR)
		return ERR_PTR(-EACCES);
	if (IS_ERR(file))
		return file;
	err = exec_file_permission(file);
	if (err) {
		fput(file);
		return ERR_PTR(err);
	}
	return file;
}

/*
 * The calling task works on @mm (the exec's new address space) until
 * unuse_bprm_mm: its CR3 and current->mm, so that copy_to_user writes
 * there and its faults are that mm's (Linux's use_mm, as AIO uses it).
 */
struct mm_switch {
	struct mm_struct *mm, *active_mm;
};

static void use_bprm_mm(struct mm_struct *mm, struct mm_switch *s)
{
	struct task_struct *tsk = current;

	s->mm = tsk->mm;
	s->active_mm = tsk->active_mm;
	tsk->mm = mm;
	tsk->active_mm = mm;
	switch_mm(s->active_mm, mm);
}

static void unuse_bprm_mm(struct mm_switch *s)
{
	struct task_struct *tsk = current;
	struct mm_struct *mm = tsk->mm;

	tsk->mm = s->mm;
	tsk->active_mm = s->active_mm;
	switch_mm(mm, s->active_mm);
}

/*
 * bprm_mm_init: the new address space, with the stack's first page at the
 * highest stack address the architecture has (STACK_TOP_MAX; setup_arg_pages
 * moves it to STACK_TOP later) and bprm->p one word below its top.
 */
static int bprm_mm_init(struct linux_binprm *bprm)
{
	struct mm_struct *mm = mm_alloc();
	struct vm_area_struct *vma;
	int err;

	if (!mm)
		return -ENOMEM;
	vma = vm_area_alloc(mm);
	if (!vma) {
		mmput(mm);
		return -ENOMEM;
	}
	vma->vm_end = arch_task_size();
	vma->vm_start = vma->vm_end - PAGE_SIZE;
	vma->vm_flags = VM_STACK_FLAGS;
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	down_write(&mm->mmap_sem);
	err = insert_vm_struct(mm, vma);
	if (!err)
		mm->stack_vm = mm->total_vm = 1;
	up_write(&mm->mmap_sem);
	if (err) {
		vm_area_free(vma);
		mmput(mm);
		return err;
	}
	bprm->mm = mm;
	bprm->vma = vma;
	bprm->p = vma->vm_end - arch->sizeof_ptr;
	return 0;
}

/* count: the strings of a NULL-terminated array, or -E2BIG past @max. */
static int count(const char *const argv[], int max)
{
	int i = 0;

	if (!argv)
		return 0;
	while (argv[i]) {
		if (i >= max)
			return -E2BIG;
		i++;
	}
	return i;
}

/*
 * get_arg_page's limit: the strings may take 32 pages whatever the stack
 * limit, and beyond that a quarter of RLIMIT_STACK, so that the program
 * keeps stack to run on.  @pos is the lowest byte about to be written.
 */
static bool arg_room(struct linux_binprm *bprm, unsigned long pos)
{
	unsigned long size = bprm->vma->vm_end - (pos & PAGE_MASK);

	return size <= ARG_MAX || size <= rlimit(RLIMIT_STACK) / 4;
}

/*
 * copy_strings: @argc strings of @argv below bprm->p, the last one first,
 * so that in memory they read in order upwards.  Each is copied through
 * the MMU into the new mm (the stack grows page by page as Linux's
 * get_arg_page grows it); any failure is E2BIG, as there.
 */
static int copy_strings(int argc, const char *const argv[], struct linux_binprm *bprm)
{
	while (argc-- > 0) {
		size_t len = strlen(argv[argc]) + 1;
		unsigned long pos;

		if (len > MAX_ARG_STRLEN)
			return -E2BIG;
		pos = bprm->p - len;
		if (pos > bprm->p || !arg_room(bprm, pos))
			return -E2BIG;
		if (copy_to_user((void __user *)pos, argv[argc], len))
			return -E2BIG;
		bprm->p = pos;
	}
	return 0;
}

/* The file name, the environment, the arguments: in that order, into the new mm. */
static int bprm_copy_all(struct linux_binprm *bprm, const char *const argv[],
			 const char *const envp[])
{
	const char *const name[] = { bprm->filename, NULL };
	struct mm_switch s;
	int err;

	use_bprm_mm(bprm->mm, &s);
	err = copy_strings(1, name, bprm);
	if (!err) {
		bprm->exec = bprm->p;
		err = copy_strings(bprm->envc, envp, bprm);
	}
	if (!err)
		err = copy_strings(bprm->argc, argv, bprm);
	unuse_bprm_mm(&s);
	return err;
}

int exec_read(struct file *file, u64 offset, char *addr, unsigned long count)
{
	if (offset >= (u64)i_size_read(file_inode(file)))
		return 0;
	return kernel_read(file, (loff_t)offset, addr, count);
}

/* prepare_binprm: the file's first BINPRM_BUF_SIZE bytes (zero past its end): the bytes read, or -errno. */
static int prepare_binprm(struct linux_binprm *bprm)
{
	memset(bprm->buf, 0, BINPRM_BUF_SIZE);
	return exec_read(bprm->file, 0, bprm->buf, BINPRM_BUF_SIZE);
}

/*
 * exec_mmap: the process takes the new address space and drops the old
 * one (its last user tears it down); a vfork parent waiting for this
 * child goes on (mm_release).  The layout of the new mm is chosen here,
 * with the task's limits and personality.
 */
static int exec_mmap(struct mm_struct *mm)
{
	struct task_struct *tsk = current;
	struct mm_struct *old_mm = tsk->mm;
	struct mm_struct *active_mm = tsk->active_mm;

	process_exec_release(tsk);
	tsk->mm = mm;
	tsk->active_mm = mm;
	switch_mm(active_mm, mm);
	arch_pick_mmap_layout(mm);
	if (old_mm)
		mmput(old_mm);
	return 0;
}

/*
 * flush_old_exec: the point after which the old image is gone.  The
 * other threads of the process end (de_thread), the new mm replaces the
 * old, and the randomisation flag is cleared for the loader to decide
 * again.
 */
int flush_old_exec(struct linux_binprm *bprm)
{
	int err = process_de_thread(current);

	if (err)
		return err;
	err = exec_mmap(bprm->mm);
	if (err)
		return err;
	bprm->mm = NULL;	/* the process's now */
	current->flags &= ~PF_RANDOMIZE;
	current->personality &= ~bprm->per_clear;
	return 0;
}

/* setup_new_exec: the layout chosen again (the loader changed the flags), and comm from the name. */
void setup_new_exec(struct linux_binprm *bprm)
{
	const char *name = bprm->filename, *slash = strrchr(name, '/');
	struct task_struct *tsk = current;

	arch_pick_mmap_layout(tsk->mm);
	strlcpy(tsk->comm, slash ? slash + 1 : name, sizeof(tsk->comm));
	tsk->mm->task_size = arch_task_size();
}

/* x86's arch_align_stack: a random 0-8K down when randomising, then 16-byte aligned. */
unsigned long arch_align_stack(unsigned long sp)
{
	if (!(current->personality & ADDR_NO_RANDOMIZE) && randomize_va_space)
		sp -= random32() % 8192;
	return sp & ~0xfUL;
}

/*
 * shift_arg_pages: the stack VMA and the pages of the strings move down
 * by @shift (a randomised STACK_TOP below STACK_TOP_MAX).  The VMA first
 * covers both ranges, the page tables move, the tables left empty above
 * are freed, then it shrinks to the new range.
 */
static int shift_arg_pages(struct vm_area_struct *vma, unsigned long shift)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long old_start = vma->vm_start, old_end = vma->vm_end;
	unsigned long length = old_end - old_start;
	unsigned long new_start = old_start - shift, new_end = old_end - shift;

	if (vma != find_vma(mm, new_start))
		return -EFAULT;
	if (vma_adjust(vma, new_start, old_end, vma->vm_pgoff, NULL))
		return -ENOMEM;
	if (length != move_page_tables(vma, old_start, vma, new_start, length))
		return -ENOMEM;
	/* The emptied tables above go (when the ranges overlap, from new_end). */
	free_pgd_range(mm, new_end > old_start ? new_end : old_start, old_end, new_end,
		       vma->vm_next ? vma->vm_next->vm_start : 0);
	vma_adjust(vma, new_start, new_end, vma->vm_pgoff, NULL);
	return 0;
}

/*
 * setup_arg_pages: the stack in its final place.  It moves from
 * STACK_TOP_MAX to @stack_top (aligned as arch_align_stack says), takes
 * the protections PT_GNU_STACK asked for, and grows 128 KiB below its
 * strings (less when RLIMIT_STACK is smaller) so that the program starts
 * with room -- 2.6.34's numbers, which is why a fresh [stack] is 33 pages.
 */
int setup_arg_pages(struct linux_binprm *bprm, unsigned long stack_top, int executable_stack)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = bprm->vma, *prev = NULL;
	unsigned long stack_shift, vm_flags, stack_base, stack_size, rlim_stack;
	unsigned long stack_expand = 131072UL;
	int ret;

	stack_top = PAGE_ALIGN(arch_align_stack(stack_top));
	stack_shift = vma->vm_end - stack_top;
	bprm->p -= stack_shift;
	mm->arg_start = bprm->p;
	bprm->exec -= stack_shift;

	down_write(&mm->mmap_sem);
	vm_flags = VM_STACK_FLAGS;
	if (executable_stack == EXSTACK_ENABLE_X)
		vm_flags |= VM_EXEC;
	else if (executable_stack == EXSTACK_DISABLE_X)
		vm_flags &= ~VM_EXEC;
	vm_flags |= mm->def_flags;
	ret = mprotect_fixup(vma, &prev, vma->vm_start, vma->vm_end, vm_flags);
	if (ret)
		goto out_unlock;
	if (stack_shift) {
		ret = shift_arg_pages(vma, stack_shift);
		if (ret)
			goto out_unlock;
	}
	stack_size = vma->vm_end - vma->vm_start;
	rlim_stack = rlimit(RLIMIT_STACK) & PAGE_MASK;
	if (stack_size + stack_expand > rlim_stack)
		stack_base = vma->vm_end - rlim_stack;
	else
		stack_base = vma->vm_start - stack_expand;
	ret = expand_stack(vma, stack_base);
	if (ret)
		ret = -EFAULT;
out_unlock:
	up_write(&mm->mmap_sem);
	return ret;
}

int do_execve(const char *filename, const char *const argv[], const char *const envp[])
{
	return do_execve_pie(filename, argv, envp, EXEC_PIE_2634);
}

int do_execve_pie(const char *filename, const char *const argv[], const char *const envp[],
		  int pie)
{
	struct linux_binprm *bprm;
	struct file *file;
	int retval;

	if (!current->is_process || !current->mm)
		return -EINVAL;
	bprm = kzalloc(sizeof(*bprm), GFP_KERNEL);
	if (!bprm)
		return -ENOMEM;
	file = open_exec(filename);
	retval = PTR_ERR(file);
	if (IS_ERR(file))
		goto out_free;
	bprm->file = file;
	bprm->filename = filename;
	bprm->pie = pie;
	retval = bprm_mm_init(bprm);
	if (retval)
		goto out_file;
	bprm->argc = retval = count(argv, MAX_ARG_STRINGS);
	if (retval < 0)
		goto out;
	bprm->envc = retval = count(envp, MAX_ARG_STRINGS);
	if (retval < 0)
		goto out;
	retval = prepare_binprm(bprm);
	if (retval < 0)
		goto out;
	retval = bprm_copy_all(bprm, argv, envp);
	if (retval < 0)
		goto out;
	/* search_binary_handler: ELF is kmm's only format (no #! scripts: docs/glossary.md). */
	retval = load_elf_binary(bprm);
	if (retval < 0)
		goto out;
	current->flags &= ~PF_FORKNOEXEC;
	fput(bprm->file);
	kfree(bprm);
	return 0;
out:
	if (bprm->mm)
		mmput(bprm->mm);
out_file:
	fput(bprm->file);
out_free:
	kfree(bprm);
	return retval;
}
