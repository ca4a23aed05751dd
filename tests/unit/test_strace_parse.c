/*
 * test_strace_parse.c - strace's output formats, line by line, with the
 * exact parse expected of each: the prefixes (-f's "1234 " and
 * "[pid 1234] ", -t/-tt/-ttt/-r timestamps), the results (addresses,
 * "-1 ENOMEM (...)", "?"), flags as strace prints them, NULL, hex and
 * decimal and octal numbers, unfinished/resumed pairs joined per pid,
 * exits, kills and signals, clone's and clone3's flags, the -y and -T
 * decorations, and the malformed lines with their causes.  The lines are
 * those strace 6.1 wrote for real programs (tests/replay), trimmed.
 */
#include <string.h>

#include <kmm/mman.h>
#include <kmm/process.h>
#include "tests/harness.h"
#include "tools/kmm/strace_parse.h"

static struct strace_call parse_ok(const char *line)
{
	struct strace_call c;
	const char *why = NULL;

	if (strace_parse_line(line, strlen(line), &c, &why))
		fail_msg("refused \"%s\": %s", line, why);
	return c;
}

static const char *parse_bad(const char *line)
{
	struct strace_call c;
	const char *why = NULL;

	if (!strace_parse_line(line, strlen(line), &c, &why))
		fail_msg("accepted \"%s\"", line);
	return why;
}

static void mmap_with_every_prefix(void **state)
{
	static const char *const lines[] = {
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"5699  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"[pid  5699] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"5699  17:11:02.399581 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"5699  17:11:02 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"5699  1796663462.417306 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000 <0.000044>",
		"     0.000269 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5ffc61b000",
		"[pid 5699] 17:11:02.399581 mmap(NULL, 0x2000, 0x3, MAP_PRIVATE|0x20, -1, 0) = 0x7f5ffc61b000\r",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct strace_call c = parse_ok(lines[i]);

		/* pid 0 when the line has none (without -f, or -r's relative time only) */
		assert_int_equal(c.pid, i == 0 || i == 6 ? 0 : 5699);
		assert_int_equal(c.ev, STRACE_CALL);
		assert_int_equal(c.sys, STRACE_MMAP);
		assert_int_equal(c.nargs, 6);
		assert_int_equal(c.arg[0], 0);
		assert_int_equal(c.arg[1], 8192);
		assert_int_equal(c.arg[2], PROT_READ | PROT_WRITE);
		assert_int_equal(c.arg[3], MAP_PRIVATE | MAP_ANONYMOUS);
		assert_int_equal((int)c.arg[4], -1);
		assert_int_equal(c.arg[5], 0);
		assert_true(c.ret_known);
		assert_int_equal(c.ret, 0x7f5ffc61b000LL);
		assert_int_equal(c.err, 0);
	}
}

static void failed_calls_give_their_errno(void **state)
{
	struct strace_call c;

	(void)state;
	c = parse_ok("123 mmap(NULL, 140737488355328, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)");
	assert_int_equal(c.ret, -1);
	assert_int_equal(c.err, 12);
	assert_int_equal(c.arg[1], 140737488355328ULL);
	c = parse_ok("123 munmap(0x7f023f800001, 4096)      = -1 EINVAL (Invalid argument)");
	assert_int_equal(c.sys, STRACE_MUNMAP);
	assert_int_equal(c.nargs, 2);
	assert_int_equal(c.err, 22);
	/* an errno kmm has no name for: known to have failed, its number unknown */
	c = parse_ok("123 madvise(0x1000, 4096, MADV_COLD) = -1 EHWPOISON (Memory page has hardware error)");
	assert_int_equal(c.arg[2], 20);
	assert_int_equal(c.err, -1);
	/* exit's result is "?" */
	c = parse_ok("123 exit_group(3)                     = ?");
	assert_int_equal(c.sys, STRACE_EXIT_GROUP);
	assert_int_equal(c.arg[0], 3);
	assert_false(c.ret_known);
}

static void flags_and_numbers_as_strace_prints_them(void **state)
{
	struct strace_call c;

	(void)state;
	c = parse_ok("mmap(0x7fcc4cd4c000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7fcc4cd4c000");
	assert_int_equal(c.arg[0], 0x7fcc4cd4c000ULL);
	assert_int_equal(c.arg[2], PROT_READ | PROT_EXEC);
	assert_int_equal(c.arg[3], MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE);
	assert_int_equal(c.arg[4], 3);
	assert_int_equal(c.arg[5], 0x26000);
	c = parse_ok("mremap(0x7f023fc62000, 262144, 524288, MREMAP_MAYMOVE) = 0x7f023fbe2000");
	assert_int_equal(c.sys, STRACE_MREMAP);
	assert_int_equal(c.nargs, 4);
	assert_int_equal(c.arg[3], MREMAP_MAYMOVE);
	c = parse_ok("mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000) = 0x200000");
	assert_int_equal(c.nargs, 5);
	assert_int_equal(c.arg[4], 0x200000);
	c = parse_ok("madvise(0x7f5742efb000, 8368128, MADV_DONTNEED) = 0");
	assert_int_equal(c.arg[2], MADV_DONTNEED);
	c = parse_ok("mprotect(0x555555557000, 4096, PROT_NONE) = 0");
	assert_int_equal(c.arg[2], PROT_NONE);
	c = parse_ok("mlockall(MCL_CURRENT|MCL_FUTURE) = 0");
	assert_int_equal(c.sys, STRACE_MLOCKALL);
	assert_int_equal(c.arg[0], MCL_CURRENT | MCL_FUTURE);
	c = parse_ok("munlockall()                = 0");
	assert_int_equal(c.sys, STRACE_MUNLOCKALL);
	assert_int_equal(c.nargs, 0);
	c = parse_ok("brk(NULL)                         = 0x560eb6ecf000");
	assert_int_equal(c.sys, STRACE_BRK);
	assert_int_equal(c.arg[0], 0);
	assert_int_equal(c.ret, 0x560eb6ecf000LL);
	/* mmap2's offset in pages, octal and signed numbers */
	c = parse_ok("mmap2(NULL, 4096, PROT_READ, MAP_SHARED, 3, 010) = 0xb7700000");
	assert_int_equal(c.sys, STRACE_MMAP2);
	assert_int_equal(c.arg[5], 8);
	/* -y: a descriptor with its path */
	c = parse_ok("mmap(NULL, 41491, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7fcc4cf08000");
	assert_int_equal(c.arg[4], 3);
}

static void files_and_processes(void **state)
{
	struct strace_call c;

	(void)state;
	c = parse_ok("5699  openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3");
	assert_int_equal(c.sys, STRACE_OPENAT);
	assert_int_equal((int)c.arg[0], -100);
	assert_int_equal(c.arg[2], 02000000);
	assert_int_equal(c.pathlen, 31);
	assert_memory_equal(c.path, "/lib/x86_64-linux-gnu/libc.so.6", 31);
	assert_int_equal(c.ret, 3);
	c = parse_ok("open(\"/etc/a\\\"b\", O_RDONLY) = -1 ENOENT (No such file or directory)");
	assert_int_equal(c.sys, STRACE_OPEN);
	assert_int_equal(c.pathlen, 9);		/* as written, escape included: /etc/a\"b */
	assert_int_equal(c.err, 2);
	c = parse_ok("dup2(3, 1) = 1");
	assert_int_equal(c.sys, STRACE_DUP2);
	c = parse_ok("5699  execve(\"/usr/bin/bash\", [\"bash\", \"/root/x\", \"-c\", \"import os; print(open(\\\"/proc/sel\"...], 0x7ffebb54cb10 /* 39 vars */) = 0");
	assert_int_equal(c.sys, STRACE_EXECVE);
	assert_int_equal(c.nargs, 3);
	assert_int_equal(c.pathlen, 13);
	c = parse_ok("6840  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f57436fca10) = 6844");
	assert_int_equal(c.sys, STRACE_CLONE);
	assert_int_equal(c.clone_flags, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD);
	assert_int_equal(c.ret, 6844);
	c = parse_ok("6840  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f57436fb990, parent_tid=0x7f57436fb990, exit_signal=0, stack=0x7f5742efb000, stack_size=0x7fff80, tls=0x7f57436fb6c0} => {parent_tid=[6841]}, 88) = 6841");
	assert_int_equal(c.sys, STRACE_CLONE3);
	assert_int_equal(c.clone_flags, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			 CLONE_CHILD_CLEARTID);
	assert_int_equal(c.ret, 6841);
	c = parse_ok("6840  vfork()                          = 6845");
	assert_int_equal(c.sys, STRACE_VFORK);
	/* a call kmm does not act on: recognised as a call, not read */
	c = parse_ok("5699  read(3, \"\\177ELF\\2\\1\\1\\3\\0\"..., 832) = 832");
	assert_int_equal(c.sys, STRACE_OTHER);
	assert_int_equal(c.ev, STRACE_CALL);
}

static void exits_kills_and_signals(void **state)
{
	struct strace_call c;

	(void)state;
	c = parse_ok("6841  17:11:02.400361 +++ exited with 0 +++");
	assert_int_equal(c.pid, 6841);
	assert_int_equal(c.ev, STRACE_EXITED);
	assert_int_equal(c.status, 0);
	c = parse_ok("6845 +++ exited with 3 +++");
	assert_int_equal(c.status, 3);
	c = parse_ok("77 +++ killed by SIGKILL +++");
	assert_int_equal(c.ev, STRACE_KILLED);
	assert_int_equal(c.status, 9);
	c = parse_ok("77 +++ killed by SIGSEGV (core dumped) +++");
	assert_int_equal(c.status, 11);
	c = parse_ok("23702 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=23703, si_uid=0, si_status=0} ---");
	assert_int_equal(c.ev, STRACE_SIGNAL);
	assert_int_equal(c.status, 17);
	c = parse_ok("--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---");
	assert_int_equal(c.status, 11);
	c = parse_ok("");
	assert_int_equal(c.ev, STRACE_BLANK);
	c = parse_ok("strace: Process 5700 attached");
	assert_int_equal(c.ev, STRACE_BLANK);
	c = parse_ok("5 +++ superseded by execve in pid 7 +++");
	assert_int_equal(c.ev, STRACE_BLANK);
}

/* Feed lines to one reader; the last parse in *c. */
static void feed(struct strace_reader *r, const char *line, struct strace_call *c)
{
	const char *why = NULL;

	if (strace_reader_feed(r, line, strlen(line), c, &why))
		fail_msg("refused \"%s\": %s", line, why);
}

static void unfinished_and_resumed_join_per_pid(void **state)
{
	struct strace_reader r = { 0 };
	struct strace_call c;
	const char *why;

	(void)state;
	feed(&r, "6843  mmap(NULL, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>", &c);
	assert_int_equal(c.ev, STRACE_UNFINISHED);
	assert_int_equal(c.sys, STRACE_MMAP);
	assert_int_equal(c.nargs, 6);
	assert_true(strace_reader_pending(&r, 6843, STRACE_MMAP));
	/* another pid's calls go on between the halves */
	feed(&r, "6840  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0} <unfinished ...>", &c);
	assert_int_equal(c.ev, STRACE_UNFINISHED);
	assert_int_equal(c.clone_flags, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD);
	feed(&r, "6842  mprotect(0x7f5741cf9000, 4096, PROT_NONE) = 0", &c);
	assert_int_equal(c.pid, 6842);
	feed(&r, "6843  <... mmap resumed>) = 0x7f5741bf9000", &c);
	assert_int_equal(c.ev, STRACE_CALL);
	assert_int_equal(c.pid, 6843);
	assert_int_equal(c.sys, STRACE_MMAP);
	assert_int_equal(c.arg[1], 1048576);
	assert_int_equal(c.arg[3], MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(c.ret, 0x7f5741bf9000LL);
	assert_false(strace_reader_pending(&r, 6843, STRACE_OTHER));
	feed(&r, "6840  <... clone3 resumed> => {parent_tid=[6843]}, 88) = 6843", &c);
	assert_int_equal(c.sys, STRACE_CLONE3);
	assert_int_equal(c.ret, 6843);
	/* a cut in the middle of the arguments; vfork's empty ones */
	feed(&r, "1 mmap(NULL, 4096, PROT_READ <unfinished ...>", &c);
	feed(&r, "1 <... mmap resumed>, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x10000", &c);
	assert_int_equal(c.nargs, 6);
	assert_int_equal(c.arg[2], PROT_READ);
	assert_int_equal(c.ret, 0x10000);
	feed(&r, "1 vfork( <unfinished ...>", &c);
	assert_true(strace_reader_pending(&r, 1, STRACE_VFORK));
	feed(&r, "1 <... vfork resumed>)              = 2", &c);
	assert_int_equal(c.sys, STRACE_VFORK);
	assert_int_equal(c.ret, 2);
	/* an ignored call's halves */
	feed(&r, "1 wait4(23703,  <unfinished ...>", &c);
	feed(&r, "1 <... wait4 resumed>NULL, 0, NULL) = 23703", &c);
	assert_int_equal(c.sys, STRACE_OTHER);
	/* a resumed call that was never unfinished, or another one */
	assert_int_equal(strace_reader_feed(&r, "9 <... mmap resumed>) = 0", 25, &c, &why), -1);
	assert_string_equal(why, "resumed a call that was never unfinished");
	feed(&r, "9 munmap(0x1000, 4096 <unfinished ...>", &c);
	assert_int_equal(strace_reader_feed(&r, "9 <... mmap resumed>) = 0", 25, &c, &why), -1);
	assert_string_equal(why, "resumed a call other than the one unfinished");
	strace_reader_free(&r);
}

static void malformed_lines_say_why(void **state)
{
	(void)state;
	assert_string_equal(parse_bad("this is not strace output"),
			    "not a system call (NAME(...)), an exit (+++) or a signal (---)");
	assert_string_equal(parse_bad("mmap(NULL, 8192, PROT_READ|PROT_WRTIE, MAP_PRIVATE, -1, 0) = 0x1000"),
			    "unknown flag or constant name");
	assert_string_equal(parse_bad("munmap(0x1000, 4096"), "the arguments do not end with ')'");
	assert_string_equal(parse_bad("munmap(0x1000, 4096)"), "expected '= RESULT' after the call");
	assert_string_equal(parse_bad("munmap(0x1000, 4096) = banana"), "the result is not a number");
	assert_string_equal(parse_bad("munmap(0x1000, 4096) = -1"), "a failed call without its errno");
	assert_string_equal(parse_bad("munmap(0x1000, {x=1}) = 0"),
			    "an argument of a memory call is not a number or flags");
	assert_string_equal(parse_bad("+++ exited with +++"), "'+++ exited with' without a number");
	assert_string_equal(parse_bad("+++ killed by 9 +++"), "'+++ killed by' without a signal name");
	assert_string_equal(parse_bad("--- SIGNOTHING {} ---"), "'---' without a signal name");
	assert_string_equal(parse_bad("<... mmap"), "'<... NAME' without 'resumed>'");
	assert_string_equal(parse_bad("read(3, \"abc"), "a call without ') = RESULT'");
	assert_string_equal(parse_bad("execve(\"/bin/unclosed, [], 0) = 0"), "the arguments do not end with ')'");
}

static void names_have_linux_values(void **state)
{
	(void)state;
	assert_int_equal(strace_name_value("MAP_FIXED_NOREPLACE", 19), 0x100000);
	assert_int_equal(strace_name_value("MADV_FREE", 9), 8);
	assert_int_equal(strace_name_value("ENOMEM", 6), 12);
	assert_int_equal(strace_name_value("SIGCHLD", 7), 17);
	assert_int_equal(strace_name_value("CLONE_CLEAR_SIGHAND", 19), 0x100000000LL);
	assert_int_equal(strace_name_value("NO_SUCH", 7), -1);
	assert_string_equal(strace_errno_name(22), "EINVAL");
	assert_string_equal(strace_sys_name(STRACE_CLONE3), "clone3");
}

/*
 * execve's argv and envp as strace prints them: each string unescaped
 * (\\n, \\t, \\", \\\\, octal \\33, hex \\x41), a string cut after -s
 * characters ("..."...) or an array cut after its elements (..., ]) is
 * flagged; envp shown only as "0x... /\* 37 vars *\/" has no strings
 * and its count; an old strace's "[/\* 2 vars *\/]" the same.
 */
static void execve_argv_and_envp(void **state)
{
	struct strace_strings a, e;
	struct strace_call c;
	const char *why = NULL;

	(void)state;
	c = parse_ok("7 execve(\"/usr/bin/sort\", [\"sort\", \"-n\", \"a\\tb\\n\\\"q\\\"\\\\\\33\\x41\"], "
		     "0x7fffffffe780 /* 37 vars */) = 0");
	assert_int_equal(strace_execve_strings(&c, 1, &a, &why), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0], "sort");
	assert_string_equal(a.v[1], "-n");
	assert_string_equal(a.v[2], "a\tb\n\"q\"\\\033A");
	assert_null(a.v[3]);
	assert_false(a.cut);
	assert_int_equal(strace_execve_strings(&c, 2, &e, &why), 0);
	assert_null(e.v);
	assert_int_equal(e.n, 37);
	strace_strings_free(&a);

	c = parse_ok("7 execve(\"/bin/python3\", [\"python3\", \"-c\", \"import json; x = [bytearray(1 <\"...], "
		     "[\"HOME=/root\", \"LANG=C\", ...]) = 0");
	assert_int_equal(strace_execve_strings(&c, 1, &a, &why), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[2], "import json; x = [bytearray(1 <");
	assert_true(a.cut);
	assert_int_equal(strace_execve_strings(&c, 2, &e, &why), 0);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.v[1], "LANG=C");
	assert_true(e.cut);
	strace_strings_free(&a);
	strace_strings_free(&e);

	c = parse_ok("7 execve(\"/bin/true\", [], [/* 2 vars */]) = 0");
	assert_int_equal(strace_execve_strings(&c, 1, &a, &why), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(strace_execve_strings(&c, 2, &e, &why), 0);
	assert_null(e.v);
	assert_int_equal(e.n, 2);
	strace_strings_free(&a);

	c = parse_ok("7 execve(\"/bin/true\", 0x1234, NULL) = 0");
	assert_int_equal(strace_execve_strings(&c, 1, &a, &why), 0);
	assert_null(a.v);
	assert_int_equal(a.n, -1);
	c = parse_ok("7 execve(\"/bin/true\", [\"true\" 5], NULL) = 0");
	assert_int_equal(strace_execve_strings(&c, 1, &a, &why), -1);
	assert_string_equal(why, "execve's argv is not an array of strings");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmap_with_every_prefix),
		cmocka_unit_test(failed_calls_give_their_errno),
		cmocka_unit_test(flags_and_numbers_as_strace_prints_them),
		cmocka_unit_test(files_and_processes),
		cmocka_unit_test(exits_kills_and_signals),
		cmocka_unit_test(unfinished_and_resumed_join_per_pid),
		cmocka_unit_test(malformed_lines_say_why),
		cmocka_unit_test(names_have_linux_values),
		cmocka_unit_test(execve_argv_and_envp),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
