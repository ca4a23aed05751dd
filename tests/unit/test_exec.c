/*
 * test_exec.c - execve of ELF programs (kernel/exec.c, binfmt_elf.c,
 * vdso.c): the image 2.6.34 builds, derived by hand below, and every
 * refusal, each leaving the process exactly as it was.
 *
 * The programs are written by the test into a temporary directory
 * (elf_builder.h).  The static one, on x86_64:
 *
 *   text  R-X  file [0, 0x1100)       at 0x400000  -> 00400000-00402000 r-xp 0
 *   data  RW-  file [0x2000, 0x2100)  at 0x602000  -> 00602000-00603000 rw-p 0x2000
 *        memsz 0x3000: bss to 0x605000: set_brk maps 00603000-00605000 anonymous and
 *        the break starts at 0x605000; maps calls that VMA [heap] (it ends at the
 *        break, 2.6.34's test); padzero zeroes 0x602100-0x603000 (0xaa in the file)
 *   [vdso]   vdso_addr's hint (the stack top's page) overlaps the stack, so
 *            get_unmapped_area searches down from mmap_base = 0x7ffff7fff000
 *            (TASK_SIZE 0x7ffffffff000 less the 128 MiB gap): 7ffff7ffe000
 *   [stack]  one page of strings + setup_arg_pages' 128 KiB: 7ffffffde000-7ffffffff000
 *   [vsyscall] ffffffffff600000-ffffffffff601000 r-xp, printed last
 *
 * The stack from its top (0x7ffffffff000): a NULL word, the file name,
 * the environment's strings, argv's strings (arg_start), then, 16-byte
 * aligned, "x86_64", 16 random bytes, the auxiliary vector, envp, argv,
 * argc at the 16-byte aligned stack pointer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <kmm/binfmts.h>
#include <kmm/elf.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/mm.h>
#include <kmm/process.h>
#include <kmm/procfs.h>
#include <kmm/resource.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/uaccess.h>
#include "tests/harness.h"
#include "tests/unit/elf_builder.h"

#define PATH_MAX	KMM_PATH_MAX

static char dir[PATH_MAX];
static char prog[PATH_MAX + 32];

static const char *const envp[] = {
	"HOME=/root", "LANG=C", "PATH=/usr/local/bin:/usr/bin:/bin", "TERM=dumb", NULL,
};

/* A file of the temporary directory (static buffer, overwritten by the next call). */
static const char *tmp_path(const char *name)
{
	snprintf(prog, sizeof(prog), "%s/%s", dir, name);
	return prog;
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/kmm-exec-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	teardown_machine(state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A machine and a process the test acts as. */
static struct task_struct *start(const char *cmdline)
{
	struct task_struct *p;

	boot_or_fail(cmdline);
	p = process_spawn("proc");
	assert_non_null(p);
	process_enter(p);
	return p;
}

static long exec1(const char *path)
{
	const char *const argv[] = { path, NULL };

	return do_execve(path, argv, envp);
}

/* A machine, a process, and the static x86_64 program exec'd in it: its path. */
static const char *exec_static64(const char *cmdline)
{
	struct elfb b;
	const char *path;

	if (cmdline)
		start(cmdline);	/* NULL: the machine and process are there */
	elfb_static(&b, ELFCLASS64);
	path = tmp_path("static64");
	assert_int_equal(elfb_write(&b, path, 0755), 0);
	assert_int_equal(exec1(path), 0);
	return path;
}

/* One line of /proc/self/maps, parsed. */
struct map_line {
	unsigned long start, end, off, ino;
	char perms[5], dev[8], name[PATH_MAX];
};

static int read_maps(struct map_line *m, int max)
{
	char text[16384];
	char *line, *save;
	int n = 0;

	snprintf(text, sizeof(text), "%s", proc_text("/proc/self/maps"));
	for (line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		m[n].name[0] = '\0';
		assert_true(sscanf(line, "%lx-%lx %4s %lx %7s %lu %s", &m[n].start, &m[n].end, m[n].perms,
				   &m[n].off, m[n].dev, &m[n].ino, m[n].name) >= 6);
		n++;
	}
	return n;
}

static void assert_line(const struct map_line *m, unsigned long start, unsigned long end,
			const char *perms, unsigned long off, const char *name)
{
	assert_int_equal(m->start, start);
	assert_int_equal(m->end, end);
	assert_string_equal(m->perms, perms);
	assert_int_equal(m->off, off);
	assert_string_equal(m->name, name);
}

/* The host's own view of the file: "fe:00" and the inode, as maps prints them. */
static void assert_host_file(const struct map_line *m, const char *path)
{
	struct stat st;
	char dev[8], real[PATH_MAX];

	assert_int_equal(stat(path, &st), 0);
	snprintf(dev, sizeof(dev), "%02x:%02x", major(st.st_dev), minor(st.st_dev));
	assert_string_equal(m->dev, dev);
	assert_int_equal(m->ino, st.st_ino);
	assert_non_null(realpath(path, real));
	assert_string_equal(m->name, real);
}

static unsigned long uword(unsigned long addr)
{
	unsigned long v = 0;

	if (arch->bits == 64)
		assert_int_equal(get_user(v, (unsigned long __user *)addr), 0);
	else {
		u32 w;

		assert_int_equal(get_user(w, (u32 __user *)addr), 0);
		v = w;
	}
	return v;
}

static void assert_ustring(unsigned long addr, const char *want)
{
	char buf[PATH_MAX + 32];

	assert_true(strncpy_from_user(buf, (const char __user *)addr, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static unsigned long auxv_get(unsigned long type)
{
	const unsigned long *v = current->mm->saved_auxv;

	for (int i = 0; v[i]; i += 2)
		if (v[i] == type)
			return v[i + 1];
	fail_msg("no auxv entry %lu", type);
	return 0;
}

static void exec_static_layout_x86_64(void **state)
{
	struct map_line m[16];
	const char *path;
	int n;

	(void)state;
	path = exec_static64("ram=64M");
	n = read_maps(m, 16);
	assert_int_equal(n, 6);
	assert_line(&m[0], 0x400000, 0x402000, "r-xp", 0, m[0].name);
	assert_host_file(&m[0], path);
	assert_line(&m[1], 0x602000, 0x603000, "rw-p", 0x2000, m[1].name);
	assert_host_file(&m[1], path);
	assert_line(&m[2], 0x603000, 0x605000, "rw-p", 0, "[heap]");
	assert_line(&m[3], 0x7ffff7ffe000, 0x7ffff7fff000, "r-xp", 0, "[vdso]");
	assert_line(&m[4], 0x7ffffffde000, 0x7ffffffff000, "rw-p", 0, "[stack]");
	assert_line(&m[5], 0xffffffffff600000, 0xffffffffff601000, "r-xp", 0, "[vsyscall]");
	assert_int_equal(current->mm->start_brk, 0x605000);
	assert_int_equal(current->mm->brk, 0x605000);
	assert_int_equal(current->mm->start_code, 0x400000);
	assert_int_equal(current->mm->end_code, 0x401100);
	assert_int_equal(current->mm->start_data, 0x602000);
	assert_int_equal(current->mm->end_data, 0x602100);
	assert_string_equal(current->comm, "static64");
	/* The vdso's page reads as an ELF header (a special mapping: no rmap, never merged). */
	{
		u32 magic;

		assert_int_equal(get_user(magic, (u32 __user *)0x7ffff7ffe000UL), 0);
		assert_int_equal(magic, 0x464c457f);
	}
	assert_mm_check();
	process_exit(0);
	assert_mm_check();
}

/*
 * The stack, word by word.  With the path P of length L: the file name
 * at 0x7ffffffff000 - 8 - (L + 1) (AT_EXECFN), the environment's 62
 * bytes below it, argv[0] (L + 1 bytes) below that at arg_start.
 */
static void exec_static_stack_and_auxv(void **state)
{
	const char *path;
	unsigned long top = 0x7ffffffff000UL, len, execfn, arg_start, sp, p;
	struct mm_struct *mm;
	unsigned char c;

	(void)state;
	path = exec_static64("ram=64M");
	mm = current->mm;
	len = strlen(path) + 1;
	execfn = top - 8 - len;
	arg_start = execfn - 62 - len;
	assert_int_equal(auxv_get(AT_EXECFN), execfn);
	assert_ustring(execfn, path);
	assert_int_equal(mm->arg_start, arg_start);
	assert_int_equal(mm->arg_end, arg_start + len);
	assert_int_equal(mm->env_start, arg_start + len);
	assert_int_equal(mm->env_end, execfn);
	sp = mm->start_stack;
	assert_int_equal(sp & 15, 0);
	assert_int_equal(current->user_sp, sp);
	assert_int_equal(uword(sp), 1);			/* argc */
	assert_int_equal(uword(sp + 8), arg_start);	/* argv[0] */
	assert_ustring(uword(sp + 8), path);
	assert_int_equal(uword(sp + 16), 0);
	p = sp + 24;
	for (int i = 0; envp[i]; i++, p += 8)
		assert_ustring(uword(p), envp[i]);
	assert_int_equal(uword(p), 0);
	p += 8;
	/* The vector on the stack is the one saved, in 2.6.34's order. */
	{
		static const unsigned long order[] = {
			AT_SYSINFO_EHDR, AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM,
			AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE,
			AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL,
		};

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++, p += 16) {
			assert_int_equal(uword(p), order[i]);
			assert_int_equal(uword(p + 8), mm->saved_auxv[2 * i + 1]);
		}
	}
	assert_int_equal(auxv_get(AT_SYSINFO_EHDR), 0x7ffff7ffe000UL);
	assert_int_equal(auxv_get(AT_PHDR), 0x400040);
	assert_int_equal(auxv_get(AT_PHENT), 56);
	assert_int_equal(auxv_get(AT_PHNUM), 3);
	assert_int_equal(auxv_get(AT_BASE), 0);
	assert_int_equal(auxv_get(AT_ENTRY), 0x401000);
	assert_int_equal(auxv_get(AT_PAGESZ), 4096);
	assert_int_equal(auxv_get(AT_CLKTCK), 100);
	/* AT_PLATFORM: "x86_64" 16-byte aligned below the strings; AT_RANDOM's 16 bytes below it. */
	assert_int_equal(auxv_get(AT_PLATFORM), (arg_start & ~15UL) - 7);
	assert_ustring(auxv_get(AT_PLATFORM), "x86_64");
	assert_int_equal(auxv_get(AT_RANDOM), auxv_get(AT_PLATFORM) - 16);
	/* padzero: the data page's bytes past the file part read zero (the file has 0xaa). */
	assert_int_equal(get_user(c, (unsigned char __user *)0x602100), 0);
	assert_int_equal(c, 0);
	assert_int_equal(get_user(c, (unsigned char __user *)0x602fff), 0);
	assert_int_equal(c, 0);
	assert_mm_check();
}

/* ---- refusals: the errno, and the process as it was ---- */

static char before[16384];

static void refused(const char *path, const char *const argv[], int err)
{
	struct mm_struct *mm = current->mm;
	long ret;

	snprintf(before, sizeof(before), "%s", proc_text("/proc/self/maps"));
	ret = argv ? do_execve(path, argv, envp) : exec1(path);
	assert_int_equal(ret, -err);
	assert_ptr_equal(current->mm, mm);
	assert_int_equal(current->pending_fatal, 0);
	assert_string_equal(proc_text("/proc/self/maps"), before);
	assert_string_equal(current->comm, "proc");
	assert_mm_check();
}

static void exec_refuses_missing_directory_and_nonexecutable(void **state)
{
	struct elfb b;

	(void)state;
	start("ram=64M");
	elfb_static(&b, ELFCLASS64);
	refused(tmp_path("no-such-file"), NULL, ENOENT);
	refused(dir, NULL, EACCES);			/* a directory: not a regular file */
	assert_int_equal(elfb_write(&b, tmp_path("noexec"), 0644), 0);
	refused(tmp_path("noexec"), NULL, EACCES);	/* no execute bit: MAY_EXEC */
	assert_int_equal(write_file(tmp_path("script"), "#!/bin/sh\necho hi\n", 18, 0755), 0);
	refused(tmp_path("script"), NULL, ENOEXEC);	/* kmm has no binfmt_script */
	assert_int_equal(write_file(tmp_path("empty"), "", 0, 0755), 0);
	refused(tmp_path("empty"), NULL, ENOEXEC);
}

/* Each header check of load_elf_binary, in its order: all ENOEXEC before anything is read. */
static void exec_refuses_bad_headers(void **state)
{
	static const struct {
		const char *name;
		int what;
	} cases[] = {
		{ "bad-magic", 0 }, { "elf32-on-x86_64", 1 }, { "wrong-machine", 2 },
		{ "relocatable", 3 }, { "bad-phentsize", 4 }, { "no-phdrs", 5 }, { "too-many-phdrs", 6 },
	};

	(void)state;
	start("ram=64M");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elfb b;
		const char *path;

		elfb_static(&b, ELFCLASS64);
		switch (cases[i].what) {
		case 1: b.elfclass = ELFCLASS32; b.machine = EM_386; break;
		case 2: b.machine = EM_386; break;
		case 3: b.type = 1; break;
		case 4: b.phentsize = 32; break;
		case 5: b.nseg = 0; break;
		case 6: b.phentsize = 0; b.nseg = 3; break;
		}
		path = tmp_path(cases[i].name);
		assert_int_equal(elfb_write(&b, path, 0755), 0);
		if (cases[i].what == 0) {
			assert_int_equal(write_file(path, "\177ELG", 4, 0755), 0);
		} else if (cases[i].what == 6) {
			/* e_phnum 1171 > 65536 / 56: patched in the header's byte 56. */
			FILE *f = fopen(path, "r+b");
			unsigned short phnum = 1171;

			assert_non_null(f);
			fseek(f, 56, SEEK_SET);
			fwrite(&phnum, 2, 1, f);
			fclose(f);
		}
		refused(path, NULL, ENOEXEC);
	}
}

/* A file that ends inside what it declares: kernel_read comes short, EIO (2.6.34's answer). */
static void exec_refuses_truncated_file(void **state)
{
	struct elfb b;

	(void)state;
	start("ram=64M");
	elfb_static(&b, ELFCLASS64);
	b.size = 64 + 56;	/* the header and one of the three program headers */
	assert_int_equal(elfb_write(&b, tmp_path("truncated"), 0755), 0);
	refused(tmp_path("truncated"), NULL, EIO);
}

/*
 * The interpreter: a name that does not end in NUL (ENOEXEC), one that
 * does not exist (ENOENT), a file shorter than BINPRM_BUF_SIZE (EIO), a
 * file that is not ELF or not this machine's (ELIBBAD).
 */
static void exec_refuses_bad_interpreter(void **state)
{
	/* Each program and interpreter a file of its own: kmm's page cache keeps what it read. */
	static const struct {
		const char *prog, *interp;
		int kind, err;
	} cases[] = {
		{ "missing-interp", NULL, 0, ENOENT }, { "interp-not-elf", "not-elf", 1, ELIBBAD },
		{ "interp-elf32", "elf32", 2, ELIBBAD }, { "interp-short", "short", 3, EIO },
	};
	char interp[PATH_MAX + 32], bytes[200];
	struct elfb b;

	(void)state;
	start("ram=64M");
	memset(bytes, 'x', sizeof(bytes));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		elfb_static(&b, ELFCLASS64);
		b.interp_off = 0x1000;
		if (!cases[i].interp) {
			b.interp = "/no/such/ld.so";
		} else {
			struct elfb i386;

			snprintf(interp, sizeof(interp), "%s", tmp_path(cases[i].interp));
			if (cases[i].kind == 2) {
				elfb_static(&i386, ELFCLASS32);	/* ELF, another machine's */
				assert_int_equal(elfb_write(&i386, interp, 0755), 0);
			} else {
				assert_int_equal(write_file(interp, bytes, cases[i].kind == 3 ? 100 : 200,
							    0755), 0);
			}
			b.interp = interp;
		}
		assert_int_equal(elfb_write(&b, tmp_path(cases[i].prog), 0755), 0);
		refused(tmp_path(cases[i].prog), NULL, cases[i].err);
	}
	/* p_filesz 1: shorter than any name (2.6.34 wants 2..PATH_MAX) */
	elfb_static(&b, ELFCLASS64);
	b.interp = "";
	b.interp_off = 0x1000;
	assert_int_equal(elfb_write(&b, tmp_path("empty-interp"), 0755), 0);
	refused(tmp_path("empty-interp"), NULL, ENOEXEC);
}

/* A PIE of elfb_static's shape (text at 0, data at 0x2000), its interpreter @interp or none. */
static const char *write_pie(const char *name, const char *interp, uint64_t align)
{
	struct elfb b;

	elfb_static(&b, ELFCLASS64);
	b.type = ET_DYN;
	b.entry = 0x1000;
	b.seg[0].vaddr = 0;
	b.seg[1].vaddr = 0x2000;
	b.seg[1].align = align;
	if (interp) {
		b.interp = interp;
		b.interp_off = 0x1000;
	}
	assert_int_equal(elfb_write(&b, tmp_path(name), 0755), 0);
	return tmp_path(name);
}

static unsigned long pie_start(const char *path, int pie)
{
	const char *const argv[] = { path, NULL };

	start("ram=64M");
	assert_int_equal(do_execve_pie(path, argv, envp, pie), 0);
	assert_mm_check();
	return current->mm->start_code;
}

/*
 * Where a PIE (ET_DYN with an interpreter, its first PT_LOAD at vaddr 0)
 * goes.  2.6.34 (EXEC_PIE_2634): load_bias 0, so get_unmapped_area puts
 * its first segment (0x1100 bytes: 2 pages) right below mmap_base
 * (0x7ffff7fff000 with 8 MiB of stack): 0x7ffff7ffd000.  Today's kernels
 * (EXEC_PIE_ET_DYN_BASE): ELF_ET_DYN_BASE = TASK_SIZE / 3 * 2 =
 * 0x7ffffffff000 / 3 * 2 = 0x555555554aaa, its page 0x555555554000; with
 * a segment asking for 2 MiB alignment, 0x555555554aaa & ~0x1fffff =
 * 0x555555400000.  A program without an interpreter (a static PIE) keeps
 * load_bias 0 under both rules: 0x7ffff7ffd000.
 */
static void exec_pie_placement(void **state)
{
	char interp[PATH_MAX + 32];
	struct elfb b;

	(void)state;
	elfb_static(&b, ELFCLASS64);
	b.type = ET_DYN;		/* an ld.so: ET_DYN, at vaddr 0 */
	b.seg[0].vaddr = 0;
	b.seg[1].vaddr = 0x2000;
	snprintf(interp, sizeof(interp), "%s", tmp_path("ld.so"));
	assert_int_equal(elfb_write(&b, interp, 0755), 0);

	assert_int_equal(pie_start(write_pie("pie", interp, 0), EXEC_PIE_2634), 0x7ffff7ffd000UL);
	teardown_machine(state);
	assert_int_equal(pie_start(write_pie("pie", interp, 0), EXEC_PIE_ET_DYN_BASE),
			 0x555555554000UL);
	assert_int_equal(current->mm->start_data, 0x555555556000UL);
	teardown_machine(state);
	assert_int_equal(pie_start(write_pie("pie2m", interp, 0x200000), EXEC_PIE_ET_DYN_BASE),
			 0x555555400000UL);
	teardown_machine(state);
	assert_int_equal(pie_start(write_pie("static-pie", NULL, 0), EXEC_PIE_ET_DYN_BASE),
			 0x7ffff7ffd000UL);
}

/*
 * E2BIG: one string longer than MAX_ARG_STRLEN (32 pages with its NUL);
 * or strings past a quarter of RLIMIT_STACK once they take more than
 * ARG_MAX (32 pages): with an 8 MiB limit, 2 MiB.
 */
static void exec_refuses_too_many_arguments(void **state)
{
	struct elfb b;
	char *big = malloc(MAX_ARG_STRLEN + 1);
	const char *argv[20];
	const char *path;

	(void)state;
	start("ram=64M");
	elfb_static(&b, ELFCLASS64);
	path = tmp_path("static64");
	assert_int_equal(elfb_write(&b, path, 0755), 0);
	memset(big, 'a', MAX_ARG_STRLEN);
	big[MAX_ARG_STRLEN] = '\0';
	argv[0] = path;
	argv[1] = big;
	argv[2] = NULL;
	refused(path, argv, E2BIG);
	big[MAX_ARG_STRLEN - 1] = '\0';		/* 32 pages with its NUL: allowed alone */
	for (int i = 1; i < 19; i++)
		argv[i] = big;			/* 18 x 128 KiB = 2.25 MiB > 2 MiB */
	argv[19] = NULL;
	refused(path, argv, E2BIG);
	argv[2] = NULL;
	assert_int_equal(do_execve(path, argv, envp), 0);
	/* 33 pages of strings + 128 KiB: the stack has 65 pages */
	assert_int_equal(find_vma(current->mm, 0x7ffffffff000UL - 1)->vm_start,
			 0x7ffffffff000UL - 65 * 4096UL);
	free(big);
	assert_mm_check();
}

/*
 * Past the point of no return a failure kills: a segment whose offset
 * and address differ within the page cannot be mapped (EINVAL); the
 * process has SIGKILL pending and ends when it returns.
 */
static void exec_fails_after_point_of_no_return(void **state)
{
	struct task_struct *p;
	struct elfb b;
	int status = 0;
	pid_t pid;

	(void)state;
	p = start("ram=64M");
	pid = p->pid;
	elfb_static(&b, ELFCLASS64);
	b.seg[1].offset = 0x2010;
	assert_int_equal(elfb_write(&b, tmp_path("misaligned"), 0755), 0);
	assert_int_equal(exec1(tmp_path("misaligned")), -EINVAL);
	assert_int_equal(current->pending_fatal, SIGKILL);
	assert_int_equal(process_deliver_signals(), SIGKILL);
	assert_ptr_not_equal(current, p);
	assert_int_equal(process_wait(pid, &status), pid);
	assert_int_equal(status, SIGKILL);
	assert_mm_check();
}

/* The old image goes: its pages come back, its malloc state with them; a vfork parent goes on. */
static void exec_frees_old_image_and_releases_vfork_parent(void **state)
{
	struct task_struct *parent, *child;
	struct elfb b;

	(void)state;
	parent = start("ram=64M");
	elfb_static(&b, ELFCLASS64);
	assert_int_equal(elfb_write(&b, tmp_path("static64"), 0755), 0);
	child = process_vfork();
	assert_false(IS_ERR(child));
	assert_ptr_equal(current, child);
	assert_true(parent->vfork_blocked);
	assert_int_equal(exec1(tmp_path("static64")), 0);
	assert_false(parent->vfork_blocked);
	assert_ptr_not_equal(child->mm, parent->mm);
	assert_int_equal(atomic_read(&parent->mm->mm_users), 1);
	assert_mm_check();
}

/*
 * de_thread: the other threads of the process end (zap_other_threads),
 * the leader execs; a thread that is not the leader is refused (EAGAIN,
 * kmm: docs/glossary.md) with everything as it was.
 */
static void exec_ends_other_threads(void **state)
{
	struct task_struct *leader, *thread;
	const char *path;
	struct elfb b;

	(void)state;
	leader = start("ram=64M");
	elfb_static(&b, ELFCLASS64);
	path = tmp_path("static64");
	assert_int_equal(elfb_write(&b, path, 0755), 0);
	thread = process_clone(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, 0);
	assert_false(IS_ERR(thread));
	process_enter(thread);
	refused(path, NULL, EAGAIN);
	assert_ptr_equal(thread->mm, leader->mm);
	process_enter(leader);
	assert_int_equal(exec1(path), 0);
	assert_true(list_empty(&leader->thread_group));
	assert_int_equal(atomic_read(&leader->signal->live), 1);
	assert_mm_check();
}

/* i386: the same program as ELF32; the 64-bit one is refused (no such emulation). */
static void exec_static_layout_i386(void **state)
{
	struct elfb b;
	struct map_line m[16];
	int n;

	(void)state;
	start("ram=64M arch=i386");
	elfb_static(&b, ELFCLASS64);
	assert_int_equal(elfb_write(&b, tmp_path("static64"), 0755), 0);
	refused(tmp_path("static64"), NULL, ENOEXEC);
	elfb_static(&b, ELFCLASS32);
	assert_int_equal(elfb_write(&b, tmp_path("static32"), 0755), 0);
	assert_int_equal(exec1(tmp_path("static32")), 0);
	n = read_maps(m, 16);
	/*
	 * mmap_base = 0xc0000000 - 128 MiB = 0xb8000000: the vdso just below
	 * it; the stack 33 pages below 0xc0000000; no [vsyscall] on i386.
	 */
	assert_int_equal(n, 5);
	assert_line(&m[0], 0x8048000, 0x804a000, "r-xp", 0, m[0].name);
	assert_line(&m[1], 0x804c000, 0x804d000, "rw-p", 0x2000, m[1].name);
	assert_line(&m[2], 0x804d000, 0x804f000, "rw-p", 0, "[heap]");
	assert_line(&m[3], 0xb7fff000, 0xb8000000, "r-xp", 0, "[vdso]");
	assert_line(&m[4], 0xbffdf000, 0xc0000000, "rw-p", 0, "[stack]");
	assert_int_equal(auxv_get(AT_SYSINFO), 0xb7fff400);
	assert_int_equal(auxv_get(AT_SYSINFO_EHDR), 0xb7fff000);
	assert_int_equal(auxv_get(AT_PHENT), 32);
	assert_ustring(auxv_get(AT_PLATFORM), "i686");
	assert_mm_check();
}

/*
 * randomize_va_space 2: the stack top moves down by a random number of
 * pages (and 0-8K within a page), so setup_arg_pages shifts the strings'
 * pages down (shift_arg_pages) and frees the tables left empty above;
 * the strings read the same at their new addresses.
 */
static void exec_randomized_shifts_stack(void **state)
{
	struct vm_area_struct *stack;
	const char *path;

	(void)state;
	start("ram=64M seed=7");
	randomize_va_space = 2;
	path = exec_static64(NULL);
	stack = find_vma(current->mm, current->mm->start_stack);
	assert_non_null(stack);
	assert_true(stack->vm_end < 0x7ffffffff000UL);
	assert_int_equal(stack->vm_end - stack->vm_start, 33 * 4096UL);
	assert_ustring(auxv_get(AT_EXECFN), path);
	assert_ustring(uword(current->mm->start_stack + 8), path);
	assert_true(current->flags & PF_RANDOMIZE);
	assert_mm_check();
	process_exit(0);
	assert_mm_check();
}

/*
 * Every allocation of an exec failed in turn (failslab, then
 * fail_page_alloc: the Nth from the call, until a run meets none).  A
 * failure before the point of no return is ENOMEM -- or E2BIG when it hit
 * the strings' pages, as get_arg_page says -- with the process exactly as
 * it was; one after it kills the process (SIGKILL pending, or SIGSEGV
 * when padzero cannot write the bss's first page); a failure the
 * kernel works around leaves a normal exec.  Each run ends with
 * mm_check, and after all of them the machine has every page and slab
 * object it had after a first exec of the same file (the page cache then
 * holds its pages, and the vdso page exists).
 */
static void exec_fails_cleanly_at_every_allocation(void **state)
{
	struct fault_attr *attrs[] = { &failslab_attr, &fail_page_alloc_attr };
	char slabs_before[4096], slabs_after[4096];
	unsigned long free_before;
	const char *path;
	int status;

	(void)state;
	path = exec_static64("ram=64M cpus=1");
	process_exit(0);
	assert_true(process_wait(-1, &status) > 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"), 0);
	fault_attr_set(&fail_page_alloc_attr, "verbose", 0);
	fault_attr_set(&failslab_attr, "verbose", 0);
	slab_counts_at_rest(slabs_before, sizeof(slabs_before));
	free_before = free_pages_drained();
	for (size_t a = 0; a < 2; a++) {
		int points = 0;

		for (int nth = 1;; nth++) {
			struct task_struct *p = process_spawn("proc");
			unsigned long failures = attrs[a]->failures;
			long ret;

			assert_non_null(p);
			process_enter(p);
			snprintf(before, sizeof(before), "%s", proc_text("/proc/self/maps"));
			fault_attr_set(attrs[a], "fail-nth", nth);
			ret = exec1(path);
			fault_attr_set(attrs[a], "fail-nth", 0);
			if (attrs[a]->failures == failures) {
				assert_int_equal(ret, 0);
				process_exit(0);
				assert_int_equal(process_wait(-1, &status), p->pid);
				break;
			}
			points++;
			if (ret && current->pending_fatal) {
				/* SIGSEGV when padzero could not clear the bss's page */
				int sig = process_deliver_signals();

				assert_true(sig == SIGKILL || sig == SIGSEGV);
			} else if (ret) {
				assert_true(ret == -ENOMEM || ret == -E2BIG);
				assert_ptr_equal(current, p);
				assert_string_equal(proc_text("/proc/self/maps"), before);
				process_exit(0);
			} else {
				process_exit(0);
			}
			assert_true(process_wait(-1, &status) > 0);
			assert_mm_check();
		}
		print_message("%s: %d injection points\n", attrs[a]->name, points);
		assert_true(points > 0);
	}
	slab_counts_at_rest(slabs_after, sizeof(slabs_after));
	assert_string_equal(slabs_after, slabs_before);
	assert_int_equal(free_pages_drained(), free_before);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(exec_static_layout_x86_64, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_static_stack_and_auxv, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_pie_placement, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_refuses_missing_directory_and_nonexecutable, setup_dir,
					teardown_dir),
	cmocka_unit_test_setup_teardown(exec_refuses_bad_headers, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_refuses_truncated_file, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_refuses_bad_interpreter, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_refuses_too_many_arguments, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_fails_after_point_of_no_return, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_frees_old_image_and_releases_vfork_parent, setup_dir,
					teardown_dir),
	cmocka_unit_test_setup_teardown(exec_ends_other_threads, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_static_layout_i386, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_randomized_shifts_stack, setup_dir, teardown_dir),
	cmocka_unit_test_setup_teardown(exec_fails_cleanly_at_every_allocation, setup_dir,
					teardown_dir),
};

KMM_TEST_MAIN(tests)
