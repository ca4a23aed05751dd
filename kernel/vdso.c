/*
 * vdso.c - the pages the kernel gives every exec'd program (2.6.34's
 * arch/x86/vdso/vma.c and vdso32-setup.c, install_special_mapping of
 * mm/mmap.c, and x86_64's gate VMA of arch/x86/mm/init_64.c).
 *
 *   [vdso]       one page of kernel memory mapped r-x into the process
 *                (install_special_mapping); AT_SYSINFO_EHDR points at it.
 *                x86_64: vdso_addr() asks for a place just above the
 *                stack, inside the stack top's 2 MiB; the stack top sits
 *                at TASK_SIZE_MAX when nothing is randomised, so the
 *                request always overlaps the stack and get_unmapped_area
 *                falls back to its top-down search: the vdso lands just
 *                below the interpreter.  i386: get_unmapped_area(0), the
 *                same place.
 *   [vsyscall]   x86_64's fixed page at 0xffffffffff600000: not a VMA,
 *                but /proc/PID/maps prints it last (get_gate_vma).  kmm
 *                maps nothing there (no user code calls it).
 *
 * The vdso's page holds an ELF header only: kmm runs no user code.  It is
 * allocated at the first exec (Linux's at boot, init_vdso_vars) so that a
 * machine that never execs has the memory a boot without exec shows, and
 * it is never freed.
 */
#include <string.h>

#include <kmm/binfmts.h>
#include <kmm/elf.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/random.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "kernel/exec_internal.h"

#define VM_ALWAYSDUMP		0x04000000	/* 2.6.34's: always in core dumps */
#define VSYSCALL_START		0xffffffffff600000UL
#define PMD_SIZE_2M		(1UL << 21)
#define PTRS_PER_PTE_64		512

static struct page *vdso_page __state_zero;

/* The vdso's page, made at the first exec: an ELF header of this machine's class. */
static struct page *vdso_get_page(void)
{
	unsigned char *k;

	if (vdso_page)
		return vdso_page;
	vdso_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vdso_page)
		return NULL;
	k = page_address(vdso_page);
	memcpy(k, ELFMAG, SELFMAG);
	k[EI_CLASS] = arch->bits == 64 ? ELFCLASS64 : ELFCLASS32;
	k[EI_DATA] = ELFDATA2LSB;
	k[EI_VERSION] = 1;
	k[16] = ET_DYN;
	k[18] = arch->bits == 64 ? EM_X86_64 : EM_386;
	return vdso_page;
}

/*
 * special_mapping_fault: the mapping's first page is the vdso's page.  Its
 * VMA has no file, so insert_vm_struct gave it vm_pgoff = vm_start >>
 * PAGE_SHIFT: the page's index is counted from there, as in 2.6.34.
 */
static int special_mapping_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	if (vmf->pgoff - vma->vm_pgoff != 0 || !vdso_page)
		return VM_FAULT_SIGBUS;
	get_page(vdso_page);
	vmf->page = vdso_page;
	return 0;
}

static const struct vm_operations_struct special_mapping_vmops = {
	.fault = special_mapping_fault,
};

/*
 * install_special_mapping: a VMA of kernel pages at [addr, addr + len),
 * never merged or grown (VM_DONTEXPAND), counted in total_vm.  mmap_sem
 * held for writing.  0 or -ENOMEM.
 */
static int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
				   unsigned long vm_flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);
	int err;

	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags | mm->def_flags | VM_DONTEXPAND;
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_ops = &special_mapping_vmops;
	err = insert_vm_struct(mm, vma);
	if (err) {
		vm_area_free(vma);
		return err;
	}
	mm->total_vm += len >> PAGE_SHIFT;
	return 0;
}

/*
 * vdso_addr: above the (randomised) stack top, a random number of pages
 * into the 2 MiB that holds it, or its last page that fits.  kmm draws
 * the random number only when the process is randomised (2.6.34 draws it
 * always; without randomisation the answer overlaps the stack either way
 * and the hint is dropped, so the place is the same: docs/glossary.md).
 */
static unsigned long vdso_addr(unsigned long start, unsigned long len)
{
	unsigned long addr, end, offset = 0;

	start = PAGE_ALIGN(start);
	end = (start + PMD_SIZE_2M - 1) & ~(PMD_SIZE_2M - 1);
	if (end >= arch_task_size())
		end = arch_task_size();
	end -= len;
	if (current->flags & PF_RANDOMIZE)
		offset = random32() & (PTRS_PER_PTE_64 - 1);
	addr = start + (offset << PAGE_SHIFT);
	if (addr >= end)
		addr = end;
	return addr;
}

int arch_setup_additional_pages(struct linux_binprm *bprm, int uses_interp)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr;
	int ret;

	(void)bprm;
	(void)uses_interp;
	if (!vdso_get_page())
		return -ENOMEM;
	down_write(&mm->mmap_sem);
	addr = arch->bits == 64 ? vdso_addr(mm->start_stack, PAGE_SIZE) : 0;
	addr = get_unmapped_area(NULL, addr, PAGE_SIZE, 0, 0);
	if (IS_ERR_VALUE(addr)) {
		ret = (int)addr;
		goto up_fail;
	}
	ret = install_special_mapping(mm, addr, PAGE_SIZE,
				      VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
				      VM_ALWAYSDUMP);
	if (!ret)
		mm->vdso = addr;
up_fail:
	up_write(&mm->mmap_sem);
	return ret;
}

/* 2.6.34's gate_vma: the vsyscall page, r-x, owned by no mm. */
static const struct vm_area_struct gate_vma = {
	.vm_start = VSYSCALL_START,
	.vm_end = VSYSCALL_START + PAGE_SIZE,
	.vm_flags = VM_READ | VM_EXEC,
};

struct vm_area_struct *get_gate_vma(struct mm_struct *mm)
{
	if (arch->bits != 64 || !mm || !mm->vdso)
		return NULL;
	return (struct vm_area_struct *)&gate_vma;
}

const char *arch_vma_name(struct vm_area_struct *vma)
{
	if (vma == &gate_vma)
		return "[vsyscall]";
	if (vma->vm_mm && vma->vm_mm->vdso && vma->vm_start == vma->vm_mm->vdso &&
	    vma->vm_ops == &special_mapping_vmops)
		return "[vdso]";
	return NULL;
}
