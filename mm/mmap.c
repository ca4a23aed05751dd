/*
 * mmap.c - mapping and unmapping ranges of a process's address space:
 * mmap, munmap and brk, stack growth, the overcommit accounting behind
 * Committed_AS, and the tear-down of an address space at exit.
 *
 *   sys_mmap -> do_mmap_pgoff: check the request, pick the address
 *               (get_unmapped_area), compute vm_flags from PROT_ and MAP_
 *            -> mmap_region: unmap what was there (MAP_FIXED), check
 *               RLIMIT_AS and the overcommit policy, merge into a
 *               neighbour (vma_merge) or link a new VMA; populate if asked
 *   sys_munmap -> do_munmap: split the VMAs at both ends, detach the
 *               ones inside, unmap their pages and free the page tables
 *               (unmap_region, memory.c), free the VMAs
 *   sys_brk  -> do_munmap to shrink, do_brk to grow (an anonymous mmap
 *               of the heap that merges with the previous heap VMA)
 *
 * Every entry point takes mmap_sem for writing; the do_ functions expect
 * it held.  Nothing is changed on an error: each check runs before the
 * first change, and allocations that can fail come before the VMAs move.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/printk.h>
#include <kmm/rwsem.h>
#include <kmm/resource.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/tlbflush.h>
#include <kmm/trace.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

int sysctl_overcommit_memory __state = OVERCOMMIT_GUESS;
int sysctl_overcommit_ratio __state = 50;
int sysctl_max_map_count __state = DEFAULT_MAX_MAP_COUNT;

/* Committed_AS: pages of VM_ACCOUNT mappings, whatever they touched. */
static atomic_long_t vm_committed_as __state_zero;

/*
 * The PTE bits of a VMA's pages, from its read/write/exec/shared bits.
 * Private writable pages map read-only: the first write faults and
 * copies (or takes) the page -- copy-on-write.  Shared writable ones map
 * writable.  Without exec the PTE gets NX (dropped where the CPU has no NX).
 */
static const pgprot_t protection_map[16] = {
	/* private: ---, r--, -w-, rw-, --x, r-x, -wx, rwx */
	PAGE_NONE, PAGE_READONLY, PAGE_COPY, PAGE_COPY,
	PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_COPY_EXEC, PAGE_COPY_EXEC,
	/* shared */
	PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED,
	PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_SHARED_EXEC, PAGE_SHARED_EXEC,
};

pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
	return protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

/* ---- overcommit ---- */

void vm_acct_memory(long pages)
{
	atomic_long_add(pages, &vm_committed_as);
}

void vm_unacct_memory(long pages)
{
	atomic_long_sub(pages, &vm_committed_as);
}

unsigned long vm_committed_pages(void)
{
	long v = atomic_long_read(&vm_committed_as);

	return v < 0 ? 0 : (unsigned long)v;
}

/* CommitLimit: overcommit_ratio percent of RAM, plus swap. */
unsigned long vm_commit_limit(void)
{
	return totalram_pages * sysctl_overcommit_ratio / 100 + (unsigned long)total_swap_pages;
}

/*
 * May @pages more pages be committed?  Charged at once (and uncharged if
 * not).  The three policies of vm.overcommit_memory:
 *   1 (always)  yes;
 *   0 (guess)   if page cache + free swap + reclaimable slab, or failing
 *               that those plus the free pages above the reserves, exceed
 *               the request -- 1/32 of it kept for root;
 *   2 (never)   if Committed_AS stays below CommitLimit, less 1/32 for
 *               root and 1/32 of this process's size.
 * kmm's processes are not root (cap_sys_admin 0).
 */
int __vm_enough_memory(struct mm_struct *mm, long pages, int cap_sys_admin)
{
	unsigned long free, allowed;

	vm_acct_memory(pages);
	if (sysctl_overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (sysctl_overcommit_memory == OVERCOMMIT_GUESS) {
		unsigned long n;

		free = global_page_state(NR_FILE_PAGES);
		free += (unsigned long)nr_swap_pages;
		free += global_page_state(NR_SLAB_RECLAIMABLE);
		if (!cap_sys_admin)
			free -= free / 32;
		if (free > (unsigned long)pages)
			return 0;
		n = nr_free_pages();
		if (n <= totalreserve_pages)
			goto error;
		n -= totalreserve_pages;
		if (!cap_sys_admin)
			n -= n / 32;
		free += n;
		if (free > (unsigned long)pages)
			return 0;
		goto error;
	}
	allowed = totalram_pages * sysctl_overcommit_ratio / 100;
	if (!cap_sys_admin)
		allowed -= allowed / 32;
	allowed += (unsigned long)total_swap_pages;
	if (mm)
		allowed -= mm->total_vm / 32;
	if (vm_committed_pages() < allowed)
		return 0;
error:
	vm_unacct_memory(pages);
	return -ENOMEM;
}

int security_vm_enough_memory_mm(struct mm_struct *mm, long pages)
{
	return __vm_enough_memory(mm, pages, 0);
}

/* Within RLIMIT_AS after adding @npages? */
int may_expand_vm(struct mm_struct *mm, unsigned long npages)
{
	unsigned long lim = rlimit(RLIMIT_AS) >> PAGE_SHIFT;

	return mm->total_vm + npages <= lim;
}

/* The per-kind sizes of /proc/PID/status (VmExe, VmStk, shared...). */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, struct file *file, long pages)
{
	if (file) {
		mm->shared_vm += pages;
		if ((flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			mm->exec_vm += pages;
	} else if (flags & VM_GROWSDOWN) {
		mm->stack_vm += pages;
	}
	if (flags & (VM_RESERVED | VM_IO))
		mm->reserved_vm += pages;
}

/* ---- mmap ---- */

/* PROT_ and MAP_ bits to VM_ bits. */
unsigned long calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

static unsigned long calc_vm_flag_bits(unsigned long flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & MAP_DENYWRITE ? VM_DENYWRITE : 0) |
	       (flags & MAP_EXECUTABLE ? VM_EXECUTABLE : 0) |
	       (flags & MAP_LOCKED ? VM_LOCKED : 0);
}

/* A writable private mapping is charged to Committed_AS, unless MAP_NORESERVE. */
static bool accountable_mapping(struct file *file, unsigned long vm_flags)
{
	(void)file;
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/*
 * Make room at [addr, addr + len) -- MAP_FIXED over what was there --
 * and check RLIMIT_AS for the new pages; then where the new VMA links.
 * -ENOMEM when the unmap or the limit refuses.
 */
static int clear_old_maps(struct mm_struct *mm, unsigned long addr, unsigned long len,
			  struct vm_area_struct **prev, struct rb_node ***rb_link,
			  struct rb_node **rb_parent)
{
	for (;;) {
		struct vm_area_struct *vma = find_vma_prepare(mm, addr, prev, rb_link, rb_parent);

		if (!vma || vma->vm_start >= addr + len)
			break;
		if (do_munmap(mm, addr, len))
			return -ENOMEM;
	}
	return may_expand_vm(mm, len >> PAGE_SHIFT) ? 0 : -ENOMEM;
}

unsigned long mmap_region(struct file *file, unsigned long addr, unsigned long len,
			  unsigned long flags, unsigned long vm_flags, unsigned long pgoff)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	struct rb_node **rb_link, *rb_parent;
	unsigned long charged = 0;
	int error;

	if (clear_old_maps(mm, addr, len, &prev, &rb_link, &rb_parent))
		return -ENOMEM;
	if ((flags & MAP_NORESERVE) && sysctl_overcommit_memory != OVERCOMMIT_NEVER)
		vm_flags |= VM_NORESERVE;
	if (accountable_mapping(file, vm_flags)) {
		charged = len >> PAGE_SHIFT;
		if (security_vm_enough_memory_mm(mm, charged))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}

	/*
	 * A range next to a compatible one just extends it: anonymous private
	 * memory, or the same file at the following offsets (2.6.34 tries
	 * every mapping; a new shared anonymous one never matches, its object
	 * is not made yet).
	 */
	vma = vma_merge(mm, prev, addr, addr + len, vm_flags, NULL, file, pgoff);
	if (vma)
		goto out;

	error = -ENOMEM;
	vma = vm_area_alloc(mm);
	if (!vma)
		goto unacct;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	vma->vm_pgoff = pgoff;
	if (file) {
		if (vm_flags & (VM_GROWSDOWN | VM_GROWSUP)) {
			error = -EINVAL;
			goto free_vma;
		}
		vma->vm_file = file;
		get_file(file);
		error = file->f_op->mmap(file, vma);
		if (error)
			goto unmap_and_free_vma;
		/*
		 * A driver's ->mmap may move the VMA or set flags
		 * (remap_vmalloc_range's VM_RESERVED): what is accounted
		 * below is what it left.
		 */
		addr = vma->vm_start;
		vm_flags = vma->vm_flags;
	} else if (vm_flags & VM_SHARED) {
		error = shmem_zero_setup(vma);
		if (error)
			goto free_vma;
	}
	vma_link(mm, vma, prev, rb_link, rb_parent);
	file = vma->vm_file;
out:
	mm->total_vm += len >> PAGE_SHIFT;
	vm_stat_account(mm, vm_flags, file, len >> PAGE_SHIFT);
	if (vm_flags & VM_LOCKED) {
		if (!mlock_vma_pages_range(vma, addr, addr + len))
			mm->locked_vm += len >> PAGE_SHIFT;
	} else if ((flags & MAP_POPULATE) && !(flags & MAP_NONBLOCK)) {
		make_pages_present(addr, addr + len);
	}
	if (trace_on(mmap))
		trace_event(TRACE_mmap, "addr=0x%lx len=0x%lx vm_flags=0x%lx", addr, len, vm_flags);
	return addr;

unmap_and_free_vma:
	vma->vm_file = NULL;
	fput(file);
	/*
	 * Undo what a driver mapped before it failed (vm_insert_page's
	 * pages).  unmap_region gives back the VMA's commit charge itself.
	 */
	unmap_region(mm, vma, prev, vma->vm_start, vma->vm_end);
	charged = 0;
free_vma:
	vm_area_free(vma);
unacct:
	if (charged)
		vm_unacct_memory(charged);
	return error;
}

/* A non-fixed hint below mmap_min_addr is raised to it (round_hint_to_min). */
static unsigned long round_hint_to_min(unsigned long hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < PAGE_ALIGN(mmap_min_addr))
		return PAGE_ALIGN(mmap_min_addr);
	return hint;
}

unsigned long do_mmap_pgoff(struct file *file, unsigned long addr, unsigned long len,
			    unsigned long prot, unsigned long flags, unsigned long pgoff)
{
	struct mm_struct *mm = current->mm;
	unsigned long vm_flags;

	if (!len)
		return -EINVAL;
	if (!(flags & MAP_FIXED))
		addr = round_hint_to_min(addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > sysctl_max_map_count)
		return -ENOMEM;

	addr = get_unmapped_area(file, addr, len, pgoff, flags);
	if (addr & ~PAGE_MASK)
		return addr;
	/* Linux 4.17's MAP_FIXED_NOREPLACE: nothing may be there already. */
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;
	if ((flags & MAP_FIXED) && addr < mmap_min_addr)
		return -EPERM;

	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags |
		   VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if ((flags & MAP_LOCKED) && !can_do_mlock())
		return -EPERM;
	if ((vm_flags & VM_LOCKED) && !mlock_allowed(mm, len))
		return -EAGAIN;

	if (file) {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
				return -EACCES;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (!(file->f_mode & FMODE_WRITE))
				vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			/* fall through */
		case MAP_PRIVATE:
			if (!(file->f_mode & FMODE_READ))
				return -EACCES;
			if (!file->f_op || !file->f_op->mmap)
				return -ENODEV;
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_PRIVATE:
			/* The offset of an anonymous page is its address (anon_vma's index). */
			pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return -EINVAL;
		}
	}
	return mmap_region(file, addr, len, flags, vm_flags, pgoff);
}

long sys_mmap_pgoff(unsigned long addr, unsigned long len, unsigned long prot,
		    unsigned long flags, unsigned long fd, unsigned long pgoff)
{
	struct mm_struct *mm = current->mm;
	struct file *file = NULL;
	unsigned long ret;

	if (!mm)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(fd);
		if (!file)
			return -EBADF;
	} else if (flags & MAP_HUGETLB) {
		return -ENOMEM;		/* no huge pages configured, as a kernel with none says */
	}
	flags &= ~(MAP_EXECUTABLE | MAP_DENYWRITE);
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	down_write(&mm->mmap_sem);
	ret = do_mmap_pgoff(file, addr, len, prot, flags, pgoff);
	up_write(&mm->mmap_sem);
	if (file)
		fput(file);
	return (long)ret;
}

/* x86_64's mmap: the offset in bytes, page-aligned. */
long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags,
	      unsigned long fd, unsigned long off)
{
	if (off & ~PAGE_MASK)
		return -EINVAL;
	return sys_mmap_pgoff(addr, len, prot, flags, fd, off >> PAGE_SHIFT);
}

/* ---- munmap ---- */

/* Free one VMA (its file reference, its anon_vma links); the next one is returned. */
struct vm_area_struct *remove_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next;

	might_sleep();
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
	return next;
}

static void remove_vma_list(struct mm_struct *mm, struct vm_area_struct *vma)
{
	update_hiwater_vm(mm);
	do {
		long nrpages = vma_pages(vma);

		mm->total_vm -= nrpages;
		vm_stat_account(mm, vma->vm_flags, vma->vm_file, -nrpages);
		vma = remove_vma(vma);
	} while (vma);
}

/*
 * Take the VMAs from @vma up to @end off the list and the tree (they stay
 * chained by vm_next for unmap_region), and tell the layout that a hole
 * opened (its search may start there next time).
 */
static void detach_vmas_to_be_unmapped(struct mm_struct *mm, struct vm_area_struct *vma,
				       struct vm_area_struct *prev, unsigned long end)
{
	struct vm_area_struct **insertion_point = prev ? &prev->vm_next : &mm->mmap;
	struct vm_area_struct *tail = NULL;
	unsigned long addr;

	do {
		rb_erase(&vma->vm_rb, &mm->mm_rb);
		if (vma->vm_file)
			vma_unlink_file(vma);
		mm->map_count--;
		tail = vma;
		vma = vma->vm_next;
	} while (vma && vma->vm_start < end);
	*insertion_point = vma;
	tail->vm_next = NULL;
	if (mm->unmap_area == arch_unmap_area)
		addr = prev ? prev->vm_end : mm->mmap_base;
	else
		addr = vma ? vma->vm_start : mm->mmap_base;
	mm->unmap_area(mm, addr);
	mm->mmap_cache = NULL;
}

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	struct vm_area_struct *vma, *prev, *last, *tmp;
	unsigned long end;
	int error;

	if ((start & ~PAGE_MASK) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	vma = find_vma_prev(mm, start, &prev);
	if (!vma)
		return 0;
	end = start + len;
	if (vma->vm_start >= end)
		return 0;

	/*
	 * Split at the ends first.  munmap may end with one VMA more than it
	 * began only when it punches a hole inside one; that is what the
	 * max_map_count check guards (it may go over by one on the way).
	 */
	if (start > vma->vm_start) {
		if (end < vma->vm_end && mm->map_count >= sysctl_max_map_count)
			return -ENOMEM;
		error = __split_vma(mm, vma, start, 0);
		if (error)
			return error;
		prev = vma;
	}
	last = find_vma(mm, end);
	if (last && end > last->vm_start) {
		error = __split_vma(mm, last, end, 1);
		if (error) {
			/* The split at start stays (2.6.34's too): its halves are apart. */
			if (start > vma->vm_start)
				vma->kmm_apart_ok |= KMM_APART_NEXT;
			return error;
		}
	}
	vma = prev ? prev->vm_next : mm->mmap;

	/* Locked pages are munlocked before they go: Mlocked and Unevictable stay exact. */
	if (mm->locked_vm)
		for (tmp = vma; tmp && tmp->vm_start < end; tmp = tmp->vm_next)
			if (tmp->vm_flags & VM_LOCKED) {
				mm->locked_vm -= vma_pages(tmp);
				munlock_vma_pages_all(tmp);
			}

	detach_vmas_to_be_unmapped(mm, vma, prev, end);
	unmap_region(mm, vma, prev, start, end);
	remove_vma_list(mm, vma);
	if (trace_on(munmap))
		trace_event(TRACE_munmap, "addr=0x%lx len=0x%lx", start, len);
	return 0;
}

long sys_munmap(unsigned long addr, size_t len)
{
	struct mm_struct *mm = current->mm;
	int ret;

	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	ret = do_munmap(mm, addr, len);
	up_write(&mm->mmap_sem);
	return ret;
}

/* ---- brk ---- */

/*
 * do_brk - map [addr, addr + len) as heap: a simplified anonymous mmap
 * that merges with the previous heap VMA (seed 004: "the first brk after
 * the program's bss creates the heap VMA; each later one extends it").
 */
unsigned long do_brk(unsigned long addr, unsigned long len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	struct rb_node **rb_link, *rb_parent;
	pgoff_t pgoff = addr >> PAGE_SHIFT;
	unsigned long flags, error;

	len = PAGE_ALIGN(len);
	if (!len)
		return addr;
	flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	error = get_unmapped_area(NULL, addr, len, 0, MAP_FIXED);
	if (error & ~PAGE_MASK)
		return error;
	if ((mm->def_flags & VM_LOCKED) && !mlock_allowed(mm, len))
		return -EAGAIN;
	if (clear_old_maps(mm, addr, len, &prev, &rb_link, &rb_parent))
		return -ENOMEM;
	if (mm->map_count > sysctl_max_map_count)
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, len >> PAGE_SHIFT))
		return -ENOMEM;

	vma = vma_merge(mm, prev, addr, addr + len, flags, NULL, NULL, pgoff);
	if (!vma) {
		vma = vm_area_alloc(mm);
		if (!vma) {
			vm_unacct_memory(len >> PAGE_SHIFT);
			return -ENOMEM;
		}
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = pgoff;
		vma->vm_flags = flags;
		vma->vm_page_prot = vm_get_page_prot(flags);
		vma_link(mm, vma, prev, rb_link, rb_parent);
	}
	mm->total_vm += len >> PAGE_SHIFT;
	if (flags & VM_LOCKED) {
		if (!mlock_vma_pages_range(vma, addr, addr + len))
			mm->locked_vm += len >> PAGE_SHIFT;
	}
	return addr;
}

/*
 * brk(2): move the end of the heap to @brk.  Returns the break after the
 * call -- the new one, or the old one if the move was refused: below the
 * heap's start, past RLIMIT_DATA (counting the data segment), into
 * another mapping (one guard page is kept), or out of memory.  Shrinking
 * unmaps; growing maps with do_brk.  Only whole pages move: a break
 * within the same page just changes mm->brk.
 */
unsigned long sys_brk(unsigned long brk)
{
	struct mm_struct *mm = current->mm;
	unsigned long newbrk, oldbrk, rlim, retval;

	if (!mm)
		return 0;
	down_write(&mm->mmap_sem);
	if (brk < mm->start_brk)
		goto out;
	rlim = rlimit(RLIMIT_DATA);
	if (rlim < RLIM_INFINITY && (brk - mm->start_brk) + (mm->end_data - mm->start_data) > rlim)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk)
		goto set_brk;
	if (brk <= mm->brk) {
		if (!do_munmap(mm, newbrk, oldbrk - newbrk))
			goto set_brk;
		goto out;
	}
	if (find_vma_intersection(mm, oldbrk, newbrk + PAGE_SIZE))
		goto out;
	if (do_brk(oldbrk, newbrk - oldbrk) != oldbrk)
		goto out;
set_brk:
	if (trace_on(brk))
		trace_event(TRACE_brk, "old=0x%lx new=0x%lx", mm->brk, brk);
	mm->brk = brk;
out:
	retval = mm->brk;
	up_write(&mm->mmap_sem);
	return retval;
}

/* ---- stacks ---- */

/*
 * May the stack VMA grow to @size bytes (@grow more pages)?  RLIMIT_AS,
 * RLIMIT_STACK, RLIMIT_MEMLOCK for a locked stack, and the overcommit
 * policy; then the counters follow.
 */
static int acct_stack_growth(struct vm_area_struct *vma, unsigned long size, unsigned long grow)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!may_expand_vm(mm, grow))
		return -ENOMEM;
	if (size > rlimit(RLIMIT_STACK))
		return -ENOMEM;
	if ((vma->vm_flags & VM_LOCKED) && !mlock_allowed(mm, grow << PAGE_SHIFT))
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, grow))
		return -ENOMEM;
	mm->total_vm += grow;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, vma->vm_file, grow);
	return 0;
}

/*
 * Grow a VM_GROWSDOWN VMA down to the page of @address.  The caller holds
 * mmap_sem for reading (a fault) or writing; vm_start moves under the
 * anon_vma's lock, which page faults of the same mm also take to attach
 * an anon_vma, so two faulting threads serialise here.
 */
int expand_stack(struct vm_area_struct *vma, unsigned long address)
{
	int error = 0;

	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	address &= PAGE_MASK;
	if (address < mmap_min_addr)
		return -EPERM;
	spin_lock(&vma->anon_vma->lock);
	if (address < vma->vm_start) {
		unsigned long size = vma->vm_end - address;
		unsigned long grow = (vma->vm_start - address) >> PAGE_SHIFT;

		error = acct_stack_growth(vma, size, grow);
		if (!error) {
			vma->vm_start = address;
			vma->vm_pgoff -= grow;
		}
	}
	spin_unlock(&vma->anon_vma->lock);
	return error;
}

/* ---- exit ---- */

/* The last user is gone: unmap everything, free the page tables and the VMAs. */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma = mm->mmap;
	unsigned long nr_accounted = 0;

	if (!vma)
		return;
	if (mm->locked_vm)
		for (struct vm_area_struct *v = vma; v; v = v->vm_next)
			if (v->vm_flags & VM_LOCKED)
				munlock_vma_pages_all(v);
	update_hiwater_rss(mm);
	unmap_vmas(vma, 0, -1UL, &nr_accounted);
	vm_unacct_memory(nr_accounted);
	free_pgtables(vma, 0, 0);
	flush_tlb_mm(mm);
	for (struct vm_area_struct *v = vma; v; v = v->vm_next)
		if (v->vm_file)
			vma_unlink_file(v);
	while (vma)
		vma = remove_vma(vma);
	mm->mmap = NULL;
	mm->mm_rb = RB_ROOT;
	mm->mmap_cache = NULL;
	mm->map_count = 0;
	BUG_ON(mm->nr_ptes);
}
