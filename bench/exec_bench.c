/*
 * exec_bench.c - exec of python3: the time to a ready address space.
 *
 *   kmm        a spawned process execs the host's python3 (its real ELF
 *              file, found from the python3 on PATH): do_execve returns
 *              with the program's and ld.so's segments mapped, the bss and
 *              break set, the vdso in place and the stack written through
 *              the MMU; then the process exits and is reaped.  The page
 *              cache holds the files' first pages after the first round
 *              (what a second exec of the same program finds on Linux).
 *   host       fork + execve of the same file under ptrace, stopped
 *              before its first instruction (what the kernel built, and
 *              nothing of the program run), then killed and reaped.
 *
 * Both sides include their process's making and reaping (spawn / fork).
 * One operation is one exec; the table gives microseconds.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmm/binfmts.h>
#include <kmm/kmm.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include "bench/bench.h"

static const char *const envp[] = {
	"HOME=/root", "LANG=C", "PATH=/usr/local/bin:/usr/bin:/bin", "TERM=dumb", NULL,
};

static char python[KMM_PATH_MAX];

/* The real python3 binary (a shim script on PATH would be ENOEXEC for kmm). */
static bool find_python(void)
{
	FILE *p = popen("python3 -c 'import os,sys; print(os.path.realpath(sys.executable))' "
			"2>/dev/null", "r");
	bool ok = p && fgets(python, sizeof(python), p);

	if (p)
		pclose(p);
	python[strcspn(python, "\n")] = '\0';
	return ok && python[0];
}

static double kmm_exec_sample(void *ctx, long n)
{
	const char *argv[] = { python, "-c", "pass", NULL };
	double t0 = bench_now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++) {
		struct task_struct *p = process_spawn("sh");
		int status;

		if (!p)
			return -1;
		process_enter(p);
		if (do_execve(python, argv, envp))
			return -1;
		process_exit(0);
		if (process_wait(p->pid, &status) != p->pid)
			return -1;
	}
	return bench_now_ns() - t0;
}

static double host_exec_sample(void *ctx, long n)
{
	char *const argv[] = { python, "-c", "pass", NULL };
	double t0 = bench_now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			personality(ADDR_NO_RANDOMIZE);
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			execve(python, argv, (char *const *)envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			return -1;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return bench_now_ns() - t0;
}

void bench_exec(void)
{
	struct bench_subject s[2] = {
		{ .sample = kmm_exec_sample },
		{ .sample = host_exec_sample },
	};
	char note[128];

	bench_header("exec of python3: the time to a ready address space");
	if (!find_python()) {
		bench_row_failed("exec", "exec python3", "no python3 on PATH");
		return;
	}
	if (kmm_boot("ram=512M", KMM_BOOT_DETERMINISTIC)) {
		bench_row_failed("exec", "exec python3", kmm_error_msg());
		return;
	}
	bench_interleave(s, 2, 20, false);
	kmm_shutdown();
	for (int i = 0; i < 2; i++) {
		s[i].stat.median /= 1000;
		s[i].stat.p10 /= 1000;
		s[i].stat.p90 /= 1000;
	}
	bench_row("exec", "kmm: spawn, exec python3, exit", &s[0].stat, "us", python);
	bench_row("exec", "host: fork, execve python3, ptrace stop, kill", &s[1].stat, "us", "");
	if (s[0].stat.median > 0 && s[1].stat.median > 0) {
		snprintf(note, sizeof(note), "kmm / host");
		bench_row_ratio("exec", "exec python3, kmm / host", s[0].stat.median / s[1].stat.median,
				note);
	}
}
