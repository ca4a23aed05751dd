/*
 * binfmt_elf.c - loading an ELF program (2.6.34's fs/binfmt_elf.c:
 * load_elf_binary, load_elf_interp, elf_map, set_brk, padzero,
 * create_elf_tables).
 *
 * A program is its PT_LOAD segments, each mapped privately from the file
 * at p_offset with the protections of p_flags; the part of a segment past
 * p_filesz is its bss: the rest of the last file page is zeroed (padzero)
 * and whole pages beyond are anonymous (set_brk, which also starts the
 * break there).  A PT_INTERP segment names the dynamic loader, mapped the
 * same way where get_unmapped_area puts it.  Then the stack gets the
 * auxiliary vector, envp and argv pointers, and argc (create_elf_tables).
 *
 *   where things go (2.6.34 on x86, randomisation off):
 *   ET_EXEC           at its p_vaddr (MAP_FIXED)
 *   ET_DYN (PIE)      load_bias 0: its first segment where get_unmapped_area
 *                     puts it (top-down: just below mmap_base), the others
 *                     MAP_FIXED after it -- 2.6.34's "#ifdef CONFIG_X86
 *                     load_bias = 0"; later kernels use ELF_ET_DYN_BASE,
 *                     which do_execve_pie(EXEC_PIE_ET_DYN_BASE) asks for
 *   the interpreter   its whole image reserved at once (total_mapping_size)
 *                     by get_unmapped_area, the rest unmapped, then each
 *                     segment MAP_FIXED inside it
 *
 * Checks before flush_old_exec refuse with the process untouched (ENOEXEC
 * for the header, EIO for a file that ends inside what it declares,
 * ELIBBAD for an interpreter that is not ELF for this machine); failures
 * after it leave SIGKILL (SIGSEGV for a bad entry point) pending.
 *
 * One code path serves both classes: headers are read in the file's class
 * (Elf64 on x86_64 machines, Elf32 on i386 ones; the other class is
 * ENOEXEC, as a kernel without IA32 emulation says) and widened.
 */
#include <string.h>

#include <kmm/binfmts.h>
#include <kmm/elf.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/log2.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/random.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/slab.h>
#include <kmm/uaccess.h>
#include "kernel/exec_internal.h"

#define ELF_MIN_ALIGN		PAGE_SIZE
#define ELF_PAGESTART(v)	((v) & ~(unsigned long)(ELF_MIN_ALIGN - 1))
#define ELF_PAGEOFFSET(v)	((v) & (ELF_MIN_ALIGN - 1))
#define ELF_PAGEALIGN(v)	(((v) + ELF_MIN_ALIGN - 1) & ~(ELF_MIN_ALIGN - 1))
#define TASK_SIZE		arch_task_size()
#define BAD_ADDR(x)		((unsigned long)(x) >= TASK_SIZE)

/* AT_HWCAP: CPUID 1's EDX of kmm's simulated CPU (fpu ... sse2, ht): a fixed value. */
#define KMM_ELF_HWCAP		0x178bfbffUL
#define USER_HZ			100
#define KMM_PROCESS_ID		1000	/* the uid and gid /proc/PID/status shows */
#define VDSO32_VSYSCALL_OFFSET	0x400	/* __kernel_vsyscall in 2.6.34's 32-bit vdso */

/* The ELF header, widened from either class. */
struct elfhdr {
	unsigned char e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u64 e_entry, e_phoff;
	u16 e_phentsize, e_phnum;
};
typedef Elf64_Phdr elf_phdr;

static bool elf64(void)
{
	return arch->bits == 64;
}

/* The header at the head of @buf, widened (the class read as this machine's). */
static void elf_read_ehdr(const char *buf, struct elfhdr *ex)
{
#define WIDEN_EHDR(type)						\
	do {								\
		type e;							\
									\
		memcpy(&e, buf, sizeof(e));				\
		memcpy(ex->e_ident, e.e_ident, EI_NIDENT);		\
		ex->e_type = e.e_type;					\
		ex->e_machine = e.e_machine;				\
		ex->e_entry = e.e_entry;				\
		ex->e_phoff = e.e_phoff;				\
		ex->e_phentsize = e.e_phentsize;			\
		ex->e_phnum = e.e_phnum;				\
	} while (0)
	if (elf64())
		WIDEN_EHDR(Elf64_Ehdr);
	else
		WIDEN_EHDR(Elf32_Ehdr);
#undef WIDEN_EHDR
}

/* elf_check_arch: this machine's class and machine (x86_64: EM_X86_64; i386: EM_386, EM_486). */
static bool elf_check_arch(const struct elfhdr *ex)
{
	if (elf64())
		return ex->e_ident[EI_CLASS] == ELFCLASS64 && ex->e_machine == EM_X86_64;
	return ex->e_ident[EI_CLASS] == ELFCLASS32 &&
	       (ex->e_machine == EM_386 || ex->e_machine == EM_486);
}

static unsigned long phdr_size(void)
{
	return elf64() ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

/*
 * The consistency checks both loaders make of a header: type, machine,
 * the program headers' entry size and count.  The loader reads at most
 * 64 KiB of program headers.
 */
static bool elf_header_ok(const struct elfhdr *ex)
{
	if (ex->e_type != ET_EXEC && ex->e_type != ET_DYN)
		return false;
	if (!elf_check_arch(ex))
		return false;
	if (ex->e_phentsize != phdr_size())
		return false;
	return ex->e_phnum >= 1 && ex->e_phnum <= 65536U / phdr_size();
}

/*
 * The program headers of @file, widened: a kmalloc'd array of e_phnum,
 * or an ERR_PTR: -EIO when the file ends before them (kernel_read came
 * short), -ENOMEM.
 */
static elf_phdr *elf_read_phdrs(struct file *file, const struct elfhdr *ex)
{
	unsigned long size = ex->e_phnum * phdr_size();
	elf_phdr *ph = kmalloc(ex->e_phnum * sizeof(*ph), GFP_KERNEL);
	char *raw = kmalloc(size, GFP_KERNEL);
	int ret;

	if (!ph || !raw) {
		kfree(ph);
		kfree(raw);
		return ERR_PTR(-ENOMEM);
	}
	ret = exec_read(file, ex->e_phoff, raw, size);
	if (ret != (int)size) {
		kfree(ph);
		kfree(raw);
		return ERR_PTR(ret < 0 ? ret : -EIO);
	}
	for (unsigned int i = 0; i < ex->e_phnum; i++) {
		if (elf64()) {
			memcpy(&ph[i], raw + i * sizeof(Elf64_Phdr), sizeof(Elf64_Phdr));
		} else {
			Elf32_Phdr p;

			memcpy(&p, raw + i * sizeof(p), sizeof(p));
			ph[i] = (elf_phdr){ .p_type = p.p_type, .p_flags = p.p_flags,
					    .p_offset = p.p_offset, .p_vaddr = p.p_vaddr,
					    .p_paddr = p.p_paddr, .p_filesz = p.p_filesz,
					    .p_memsz = p.p_memsz, .p_align = p.p_align };
		}
	}
	kfree(raw);
	return ph;
}

/* set_brk: anonymous pages for [start, end) page-aligned, and the break starts at their end. */
static int set_brk(unsigned long start, unsigned long end)
{
	struct mm_struct *mm = current->mm;

	start = ELF_PAGEALIGN(start);
	end = ELF_PAGEALIGN(end);
	if (end > start) {
		unsigned long addr;

		down_write(&mm->mmap_sem);
		addr = do_brk(start, end - start);
		up_write(&mm->mmap_sem);
		if (BAD_ADDR(addr))
			return (int)addr;
	}
	mm->start_brk = mm->brk = end;
	return 0;
}

/*
 * padzero: the bytes of the last file page past the segment's file part
 * hold whatever the file has there (the next section); the bss must read
 * zero, so they are cleared -- a write, which gives the process its own
 * copy of that page.
 */
static int padzero(unsigned long elf_bss)
{
	unsigned long nbyte = ELF_PAGEOFFSET(elf_bss);

	if (nbyte) {
		nbyte = ELF_MIN_ALIGN - nbyte;
		if (clear_user((void __user *)elf_bss, nbyte))
			return -EFAULT;
	}
	return 0;
}

/* do_mmap: do_mmap_pgoff with a byte offset, which must be page-aligned (mmap_sem held). */
static unsigned long do_mmap(struct file *file, unsigned long addr, unsigned long len,
			     unsigned long prot, unsigned long flag, unsigned long offset)
{
	if (offset + PAGE_ALIGN(len) < offset)
		return (unsigned long)-EINVAL;
	if (offset & ~PAGE_MASK)
		return (unsigned long)-EINVAL;
	return do_mmap_pgoff(file, addr, len, prot, flag, offset >> PAGE_SHIFT);
}

/*
 * elf_map: one segment, from the page holding p_offset, as many pages as
 * its file part spans.  With @total_size (the interpreter's first
 * segment) the whole image's span is reserved first so that later
 * segments land inside space nobody else took, and the tail is unmapped.
 * Returns the address, or -errno as an unsigned value (BAD_ADDR).
 */
static unsigned long elf_map(struct file *filep, unsigned long addr, const elf_phdr *eppnt,
			     int prot, int type, unsigned long total_size)
{
	struct mm_struct *mm = current->mm;
	unsigned long size = eppnt->p_filesz + ELF_PAGEOFFSET(eppnt->p_vaddr);
	unsigned long off = eppnt->p_offset - ELF_PAGEOFFSET(eppnt->p_vaddr);
	unsigned long map_addr;

	addr = ELF_PAGESTART(addr);
	size = ELF_PAGEALIGN(size);
	if (!size)
		return addr;	/* a segment with no file part maps nothing here */
	down_write(&mm->mmap_sem);
	if (total_size) {
		total_size = ELF_PAGEALIGN(total_size);
		map_addr = do_mmap(filep, addr, total_size, prot, type, off);
		if (!BAD_ADDR(map_addr))
			do_munmap(mm, map_addr + size, total_size - size);
	} else {
		map_addr = do_mmap(filep, addr, size, prot, type, off);
	}
	up_write(&mm->mmap_sem);
	return map_addr;
}

/* The span of the PT_LOAD segments, from the page of the first to the end of the last. */
static unsigned long total_mapping_size(const elf_phdr *cmds, int nr)
{
	int i, first_idx = -1, last_idx = -1;

	for (i = 0; i < nr; i++) {
		if (cmds[i].p_type == PT_LOAD) {
			last_idx = i;
			if (first_idx == -1)
				first_idx = i;
		}
	}
	if (first_idx == -1)
		return 0;
	return cmds[last_idx].p_vaddr + cmds[last_idx].p_memsz - ELF_PAGESTART(cmds[first_idx].p_vaddr);
}

static int elf_prot(u32 p_flags)
{
	return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) |
	       (p_flags & PF_X ? PROT_EXEC : 0);
}

/*
 * A segment's sizes must keep it inside the user address space, with
 * p_filesz <= p_memsz; checked after it is mapped, as 2.6.34 does, so
 * that set_brk can never overflow.
 */
static bool segment_fits(unsigned long k, const elf_phdr *p)
{
	return !(BAD_ADDR(k) || p->p_filesz > p->p_memsz || p->p_memsz > TASK_SIZE ||
		 TASK_SIZE - p->p_memsz < k);
}

/*
 * load_elf_interp: the dynamic loader.  An ET_DYN interpreter (ld.so) is
 * placed as a whole by get_unmapped_area at its first segment -- the
 * hint is 0 + p_vaddr, so with top-down layout it lands just below what
 * is already mapped near mmap_base -- and its other segments follow at
 * their offsets.  Returns the load address (what AT_BASE says), or -errno
 * as an unsigned value.
 */
static unsigned long load_elf_interp(const struct elfhdr *interp_elf_ex, struct file *interpreter,
				     unsigned long no_base)
{
	elf_phdr *elf_phdata, *eppnt;
	unsigned long load_addr = 0, last_bss = 0, elf_bss = 0, total_size;
	unsigned long error = (unsigned long)-ENOEXEC;
	int load_addr_set = 0, i;

	if (!elf_header_ok(interp_elf_ex))
		goto out;
	if (interp_elf_ex->e_phnum * phdr_size() > ELF_MIN_ALIGN)
		goto out;
	elf_phdata = elf_read_phdrs(interpreter, interp_elf_ex);
	if (IS_ERR(elf_phdata)) {
		error = (unsigned long)PTR_ERR(elf_phdata);
		goto out;
	}
	total_size = total_mapping_size(elf_phdata, interp_elf_ex->e_phnum);
	error = (unsigned long)-EINVAL;
	if (!total_size)
		goto out_close;
	eppnt = elf_phdata;
	for (i = 0; i < interp_elf_ex->e_phnum; i++, eppnt++) {
		int elf_type = MAP_PRIVATE | MAP_DENYWRITE;
		unsigned long vaddr, k, map_addr;

		if (eppnt->p_type != PT_LOAD)
			continue;
		vaddr = eppnt->p_vaddr;
		if (interp_elf_ex->e_type == ET_EXEC || load_addr_set)
			elf_type |= MAP_FIXED;
		else if (no_base && interp_elf_ex->e_type == ET_DYN)
			load_addr = -vaddr;
		map_addr = elf_map(interpreter, load_addr + vaddr, eppnt, elf_prot(eppnt->p_flags),
				   elf_type, total_size);
		total_size = 0;
		error = map_addr;
		if (BAD_ADDR(map_addr))
			goto out_close;
		if (!load_addr_set && interp_elf_ex->e_type == ET_DYN) {
			load_addr = map_addr - ELF_PAGESTART(vaddr);
			load_addr_set = 1;
		}
		k = load_addr + eppnt->p_vaddr;
		if (!segment_fits(k, eppnt)) {
			error = (unsigned long)-ENOMEM;
			goto out_close;
		}
		k = load_addr + eppnt->p_vaddr + eppnt->p_filesz;
		if (k > elf_bss)
			elf_bss = k;
		k = load_addr + eppnt->p_memsz + eppnt->p_vaddr;
		if (k > last_bss)
			last_bss = k;
	}
	if (last_bss > elf_bss) {
		struct mm_struct *mm = current->mm;

		/* Its bss: the last file page's tail zeroed, whole pages after it anonymous. */
		if (padzero(elf_bss)) {
			error = (unsigned long)-EFAULT;
			goto out_close;
		}
		elf_bss = ELF_PAGESTART(elf_bss + ELF_MIN_ALIGN - 1);
		down_write(&mm->mmap_sem);
		error = do_brk(elf_bss, last_bss - elf_bss);
		up_write(&mm->mmap_sem);
		if (BAD_ADDR(error))
			goto out_close;
	}
	error = load_addr;
out_close:
	kfree(elf_phdata);
out:
	return error;
}

/* Write one word of the new process's width at @uaddr: 0 or -EFAULT. */
static int put_word(unsigned long uaddr, unsigned long v)
{
	if (elf64())
		return put_user((u64)v, (u64 __user *)uaddr);
	return put_user((u32)v, (u32 __user *)uaddr);
}

/* strnlen_user: the length of the user string at @p with its NUL, 0 on a fault, > @n if longer. */
static unsigned long strnlen_user(unsigned long p, unsigned long n)
{
	char buf[256];
	unsigned long len = 0;

	while (len <= n) {
		long r = strncpy_from_user(buf, (const char __user *)(p + len), sizeof(buf));

		if (r < 0)
			return 0;
		if (r < (long)sizeof(buf))
			return len + r + 1;
		len += sizeof(buf);
	}
	return n + 1;
}

/*
 * @n pointers at *@vec to the consecutive strings from *@p, then a NULL;
 * both advance past what they covered.  The lengths are read back from
 * the stack (strnlen_user), as Linux does.  0, or -EFAULT (a string
 * unreadable or longer than MAX_ARG_STRLEN: Linux's -EINVAL, which the
 * exec's caller never sees, as the process dies).
 */
static int put_string_pointers(unsigned long *vec, unsigned long *p, int n)
{
	while (n-- > 0) {
		unsigned long len;

		if (put_word(*vec, *p))
			return -EFAULT;
		*vec += arch->sizeof_ptr;
		len = strnlen_user(*p, MAX_ARG_STRLEN);
		if (!len || len > MAX_ARG_STRLEN)
			return -EFAULT;
		*p += len;
	}
	return put_word(*vec, 0);
}

/* The platform string of AT_PLATFORM: x86_64's ELF_PLATFORM, i386's utsname machine. */
static const char *elf_platform(void)
{
	return elf64() ? "x86_64" : "i686";
}

/*
 * create_elf_tables: the new stack, from the strings down.
 *
 *   arg_start ->  argv strings, envp strings, the file name (copy_strings)
 *                 the platform string, 16 random bytes (AT_RANDOM's)
 *                 (16-byte aligned)
 *                 auxv: (type, value) pairs, AT_NULL last
 *                 NULL, envp[envc-1] ... envp[0]
 *                 NULL, argv[argc-1] ... argv[0]
 *   sp ->         argc                          (sp 16-byte aligned)
 *
 * argv and envp point at the strings, whose lengths are read back from
 * the stack (strnlen_user) as Linux does.  The vector is also kept in
 * mm->saved_auxv (/proc/PID/auxv's source).
 */
static int create_elf_tables(struct linux_binprm *bprm, const struct elfhdr *exec,
			     unsigned long load_addr, unsigned long interp_load_addr)
{
	struct mm_struct *mm = current->mm;
	unsigned long word = arch->sizeof_ptr;
	unsigned long p = bprm->p, sp, argv, envp, u_platform, u_rand_bytes;
	const char *k_platform = elf_platform();
	unsigned char k_rand_bytes[16];
	unsigned long *elf_info = mm->saved_auxv;
	int argc = bprm->argc, envc = bprm->envc, items, ei_index = 0;
	size_t len;

	p = arch_align_stack(p);
	len = strlen(k_platform) + 1;
	p -= len;
	u_platform = p;
	if (copy_to_user((void __user *)u_platform, k_platform, len))
		return -EFAULT;
	for (unsigned int i = 0; i < sizeof(k_rand_bytes); i++)
		k_rand_bytes[i] = (unsigned char)random32();
	p -= sizeof(k_rand_bytes);
	u_rand_bytes = p;
	if (copy_to_user((void __user *)u_rand_bytes, k_rand_bytes, sizeof(k_rand_bytes)))
		return -EFAULT;

#define NEW_AUX_ENT(id, val)				\
	do {						\
		elf_info[ei_index++] = (id);		\
		elf_info[ei_index++] = (val);		\
	} while (0)
	/* ARCH_DLINFO first: the vdso's entry (i386) and header. */
	if (mm->vdso) {
		if (!elf64())
			NEW_AUX_ENT(AT_SYSINFO, mm->vdso + VDSO32_VSYSCALL_OFFSET);
		NEW_AUX_ENT(AT_SYSINFO_EHDR, mm->vdso);
	}
	NEW_AUX_ENT(AT_HWCAP, KMM_ELF_HWCAP);
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, USER_HZ);
	NEW_AUX_ENT(AT_PHDR, load_addr + exec->e_phoff);
	NEW_AUX_ENT(AT_PHENT, phdr_size());
	NEW_AUX_ENT(AT_PHNUM, exec->e_phnum);
	NEW_AUX_ENT(AT_BASE, interp_load_addr);
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, exec->e_entry);
	NEW_AUX_ENT(AT_UID, KMM_PROCESS_ID);	/* kmm's processes run as uid and gid 1000 */
	NEW_AUX_ENT(AT_EUID, KMM_PROCESS_ID);
	NEW_AUX_ENT(AT_GID, KMM_PROCESS_ID);
	NEW_AUX_ENT(AT_EGID, KMM_PROCESS_ID);
	NEW_AUX_ENT(AT_SECURE, 0);
	NEW_AUX_ENT(AT_RANDOM, u_rand_bytes);
	NEW_AUX_ENT(AT_EXECFN, bprm->exec);
	NEW_AUX_ENT(AT_PLATFORM, u_platform);
#undef NEW_AUX_ENT
	memset(&elf_info[ei_index], 0, sizeof(mm->saved_auxv) - ei_index * sizeof(elf_info[0]));
	ei_index += 2;	/* AT_NULL */

	sp = p - ei_index * word;
	items = (argc + 1) + (envc + 1) + 1;
	bprm->p = (sp - items * word) & ~15UL;
	sp = bprm->p;
	{
		struct vm_area_struct *vma = find_vma(mm, bprm->p);

		if (!vma || (vma->vm_start > bprm->p && expand_stack(vma, bprm->p)))
			return -EFAULT;
	}
	if (put_word(sp, argc))
		return -EFAULT;
	sp += word;
	argv = sp;
	envp = argv + (argc + 1) * word;

	p = mm->arg_end = mm->arg_start;
	if (put_string_pointers(&argv, &p, argc))
		return -EFAULT;
	mm->arg_end = mm->env_start = p;
	if (put_string_pointers(&envp, &p, envc))
		return -EFAULT;
	mm->env_end = p;
	sp = envp + word;
	for (int i = 0; i < ei_index; i++)
		if (put_word(sp + i * word, elf_info[i]))
			return -EFAULT;
	return 0;
}

/*
 * The interpreter named by PT_INTERP: its name read and checked (ENOEXEC
 * unless 2..PATH_MAX bytes ending in NUL), the file opened (ENOENT,
 * EACCES) and its first BINPRM_BUF_SIZE bytes read into @buf (EIO if
 * shorter).  Returns the open file or an ERR_PTR.
 */
static struct file *open_interpreter(struct linux_binprm *bprm, const elf_phdr *ph, char *buf)
{
	char *name;
	struct file *interpreter;
	int retval;

	if (ph->p_filesz > KMM_PATH_MAX || ph->p_filesz < 2)
		return ERR_PTR(-ENOEXEC);
	name = kmalloc(ph->p_filesz, GFP_KERNEL);
	if (!name)
		return ERR_PTR(-ENOMEM);
	retval = exec_read(bprm->file, ph->p_offset, name, ph->p_filesz);
	if (retval != (int)ph->p_filesz) {
		kfree(name);
		return ERR_PTR(retval < 0 ? retval : -EIO);
	}
	if (name[ph->p_filesz - 1] != '\0') {
		kfree(name);
		return ERR_PTR(-ENOEXEC);
	}
	interpreter = open_exec(name);
	kfree(name);
	if (IS_ERR(interpreter))
		return interpreter;
	memset(buf, 0, BINPRM_BUF_SIZE);
	retval = exec_read(interpreter, 0, buf, BINPRM_BUF_SIZE);
	if (retval != BINPRM_BUF_SIZE) {
		fput(interpreter);
		return ERR_PTR(retval < 0 ? retval : -EIO);
	}
	return interpreter;
}

/* What the segment loop of load_elf_binary finds: the image's extent, in file addresses. */
struct elf_extent {
	unsigned long elf_bss, elf_brk;			/* end of file data, end of memory */
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long load_addr, load_bias;
};

/* The largest power-of-two p_align of the PT_LOAD segments, page-aligned (0: none). */
static unsigned long maximum_alignment(const elf_phdr *ph, int nr)
{
	unsigned long alignment = 0;

	for (int i = 0; i < nr; i++, ph++)
		if (ph->p_type == PT_LOAD && is_power_of_2(ph->p_align) && ph->p_align > alignment)
			alignment = (unsigned long)ph->p_align;
	return ELF_PAGEALIGN(alignment);
}

/*
 * The load bias of a PIE under Linux 2.6.38 and later (EXEC_PIE_ET_DYN_BASE):
 * ELF_ET_DYN_BASE is two thirds of the address space -- far from the
 * stack and mmap_base above and from ET_EXEC programs below, with room
 * for the break to grow after it -- moved by arch_mmap_rnd's pages when
 * randomising, and aligned down so that a segment asking for a large
 * alignment (2 MiB) gets it.  @vaddr is the first PT_LOAD's.
 */
static unsigned long elf_et_dyn_bias(const elf_phdr *phdata, int nr, unsigned long vaddr)
{
	unsigned long base = TASK_SIZE / 3 * 2, alignment;

	if (current->flags & PF_RANDOMIZE)
		base += (unsigned long)(random32() % (1u << (elf64() ? 28 : 8))) << PAGE_SHIFT;
	alignment = maximum_alignment(phdata, nr);
	if (alignment)
		base &= ~(alignment - 1);
	return ELF_PAGESTART(base - vaddr);
}

/*
 * The program's PT_LOAD segments mapped (the part of load_elf_binary past
 * the point of no return).  A segment with bss before another gets its
 * anonymous pages at once (set_brk) and its tail zeroed, as 2.6.34 does.
 * 0, or -errno.
 */
static int map_segments(struct linux_binprm *bprm, const struct elfhdr *ex, const elf_phdr *phdata,
			bool has_interp, struct elf_extent *x)
{
	const elf_phdr *ph = phdata;
	int load_addr_set = 0;

	x->elf_bss = x->elf_brk = 0;
	x->start_code = ~0UL;
	x->end_code = x->start_data = x->end_data = 0;
	x->load_addr = x->load_bias = 0;
	for (int i = 0; i < ex->e_phnum; i++, ph++) {
		int elf_flags = MAP_PRIVATE | MAP_DENYWRITE | MAP_EXECUTABLE;
		unsigned long k, vaddr, error;

		if (ph->p_type != PT_LOAD)
			continue;
		if (x->elf_brk > x->elf_bss) {
			unsigned long nbyte;
			int retval = set_brk(x->elf_bss + x->load_bias, x->elf_brk + x->load_bias);

			if (retval)
				return retval;
			nbyte = ELF_PAGEOFFSET(x->elf_bss);
			if (nbyte) {
				nbyte = ELF_MIN_ALIGN - nbyte;
				if (nbyte > x->elf_brk - x->elf_bss)
					nbyte = x->elf_brk - x->elf_bss;
				/* Odd protections may refuse it: ignored, as in 2.6.34. */
				(void)!clear_user((void __user *)(x->elf_bss + x->load_bias), nbyte);
			}
		}
		vaddr = ph->p_vaddr;
		if (ex->e_type == ET_EXEC || load_addr_set)
			elf_flags |= MAP_FIXED;
		else if (ex->e_type == ET_DYN && has_interp && bprm->pie == EXEC_PIE_ET_DYN_BASE) {
			x->load_bias = elf_et_dyn_bias(phdata, ex->e_phnum, vaddr);
			elf_flags |= MAP_FIXED;		/* the mm is new: nothing is there */
		} else if (ex->e_type == ET_DYN) {
			x->load_bias = 0;	/* CONFIG_X86: get_unmapped_area chooses */
		}
		error = elf_map(bprm->file, x->load_bias + vaddr, ph, elf_prot(ph->p_flags), elf_flags, 0);
		if (BAD_ADDR(error))
			return IS_ERR_VALUE(error) ? (int)error : -EINVAL;
		if (!load_addr_set) {
			load_addr_set = 1;
			x->load_addr = ph->p_vaddr - ph->p_offset;
			if (ex->e_type == ET_DYN) {
				x->load_bias += error - ELF_PAGESTART(x->load_bias + vaddr);
				x->load_addr += x->load_bias;
			}
		}
		k = ph->p_vaddr;
		if (k < x->start_code)
			x->start_code = k;
		if (x->start_data < k)
			x->start_data = k;
		if (!segment_fits(k, ph))
			return -EINVAL;
		k = ph->p_vaddr + ph->p_filesz;
		if (k > x->elf_bss)
			x->elf_bss = k;
		if ((ph->p_flags & PF_X) && x->end_code < k)
			x->end_code = k;
		if (x->end_data < k)
			x->end_data = k;
		k = ph->p_vaddr + ph->p_memsz;
		if (k > x->elf_brk)
			x->elf_brk = k;
	}
	return 0;
}

/* A fatal signal for the process that passed the point of no return; @retval back. */
static int exec_fail(int sig, int retval)
{
	struct kmm_siginfo info = { .signo = sig, .code = SI_KERNEL };

	force_sig_info(sig, &info, current);
	return retval;
}

int load_elf_binary(struct linux_binprm *bprm)
{
	struct file *interpreter = NULL;
	struct elfhdr elf_ex, interp_elf_ex;
	char interp_buf[BINPRM_BUF_SIZE];
	elf_phdr *elf_phdata, *ph;
	struct elf_extent x;
	unsigned long elf_entry, interp_load_addr = 0;
	int executable_stack = EXSTACK_DEFAULT, retval, i;
	struct mm_struct *mm;

	elf_read_ehdr(bprm->buf, &elf_ex);
	if (memcmp(elf_ex.e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (!elf_header_ok(&elf_ex))
		return -ENOEXEC;
	elf_phdata = elf_read_phdrs(bprm->file, &elf_ex);
	if (IS_ERR(elf_phdata))
		return (int)PTR_ERR(elf_phdata);

	for (i = 0, ph = elf_phdata; i < elf_ex.e_phnum; i++, ph++) {
		if (ph->p_type != PT_INTERP)
			continue;
		interpreter = open_interpreter(bprm, ph, interp_buf);
		if (IS_ERR(interpreter)) {
			retval = (int)PTR_ERR(interpreter);
			goto out_free_ph;
		}
		elf_read_ehdr(interp_buf, &interp_elf_ex);
		break;
	}
	for (i = 0, ph = elf_phdata; i < elf_ex.e_phnum; i++, ph++)
		if (ph->p_type == PT_GNU_STACK) {
			executable_stack = ph->p_flags & PF_X ? EXSTACK_ENABLE_X : EXSTACK_DISABLE_X;
			break;
		}
	if (interpreter) {
		retval = -ELIBBAD;
		if (memcmp(interp_elf_ex.e_ident, ELFMAG, SELFMAG) != 0 || !elf_check_arch(&interp_elf_ex))
			goto out_free_dentry;
	}

	retval = flush_old_exec(bprm);
	if (retval)
		goto out_free_dentry;
	/* The point of no return: the old image is gone. */
	mm = current->mm;
	mm->def_flags = 0;
	if (!(current->personality & ADDR_NO_RANDOMIZE) && randomize_va_space)
		current->flags |= PF_RANDOMIZE;
	setup_new_exec(bprm);
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = 0;
	retval = setup_arg_pages(bprm, randomize_stack_top(STACK_TOP_OF(mm)), executable_stack);
	if (retval < 0)
		goto out_kill;
	mm->start_stack = bprm->p;

	retval = map_segments(bprm, &elf_ex, elf_phdata, interpreter != NULL, &x);
	if (retval)
		goto out_kill;
	elf_ex.e_entry += x.load_bias;
	x.elf_bss += x.load_bias;
	x.elf_brk += x.load_bias;
	x.start_code += x.load_bias;
	x.end_code += x.load_bias;
	x.start_data += x.load_bias;
	x.end_data += x.load_bias;
	/* The bss and the break before the interpreter, so that it cannot land where they go. */
	retval = set_brk(x.elf_bss, x.elf_brk);
	if (retval)
		goto out_kill;
	if (x.elf_bss != x.elf_brk && padzero(x.elf_bss)) {
		retval = exec_fail(SIGSEGV, -EFAULT);
		goto out_free_dentry;
	}
	if (interpreter) {
		elf_entry = load_elf_interp(&interp_elf_ex, interpreter, x.load_bias);
		if (!IS_ERR_VALUE(elf_entry)) {
			interp_load_addr = elf_entry;
			elf_entry += interp_elf_ex.e_entry;
		}
		if (BAD_ADDR(elf_entry)) {
			retval = exec_fail(SIGSEGV, IS_ERR_VALUE(elf_entry) ? (int)elf_entry : -EINVAL);
			goto out_free_dentry;
		}
		fput(interpreter);
		interpreter = NULL;
	} else {
		elf_entry = elf_ex.e_entry;
		if (BAD_ADDR(elf_entry)) {
			retval = exec_fail(SIGSEGV, -EINVAL);
			goto out_free_dentry;
		}
	}
	kfree(elf_phdata);
	elf_phdata = NULL;
	retval = arch_setup_additional_pages(bprm, interp_load_addr != 0);
	if (retval < 0)
		goto out_kill;
	retval = create_elf_tables(bprm, &elf_ex, x.load_addr, interp_load_addr);
	if (retval < 0)
		goto out_kill;
	mm->end_code = x.end_code;
	mm->start_code = x.start_code;
	mm->start_data = x.start_data;
	mm->end_data = x.end_data;
	mm->start_stack = bprm->p;
	if ((current->flags & PF_RANDOMIZE) && randomize_va_space > 1)
		mm->brk = mm->start_brk = arch_randomize_brk(mm);
	/* start_thread: the stack pointer (the stack-growth rule reads it); the entry is elf_entry. */
	current->user_sp = bprm->p;
	return 0;

out_kill:
	exec_fail(SIGKILL, retval);
out_free_dentry:
	if (interpreter)
		fput(interpreter);
out_free_ph:
	kfree(elf_phdata);
	return retval;
}
