/*
 * binfmts.h - running a program: execve(2) of a host ELF file into the
 * current process (kernel/exec.c, kernel/binfmt_elf.c, kernel/vdso.c),
 * with 2.6.34's names (include/linux/binfmts.h).
 *
 * do_execve() builds the new image in an address space of its own
 * (bprm->mm: a one-page stack at STACK_TOP_MAX holding the strings), so
 * that everything that can be refused -- the file, its headers, the
 * interpreter, the size of the arguments -- is refused while the process
 * is untouched.  Then flush_old_exec() swaps the address spaces: the point
 * of no return, after which a failure kills the process (SIGKILL or
 * SIGSEGV), as in 2.6.34.
 */
#ifndef KMM_BINFMTS_H
#define KMM_BINFMTS_H

#include <kmm/types.h>

struct file;
struct mm_struct;
struct vm_area_struct;

#define BINPRM_BUF_SIZE		128		/* the bytes of the file's head read at once */
#define MAX_ARG_STRLEN		(4096UL * 32)	/* one argument or variable, with its NUL */
#define MAX_ARG_STRINGS		0x7fffffff
#define ARG_MAX			(4096UL * 32)	/* arguments always allowed, whatever the stack limit */
#define KMM_PATH_MAX		4096		/* PATH_MAX: the longest interpreter name */

/* The executable stack requests of PT_GNU_STACK (setup_arg_pages). */
#define EXSTACK_DEFAULT		0
#define EXSTACK_DISABLE_X	1
#define EXSTACK_ENABLE_X	2

/* What a program is loaded from, while it is loaded (2.6.34's linux_binprm, the parts used). */
struct linux_binprm {
	char buf[BINPRM_BUF_SIZE];	/* the file's first bytes (zero past its end) */
	struct vm_area_struct *vma;	/* the new stack while the strings are copied */
	struct mm_struct *mm;		/* the new address space, until flush_old_exec takes it */
	unsigned long p;		/* the lowest byte of the strings so far (a user address) */
	struct file *file;		/* the program */
	int argc, envc;
	const char *filename;		/* the name as given (AT_EXECFN's string, comm) */
	unsigned long exec;		/* the user address of that string */
	unsigned long per_clear;	/* personality bits to clear (set-id programs) */
	int pie;			/* enum exec_pie: where a PIE program goes */
};

/*
 * Where load_elf_binary puts a PIE program (ET_DYN with an interpreter).
 * EXEC_PIE_2634 is 2.6.34's x86 rule: load_bias 0, so get_unmapped_area
 * chooses (top-down, just below mmap_base).  EXEC_PIE_ET_DYN_BASE is the
 * rule of Linux 2.6.38 and later, the hosts' today: at ELF_ET_DYN_BASE
 * (two thirds of TASK_SIZE: 0x555555554000 on x86_64), plus the mmap
 * randomisation when randomising, aligned down to the largest power-of-two
 * p_align of its PT_LOAD segments (Linux 5.10's maximum_alignment).  The
 * strace replay (`kmm replay --exec`) uses it: a log was made around the
 * host's layout.  A program without an interpreter (static, or ld.so run
 * as a program) keeps load_bias 0 under both rules.
 */
enum exec_pie {
	EXEC_PIE_2634,
	EXEC_PIE_ET_DYN_BASE,
};

/*
 * execve(2) of @filename with the NULL-terminated @argv and @envp (kernel
 * strings, as kernel_execve gives them) in the current process.  Returns 0
 * with the process running the new image; or a negative errno with the
 * process exactly as it was (-ENOENT, -EACCES: no such file, not a
 * regular file or not executable; -ENOEXEC: not an ELF program for this
 * machine; -EIO: the file ends inside its headers; -ELIBBAD: the
 * interpreter is not an ELF file for this machine; -E2BIG: the strings do
 * not fit; -ENOMEM); or, failing past the point of no return, a negative
 * errno with a fatal signal pending that ends the process when it returns.
 */
int do_execve(const char *filename, const char *const argv[], const char *const envp[]);
/* do_execve with a PIE placed by rule @pie (enum exec_pie); do_execve is EXEC_PIE_2634. */
int do_execve_pie(const char *filename, const char *const argv[], const char *const envp[],
		  int pie);

/* The steps of fs/exec.c the ELF loader calls (kernel/exec.c). */
struct file *open_exec(const char *name);
int flush_old_exec(struct linux_binprm *bprm);
void setup_new_exec(struct linux_binprm *bprm);
int setup_arg_pages(struct linux_binprm *bprm, unsigned long stack_top, int executable_stack);
/* The ELF loader (kernel/binfmt_elf.c): 0, or -errno (-ENOEXEC: not this format). */
int load_elf_binary(struct linux_binprm *bprm);
/* x86's vdso (kernel/vdso.c): the [vdso] page mapped into the current mm. */
int arch_setup_additional_pages(struct linux_binprm *bprm, int uses_interp);
/* "[vdso]" or "[vsyscall]" for those VMAs, NULL for others (2.6.34's arch_vma_name). */
const char *arch_vma_name(struct vm_area_struct *vma);
/*
 * x86_64's vsyscall page: a fixed kernel mapping at 0xffffffffff600000
 * that /proc/PID/maps prints after the VMAs (2.6.34's gate VMA).  NULL on
 * i386, and for processes that never exec'd (kmm's spawn: docs/glossary.md).
 */
struct vm_area_struct *get_gate_vma(struct mm_struct *mm);

#endif /* KMM_BINFMTS_H */
