/*
 * fork.c - the life of an address space: made empty for a new process
 * (mm_alloc), duplicated for fork (dup_mm: every VMA copied, private pages
 * shared copy-on-write), torn down when its last user goes (mmput).
 *
 * (Linux keeps these in kernel/fork.c; they live in mm/ here because they
 * reach into the VMA machinery, which is mm's own.  The process side of
 * fork -- tasks, pids, parents -- is kernel/fork.c.)
 *
 * Two counts: mm_users (threads and other users of the address space;
 * the last mmput unmaps everything) and mm_count (references to the
 * struct itself; all users together hold one, and a kernel thread
 * borrowing the mm as active_mm holds another; the last mmdrop frees the
 * page-table root and the struct).
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/pgtable.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include <kmm/tlbflush.h>
#include "mm/internal.h"

struct kmem_cache *mm_cachep __state_zero;
static DEFINE_MUTEX(mm_caches_mutex);

/* Every process address space (mm->mmlist), for mm_check and the views. */
static __state LIST_HEAD(all_mms);
static DEFINE_SPINLOCK(mmlist_lock);

void zero_page_init(void);

/*
 * The slab caches of processes: made when the first process is, so that
 * a machine that never runs one shows the same slabinfo and free pages as
 * before processes existed (2.6.34 makes them at boot: proc_caches_init
 * and anon_vma_init).
 */
int mm_caches_init(void)
{
	int err = 0;

	if (READ_ONCE(mm_cachep))
		return 0;
	mutex_lock(&mm_caches_mutex);
	if (mm_cachep)
		goto out;
	/*
	 * The objects are host structures: aligned as the host needs them
	 * (8 bytes), which an i386 machine's default (4) is not -- a 36-byte
	 * anon_vma would sit at every other 4-byte boundary.  On x86_64 the
	 * default is the same 8: the geometry does not change.
	 */
	filemap_cache_init();
	vm_area_cachep = kmem_cache_create("vm_area_struct", sizeof(struct vm_area_struct),
					   __alignof__(struct vm_area_struct), SLAB_PANIC, NULL);
	anon_vma_cachep = kmem_cache_create("anon_vma", sizeof(struct anon_vma),
					    __alignof__(struct anon_vma),
					    SLAB_DESTROY_BY_RCU | SLAB_PANIC, NULL);
	anon_vma_chain_cachep = kmem_cache_create("anon_vma_chain", sizeof(struct anon_vma_chain),
						  __alignof__(struct anon_vma_chain), SLAB_PANIC,
						  NULL);
	zero_page_init();
	WRITE_ONCE(mm_cachep, kmem_cache_create("mm_struct", sizeof(struct mm_struct),
						SMP_CACHE_BYTES, SLAB_HWCACHE_ALIGN | SLAB_PANIC,
						NULL));
	if (!mm_cachep)
		err = -ENOMEM;
out:
	mutex_unlock(&mm_caches_mutex);
	return err;
}

/* A zeroed mm with a fresh page-table root, one user, one reference. */
static struct mm_struct *mm_init(struct mm_struct *mm)
{
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	mm_init_locks(mm);
	mm->mmap = NULL;
	mm->mm_rb = RB_ROOT;
	mm->mmap_cache = NULL;
	mm->map_count = 0;
	mm->nr_ptes = 0;
	for (int i = 0; i < CPU_MASK_LONGS; i++)
		mm->cpu_vm_mask[i] = 0;
	mm->def_flags = 0;	/* mlockall(MCL_FUTURE) is not inherited (2.6.34's mm_init) */
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		atomic_long_set(&mm->rss_stat[i], 0);
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = ~0UL;
	mm->pgd = pgd_alloc(mm);
	if (!mm->pgd) {
		kmem_cache_free(mm_cachep, mm);
		return NULL;
	}
	spin_lock(&mmlist_lock);
	list_add_tail(&mm->mmlist, &all_mms);
	spin_unlock(&mmlist_lock);
	return mm;
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm;

	if (mm_caches_init())
		return NULL;
	mm = kmem_cache_zalloc(mm_cachep, GFP_KERNEL);
	if (!mm)
		return NULL;
	mm->task_size = arch_task_size();
	return mm_init(mm);
}

void mmdrop(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_count))
		return;
	BUG_ON(mm == &init_mm);
	spin_lock(&mmlist_lock);
	list_del(&mm->mmlist);
	spin_unlock(&mmlist_lock);
	pgd_free(mm, mm->pgd);
	kmem_cache_free(mm_cachep, mm);
}

/* The last user unmaps everything; the struct lives on while referenced. */
void mmput(struct mm_struct *mm)
{
	might_sleep();
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	exit_mmap(mm);
	mmdrop(mm);
}

/* Call @fn for each process address space (under the list's lock: @fn must not sleep). */
void for_each_mm(void (*fn)(struct mm_struct *mm, void *arg), void *arg)
{
	struct mm_struct *mm;

	spin_lock(&mmlist_lock);
	list_for_each_entry(mm, &all_mms, mmlist)
		fn(mm, arg);
	spin_unlock(&mmlist_lock);
}

/*
 * Copy every VMA of @oldmm into @mm, in order, and their page tables.
 * A VMA marked VM_DONTCOPY (MADV_DONTFORK) is left out; locks are not
 * inherited (VM_LOCKED dropped).  Writable private mappings are charged
 * again to Committed_AS for the child.  On failure what was copied stays
 * for the caller's mmput to free.
 */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp, **pprev = &mm->mmap;
	struct rb_node **rb_link = &mm->mm_rb.rb_node, *rb_parent = NULL;
	int retval = 0;

	down_write(&oldmm->mmap_sem);
	mm->locked_vm = 0;
	for (mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next) {
		unsigned long charge = 0;

		if (mpnt->vm_flags & VM_DONTCOPY) {
			long pages = vma_pages(mpnt);

			mm->total_vm -= pages;
			vm_stat_account(mm, mpnt->vm_flags, mpnt->vm_file, -pages);
			continue;
		}
		if (mpnt->vm_flags & VM_ACCOUNT) {
			charge = vma_pages(mpnt);
			if (security_vm_enough_memory_mm(oldmm, charge))
				goto fail_nomem;
		}
		tmp = vm_area_dup(mpnt);
		if (!tmp)
			goto fail_nomem_charge;
		tmp->vm_mm = mm;
		tmp->anon_vma = NULL;
		if (anon_vma_fork(tmp, mpnt)) {
			vm_area_free(tmp);
			goto fail_nomem_charge;
		}
		tmp->vm_flags &= ~VM_LOCKED;
		if (tmp->vm_file) {
			get_file(tmp->vm_file);
			vma_link_file(tmp);
		}
		*pprev = tmp;
		pprev = &tmp->vm_next;
		rb_link_node(&tmp->vm_rb, rb_parent, rb_link);
		rb_insert_color(&tmp->vm_rb, &mm->mm_rb);
		rb_link = &tmp->vm_rb.rb_right;
		rb_parent = &tmp->vm_rb;
		mm->map_count++;
		retval = copy_page_range(mm, oldmm, mpnt);
		if (tmp->vm_ops && tmp->vm_ops->open)
			tmp->vm_ops->open(tmp);
		if (retval)
			goto out;
	}
out:
	up_write(&oldmm->mmap_sem);
	return retval;
fail_nomem_charge:
	if (mpnt->vm_flags & VM_ACCOUNT)
		vm_unacct_memory(vma_pages(mpnt));
fail_nomem:
	retval = -ENOMEM;
	goto out;
}

struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm;

	if (!oldmm || mm_caches_init())
		return NULL;
	mm = kmem_cache_alloc(mm_cachep, GFP_KERNEL);
	if (!mm)
		return NULL;
	memcpy(mm, oldmm, sizeof(*mm));
	if (!mm_init(mm))
		return NULL;
	mm->hiwater_rss = 0;
	if (dup_mmap(mm, oldmm)) {
		mmput(mm);
		return NULL;
	}
	mm->hiwater_rss = get_mm_rss(mm);
	mm->hiwater_vm = mm->total_vm;
	return mm;
}
