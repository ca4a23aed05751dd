/*
 * fuzz_elf.c - libFuzzer target for the ELF loader (kernel/binfmt_elf.c,
 * kernel/exec.c): any file either becomes a process's image or is
 * refused.  A refusal before the point of no return leaves the process
 * exactly as it was (the same mm, VMAs, sizes and break); a failure after
 * it leaves a fatal signal pending; either way mm_check finds nothing and
 * the machine shuts down clean (no crash, leak, or sanitizer report).
 *
 * Each input is written to a host file of its own (a new name each time:
 * kmm's page cache keeps what it read of a file) and exec'd by a spawned
 * process of a fresh 64 MiB machine; an interpreter named by PT_INTERP is
 * whatever host file that names.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kmm/binfmts.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/process.h>
#include <kmm/sched.h>

static char dir[256];
static unsigned long serial;

static void remove_dir(void)
{
	rmdir(dir);
}

static int write_input(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, size);
	close(fd);
	return n == (ssize_t)size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[300];
	const char *argv[] = { "prog", "arg", NULL };
	const char *envp[] = { "HOME=/root", NULL };
	struct task_struct *p;
	struct mm_struct *mm;
	unsigned long total_vm, brk, stack;
	int map_count, ret, status;
	pid_t pid;

	if (size > 1 << 16)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/kmm-fuzz-elf-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/in-%lu", dir, serial++);
	if (write_input(path, data, size))
		abort();
	kmm_set_ram_limit(256ULL << 20);
	if (kmm_boot("ram=64M", KMM_BOOT_DETERMINISTIC))
		abort();
	p = process_spawn("fuzz");
	if (!p)
		abort();
	pid = p->pid;
	process_enter(p);
	mm = current->mm;
	total_vm = mm->total_vm;
	map_count = mm->map_count;
	brk = mm->brk;
	stack = mm->start_stack;
	ret = do_execve(path, argv, envp);
	if (ret && !current->pending_fatal) {
		/* refused: nothing changed */
		if (current != p || current->mm != mm || mm->total_vm != total_vm ||
		    mm->map_count != map_count || mm->brk != brk || mm->start_stack != stack)
			abort();
	}
	if (mm_check(NULL))
		abort();
	if (!process_deliver_signals())
		process_exit(0);
	if (process_wait(pid, &status) != pid)
		abort();
	if (mm_check(NULL))
		abort();
	kmm_shutdown();
	unlink(path);
	return 0;
}
