/*
 * host_maps_at_exec.c - the host's oracle for exec: start PROGRAM [ARG...]
 * as `setarch -R` would (personality ADDR_NO_RANDOMIZE) with kmm's
 * default environment, stop it at its first instruction (ptrace's stop
 * after execve: nothing of the program has run), print its
 * /proc/PID/maps, and kill it.  The maps are the kernel's image of a
 * fresh exec, which kmm's exec must equal (tests/exec/compare_maps.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [ARG...]\n", argv[0]);
		return 2;
	}
	char path[64], buf[4096];
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		personality(ADDR_NO_RANDOMIZE);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		char *envp[] = { "HOME=/root", "LANG=C", "PATH=/usr/local/bin:/usr/bin:/bin", "TERM=dumb", NULL };
		execve(argv[1], argv + 1, envp);
		perror("execve");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) { fprintf(stderr, "no stop\n"); return 1; }
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) fwrite(buf, 1, n, stdout);
	fclose(f);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}
