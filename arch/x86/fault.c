/*
 * arch/x86/fault.c - page faults the kernel takes, and kernel accesses
 * through the simulated MMU.
 *
 * C code reaches kernel memory through host pointers, which never fault
 * into the simulation.  Accesses made *through the MMU* (kmm_kernel_read and
 * kmm_kernel_write, the uaccess functions, scripts) translate each page with
 * the current CPU's CR3 and its TLB; a fault comes here as the CPU would
 * deliver it, with CR2 and the error code, and do_page_fault decides:
 *
 *   kernel address, not present, supervisor:
 *       vmalloc_fault: the faulting top level lacks an entry init_mm has
 *       (an address space whose kernel half was copied before a vmalloc):
 *       copy it, retry                                          -> RETRY
 *   kernel address, a stale TLB entry with less rights than the tables:
 *       spurious_fault                                          -> RETRY
 *   anything else: no_context: a uaccess function's fault is fixed up to
 *       -EFAULT (the exception table); otherwise an oops, in Linux's words,
 *       recorded in the log, and the access fails               -> FIXUP / OOPS
 *
 * User addresses (below TASK_SIZE), with the current process's mm:
 *   no VMA at or above the address, or a VMA above that is no stack, or
 *   a stack access too far below the stack pointer
 *   (address + 65536 + 32 * sizeof(long) < sp), or a stack that may not
 *   grow (RLIMIT_STACK, RLIMIT_AS)                 -> bad_area: SEGV_MAPERR
 *   a VMA whose rights refuse the access           -> SEGV_ACCERR
 *   otherwise handle_mm_fault                      -> RETRY, or SIGBUS
 *                                                     (BUS_ADRERR), or OOM
 * A user-mode bad_area sends SIGSEGV (recorded, with Linux's "segfault at"
 * line in the log) and the access fails; in kernel mode it is no_context.
 */
#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/string.h>
#include <kmm/trace.h>
#include <kmm/uaccess.h>
#include "arch/x86/fault.h"
#include "arch/x86/kernel_map.h"
#include "hw/mmu.h"
#include "hw/ram.h"
#include "lib/hooks.h"

static struct {
	unsigned long oopses, vmalloc_faults, spurious_faults, fixups;
	unsigned long last_address;
} flt __state_zero;

/* The exception table of kmm: a uaccess function running on this thread may fault. */
static __thread int uaccess_fixup_allowed;

void fault_stats(struct fault_stats *st)
{
	st->oopses = flt.oopses;
	st->vmalloc_faults = flt.vmalloc_faults;
	st->spurious_faults = flt.spurious_faults;
	st->fixups = flt.fixups;
	st->last_address = flt.last_address;
}

static unsigned long task_size_max(void)
{
	return arch->bits == 64 ? (1UL << 47) - PAGE_SIZE : (unsigned long)arch->page_offset;
}

static bool fault_in_kernel_space(unsigned long address)
{
	return address >= task_size_max();
}

/* The top-level table the CPU walks now. */
static pgd_t *cr3_pgd(void)
{
	return __va(hw_read_cr3() & PTE_PFN_MASK);
}

/*
 * The faulting address space's top level misses an entry of init_mm's for
 * the vmalloc area.  Below the entry the tables are shared, so copying it
 * (x86_64: the PGD entry; i386: the PMD entry of the PGD slot, which PAE
 * shares already) is all it takes.  -1 when init_mm has no mapping either.
 */
static int vmalloc_fault(unsigned long address)
{
	pgd_t *pgd, *pgd_k;
	pud_t *pud_k;
	pmd_t *pmd, *pmd_k;
	pte_t *pte_k;

	if (address < VMALLOC_START || address >= VMALLOC_END)
		return -1;
	pgd = pgd_entry(cr3_pgd(), address);
	pgd_k = pgd_offset_k(address);
	if (PAGETABLE_LEVELS == 4) {
		if (pgd_none(pgdp_get(pgd_k)))
			return -1;
		if (pgd_none(pgdp_get(pgd)))
			set_pgd(pgd, pgdp_get(pgd_k));
		else
			BUG_ON(pgd_page_vaddr(pgdp_get(pgd)) != pgd_page_vaddr(pgdp_get(pgd_k)));
	}
	pud_k = pud_offset(pgd_k, address);
	if (!pud_present(pudp_get(pud_k)) || pud_none(pudp_get(pud_k)))
		return -1;
	pmd_k = pmd_offset(pud_k, address);
	if (!pmd_present(pmdp_get(pmd_k)))
		return -1;
	if (PAGETABLE_LEVELS == 2) {
		pmd = pmd_offset(pud_offset(pgd, address), address);
		if (!pmd_present(pmdp_get(pmd)))
			set_pmd(pmd, pmdp_get(pmd_k));
		else
			BUG_ON(pmd_pfn(pmdp_get(pmd)) != pmd_pfn(pmdp_get(pmd_k)));
	}
	pte_k = pte_offset_kernel(pmd_k, address);
	if (!pte_present(ptep_get(pte_k)))
		return -1;
	flt.vmalloc_faults++;
	return 0;
}

static bool spurious_fault_check(unsigned long error_code, pteval_t v)
{
	if ((error_code & X86_PF_WRITE) && !(v & _PAGE_RW))
		return false;
	if ((error_code & X86_PF_INSTR) && (v & _PAGE_NX))
		return false;
	return true;
}

/*
 * A TLB entry older than the tables: they grant what the entry refused
 * (RO -> RW, NX -> X changed without a flush).  The fault dropped the
 * entry; the retry walks afresh.
 */
static bool spurious_fault(unsigned long error_code, unsigned long address)
{
	unsigned int level;
	pte_t *pte;
	pteval_t v;

	if (error_code & (X86_PF_USER | X86_PF_RSVD))
		return false;
	pte = lookup_address(address, &level);
	if (!pte)
		return false;
	v = level == PG_LEVEL_4K ? pte_val(ptep_get(pte)) : pmd_val(pmdp_get((pmd_t *)pte));
	if (!(v & _PAGE_PRESENT) || !spurious_fault_check(error_code, v))
		return false;
	flt.spurious_faults++;
	return true;
}

/* The tables on the way to @address, as 2.6.34's dump_pagetable prints them. */
static void dump_pagetable(unsigned long address)
{
	pgd_t *pgd = pgd_entry(cr3_pgd(), address);
	pud_t *pud;
	pmd_t *pmd;

	if (PAGETABLE_LEVELS < 4) {
		int width = PAGETABLE_LEVELS == 3 ? 16 : 8;

		if (PAGETABLE_LEVELS == 3) {
			printk(KERN_ALERT "*pdpt = %016llx ", (unsigned long long)pgd_val(pgdp_get(pgd)));
			if (!(pgd_val(pgdp_get(pgd)) & _PAGE_PRESENT))
				goto out;
		}
		pmd = pmd_offset(pud_offset(pgd, address), address);
		printk(KERN_CONT "*pde = %0*llx ", width, (unsigned long long)pmd_val(pmdp_get(pmd)));
		if (!pmd_present(pmdp_get(pmd)) || pmd_large(pmdp_get(pmd)))
			goto out;
		printk(KERN_CONT "*pte = %0*llx ", width,
		       (unsigned long long)pte_val(ptep_get(pte_offset_kernel(pmd, address))));
		goto out;
	}
	printk(KERN_ALERT "PGD %llx ", (unsigned long long)pgd_val(pgdp_get(pgd)));
	if (!pgd_present(pgdp_get(pgd)))
		goto out;
	pud = pud_offset(pgd, address);
	printk(KERN_CONT "PUD %llx ", (unsigned long long)pud_val(pudp_get(pud)));
	if (!pud_present(pudp_get(pud)) || pud_large(pudp_get(pud)))
		goto out;
	pmd = pmd_offset(pud, address);
	printk(KERN_CONT "PMD %llx ", (unsigned long long)pmd_val(pmdp_get(pmd)));
	if (!pmd_present(pmdp_get(pmd)) || pmd_large(pmdp_get(pmd)))
		goto out;
	printk(KERN_CONT "PTE %llx", (unsigned long long)pte_val(ptep_get(pte_offset_kernel(pmd, address))));
out:
	printk(KERN_CONT "\n");
}

/* An address as %p prints it in the simulated kernel: (null), or the word's width in hex. */
static void print_fault_address(unsigned long address)
{
	if (!address)
		printk(KERN_CONT " at (null)\n");
	else
		printk(KERN_CONT " at %0*lx\n", arch->bits / 4, address);
}

/*
 * oops_end: the task that oopsed does not go on (2.6.34: do_exit(SIGKILL)).
 * kmm cannot unwind the kernel code it was in: the access fails, and the
 * task ends when it is back from the kernel -- a process's thread alone,
 * or a kernel thread a script made.  An oops in an interrupt, or in
 * init's own context (a script line acting as no process), leaves the
 * task alive with the access failed, where Linux panics ("Fatal exception
 * in interrupt", "Attempted to kill init!").
 */
static void oops_end(void)
{
	struct task_struct *t = current;

	if (!t || t->pid <= 1 || in_interrupt())
		return;
	t->last_siginfo = (struct kmm_siginfo){ .signo = SIGKILL, .code = SI_KERNEL };
	t->pending_fatal = SIGKILL;
	t->fatal_thread_only = true;
}

static void oops(unsigned long error_code, unsigned long address, unsigned long ip)
{
	char sym[128] = "?", who[96];

	flt.oopses++;
	flt.last_address = address;
	if (lib_hooks.sprint_symbol)
		lib_hooks.sprint_symbol(sym, sizeof(sym), ip);
	printk(KERN_ALERT "BUG: unable to handle kernel %s",
	       address < PAGE_SIZE ? "NULL pointer dereference" : "paging request");
	print_fault_address(address);
	printk(KERN_ALERT "IP: [<%0*lx>] %s\n", arch->bits / 4, ip, sym);
	dump_pagetable(address);
	printk(KERN_EMERG "Oops: %04lx [#%lu] SMP \n", error_code, flt.oopses);
	if (lib_hooks.describe_task && lib_hooks.describe_task(who, sizeof(who)) > 0)
		printk(KERN_EMERG "Pid: %s Not tainted 2.6.34-kmm #1\n", who);
	if (arch->bits == 64)
		printk(KERN_EMERG "CR2: %016lx\n", address);
	printk(KERN_EMERG "---[ end trace %016lx ]---\n", flt.oopses);
	oops_end();
}

/* Nothing maps @address for this access: fix up a uaccess, or oops. */
static enum fault_result no_context(unsigned long error_code, unsigned long address,
				    unsigned long ip)
{
	if (uaccess_fixup_allowed) {
		flt.fixups++;
		return FAULT_FIXUP;
	}
	oops(error_code, address, ip);
	return FAULT_OOPS;
}

/* The "segfault at" line of a process that dies of SIGSEGV. */
static void show_signal_msg(unsigned long error_code, unsigned long address, unsigned long ip,
			    struct task_struct *tsk)
{
	printk("%s%s[%d]: segfault at %lx ip %0*lx sp %0*lx error %lx\n",
	       tsk->pid > 1 ? KERN_INFO : KERN_EMERG, tsk->comm, tsk->pid, address,
	       arch->bits / 4, ip, arch->bits / 4, tsk->user_sp, error_code);
}

static enum fault_result __bad_area(unsigned long error_code, unsigned long address,
				    unsigned long ip, int si_code)
{
	struct task_struct *tsk = current;

	/* User mode without a process (a test's bare access) has no one to signal. */
	if ((error_code & X86_PF_USER) && tsk->mm) {
		struct kmm_siginfo info = { .signo = SIGSEGV, .code = si_code,
					    .addr = address };

		if (fault_in_kernel_space(address))
			error_code |= X86_PF_PROT;	/* kernel addresses are always protection faults */
		show_signal_msg(error_code, address, ip, tsk);
		force_sig_info(SIGSEGV, &info, tsk);
		return FAULT_SIGNAL;
	}
	return no_context(error_code, address, ip);
}

/* Which rights the VMA lacks for this access (access_error of 2.6.34). */
static bool access_error(unsigned long error_code, bool write, struct vm_area_struct *vma)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	if (error_code & X86_PF_PROT)
		return true;	/* a read of a present page: it was refused, nothing to fault in */
	return !(vma->vm_flags & (VM_READ | VM_EXEC | VM_WRITE));
}

static enum fault_result mm_fault_error(unsigned long error_code, unsigned long address,
					unsigned long ip, int fault)
{
	struct task_struct *tsk = current;

	if (fault & VM_FAULT_OOM) {
		if (!(error_code & X86_PF_USER))
			return no_context(error_code, address, ip);
		/* The OOM killer's issue chooses a victim; until then the faulting process dies. */
		printk(KERN_ERR "Out of memory: kill process %d (%s) (page fault)\n", tsk->pid,
		       tsk->comm);
		send_sigkill(tsk);
		return FAULT_SIGNAL;
	}
	if (!(error_code & X86_PF_USER) || !tsk->mm)
		return no_context(error_code, address, ip);
	{
		struct kmm_siginfo info = { .signo = SIGBUS, .code = BUS_ADRERR,
					    .addr = address };

		force_sig_info(SIGBUS, &info, tsk);
	}
	return FAULT_SIGNAL;
}

static void trace_page_fault_user(unsigned long address, unsigned long ip, unsigned long error_code)
{
	if (trace_on(page_fault_user))
		trace_event(TRACE_page_fault_user, "address=0x%lx ip=0x%lx error_code=0x%lx",
			    address, ip, error_code);
}

/* A fault at a user address of the current process's address space. */
static enum fault_result do_user_addr_fault(unsigned long error_code, unsigned long address,
					    unsigned long ip)
{
	struct task_struct *tsk = current;
	struct mm_struct *mm = tsk->mm;
	struct vm_area_struct *vma;
	bool write;
	int fault;

	if (error_code & X86_PF_USER)
		trace_page_fault_user(address, ip, error_code);
	if (unlikely(in_atomic() || !mm))
		return __bad_area(error_code, address, ip, SEGV_MAPERR);
	down_read(&mm->mmap_sem);
	vma = find_vma(mm, address);
	if (unlikely(!vma))
		goto bad_area;
	if (likely(vma->vm_start <= address))
		goto good_area;
	if (unlikely(!(vma->vm_flags & VM_GROWSDOWN)))
		goto bad_area;
	if ((error_code & X86_PF_USER) &&
	    address + 65536 + 32 * (unsigned long)arch->sizeof_long < tsk->user_sp)
		goto bad_area;
	if (unlikely(expand_stack(vma, address)))
		goto bad_area;
good_area:
	write = error_code & X86_PF_WRITE;
	if (unlikely(access_error(error_code, write, vma))) {
		up_read(&mm->mmap_sem);
		return __bad_area(error_code, address, ip, SEGV_ACCERR);
	}
	fault = handle_mm_fault(mm, vma, address, write ? FAULT_FLAG_WRITE : 0);
	up_read(&mm->mmap_sem);
	if (unlikely(fault & VM_FAULT_ERROR))
		return mm_fault_error(error_code, address, ip, fault);
	if (fault & VM_FAULT_MAJOR)
		tsk->maj_flt++;
	else
		tsk->min_flt++;
	return FAULT_RETRY;
bad_area:
	up_read(&mm->mmap_sem);
	return __bad_area(error_code, address, ip, SEGV_MAPERR);
}

/* The page_fault_kernel tracepoint (later Linux's exceptions:page_fault_kernel). */
static void trace_page_fault_kernel(unsigned long address, unsigned long ip, unsigned long error_code)
{
	char sym[128];

	if (!trace_on(page_fault_kernel))
		return;
	if (!lib_hooks.sprint_symbol || lib_hooks.sprint_symbol(sym, sizeof(sym), ip) <= 0)
		snprintf(sym, sizeof(sym), "0x%lx", ip);
	trace_event(TRACE_page_fault_kernel, "address=0x%lx ip=%s error_code=0x%lx", address, sym,
		    error_code);
}

enum fault_result do_page_fault(unsigned long error_code, unsigned long ip)
{
	unsigned long address = (unsigned long)hw_read_cr2();

	if (!(error_code & X86_PF_USER))
		trace_page_fault_kernel(address, ip, error_code);
	if (fault_in_kernel_space(address)) {
		if (!(error_code & (X86_PF_RSVD | X86_PF_USER | X86_PF_PROT)) &&
		    vmalloc_fault(address) >= 0)
			return FAULT_RETRY;
		if (spurious_fault(error_code, address))
			return FAULT_RETRY;
		if (error_code & X86_PF_USER)
			return __bad_area(error_code, address, ip, SEGV_ACCERR);
		return no_context(error_code, address, ip);
	}
	return do_user_addr_fault(error_code, address, ip);
}

/* ---- accesses through the MMU ---- */

/* Faults handled for one page before the access gives up (each handled fault changes something). */
#define MAX_FAULT_RETRIES	4

/* A copy of @n bytes: the sizes of loads and stores as single moves, not a string copy. */
static __always_inline void access_copy(void *dst, const void *src, unsigned long n)
{
	switch (n) {
	case 8:
		__builtin_memcpy(dst, src, 8);
		break;
	case 4:
		__builtin_memcpy(dst, src, 4);
		break;
	case 2:
		__builtin_memcpy(dst, src, 2);
		break;
	case 1:
		*(char *)dst = *(const char *)src;
		break;
	default:
		memcpy(dst, src, n);
	}
}

/*
 * Copy between @buf and virtual memory at @addr, page by page, as the CPU
 * would: translate (the TLB, else a walk), deliver a fault and retry, or
 * stop.  Returns the bytes not copied.  Physical addresses outside RAM read
 * as all ones and swallow writes, as an empty bus does.
 */
static unsigned long mmu_copy(unsigned long addr, void *buf, unsigned long len, unsigned int access,
			      unsigned long ip)
{
	char *b = buf;
	int retries = 0;

	while (len) {
		unsigned long chunk = min(len, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		u64 pa;
		int f = hw_mmu_translate(addr, access, &pa);

		if (f) {
			if (f & HW_FAULT_GP) {
				flt.last_address = addr;
				return len;
			}
			/*
			 * A handler that says "retry" without changing anything
			 * would loop forever on a real CPU; here it is a bug
			 * reported once and the access fails.
			 */
			if (do_page_fault(HW_FAULT_ERROR_CODE(f), ip) == FAULT_RETRY &&
			    !WARN_ON_ONCE(++retries > MAX_FAULT_RETRIES))
				continue;
			return len;	/* an oops, a fixup, or a signal for the process */
		}
		if (pa + chunk > hw_ram_size) {
			if (!(access & HW_ACC_WRITE))
				memset(b, 0xff, chunk);
		} else if (access & HW_ACC_WRITE) {
			access_copy(hw_phys_base + pa, b, chunk);
		} else {
			access_copy(b, hw_phys_base + pa, chunk);
		}
		addr += chunk;
		b += chunk;
		len -= chunk;
		retries = 0;
	}
	return 0;
}

/*
 * The code the access stands for: a script line when a script runs it
 * (current->call_site: the same from run to run), else the C caller.
 */
#define CALLER_IP	(current && current->call_site ? current->call_site \
						: (unsigned long)__builtin_return_address(0))

int kmm_kernel_read(unsigned long addr, void *buf, unsigned long len)
{
	return mmu_copy(addr, buf, len, 0, CALLER_IP) ? -EFAULT : 0;
}

int kmm_kernel_write(unsigned long addr, const void *buf, unsigned long len)
{
	return mmu_copy(addr, (void *)buf, len, HW_ACC_WRITE, CALLER_IP) ? -EFAULT : 0;
}

unsigned long __copy_from_user_mmu(void *to, unsigned long from, unsigned long n)
{
	unsigned long left;

	uaccess_fixup_allowed++;
	left = mmu_copy(from, to, n, 0, CALLER_IP);
	uaccess_fixup_allowed--;
	if (left)
		memset((char *)to + (n - left), 0, left);	/* the rest is zeroed, as Linux does */
	return left;
}

unsigned long __copy_to_user_mmu(unsigned long to, const void *from, unsigned long n)
{
	unsigned long left;

	uaccess_fixup_allowed++;
	left = mmu_copy(to, (void *)from, n, HW_ACC_WRITE, CALLER_IP);
	uaccess_fixup_allowed--;
	return left;
}

unsigned long __clear_user_mmu(unsigned long to, unsigned long n)
{
	static const char zeros[256];
	unsigned long done = 0;

	while (done < n) {
		unsigned long chunk = min(n - done, (unsigned long)sizeof(zeros));
		unsigned long left = __copy_to_user_mmu(to + done, zeros, chunk);

		if (left)
			return n - done - (chunk - left);
		done += chunk;
	}
	return 0;
}

long __strncpy_from_user_mmu(char *dst, unsigned long src, long count)
{
	long i;

	for (i = 0; i < count; i++) {
		if (__copy_from_user_mmu(dst + i, src + i, 1))
			return -EFAULT;
		if (!dst[i])
			return i;
	}
	return count;
}

/* ---- a process's own loads and stores ---- */

/*
 * The current process reads or writes its memory in user mode, as its
 * instructions would: each page translated through the MMU, a fault
 * handled and the access retried; a fault that ends in a signal stops
 * the access (the caller sees how much was not done, and the signal in
 * current->last_siginfo).  @ip is the code address the access stands for.
 */
unsigned long kmm_user_access(unsigned long addr, void *buf, unsigned long len, bool write,
			      unsigned long ip)
{
	return mmu_copy(addr, buf, len, HW_ACC_USER | (write ? HW_ACC_WRITE : 0), ip);
}
