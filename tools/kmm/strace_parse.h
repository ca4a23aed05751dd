/*
 * strace_parse.h - strace's text output, one line at a time, into calls
 * that the replay (replay.c) can run: which process, which system call,
 * its arguments as numbers, its result and errno.
 *
 * The formats read are those strace 4.x-6.x writes with -o FILE:
 *
 *   [PID ][TIMESTAMP ]EVENT
 *   PID        "1234 " (-f with -o) or "[pid 1234] " (-f on a terminal)
 *   TIMESTAMP  "12:34:56 " (-t), "12:34:56.123456 " (-tt),
 *              "1700000000.123456 " (-ttt), "     0.000123 " (-r)
 *   EVENT      NAME(ARGS) = RESULT[ ERRNO (text)][ <0.000012>]
 *              NAME(ARGS <unfinished ...>
 *              <... NAME resumed>ARGS) = RESULT...
 *              +++ exited with N +++  |  +++ killed by SIGKILL [(core dumped)] +++
 *              --- SIGSEGV {si_signo=SIGSEGV, ...} ---
 *
 * An argument is a number (decimal, 0x hex, octal with a leading 0, a
 * sign), NULL, a flag expression (PROT_READ|PROT_WRITE, 0x800|MAP_FIXED,
 * MAP_PRIVATE|MAP_ANONYMOUS) with Linux's x86 values, a quoted string (a
 * path: kept as a slice of the line), or something the replay does not
 * read (a structure, an array): skipped, its brackets and quotes
 * balanced.  clone's "flags=" and clone3's "{flags=...}" are found by
 * name.  An unknown flag name in a memory call is an error: guessing its
 * value would replay a different call.
 *
 * The parser allocates nothing and copies nothing per line; it scans
 * each byte once (no regular expressions), which is what makes a replay
 * of a million lines take about a second.  Joining an "<unfinished ...>"
 * line with its "<... resumed>" line is the reader's job
 * (struct strace_reader): it keeps each pid's unfinished text.
 */
#ifndef KMM_TOOL_STRACE_PARSE_H
#define KMM_TOOL_STRACE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* The system calls the replay acts on; every other name is STRACE_OTHER (ignored). */
enum strace_sys {
	STRACE_OTHER = 0,
	/* memory */
	STRACE_MMAP, STRACE_MMAP2, STRACE_MUNMAP, STRACE_MPROTECT, STRACE_BRK, STRACE_MREMAP,
	STRACE_MADVISE, STRACE_MLOCK, STRACE_MUNLOCK, STRACE_MLOCKALL, STRACE_MUNLOCKALL,
	STRACE_REMAP_FILE_PAGES,
	/* process */
	STRACE_EXECVE, STRACE_FORK, STRACE_VFORK, STRACE_CLONE, STRACE_CLONE3, STRACE_EXIT,
	STRACE_EXIT_GROUP,
	/* files and descriptors */
	STRACE_OPEN, STRACE_OPENAT, STRACE_CLOSE, STRACE_DUP, STRACE_DUP2, STRACE_DUP3,
	STRACE_UNLINK, STRACE_UNLINKAT,
	STRACE_NR_SYS
};
#define STRACE_LAST_MEMORY	STRACE_REMAP_FILE_PAGES	/* the memory calls: STRACE_MMAP to here */

/* What a line is. */
enum strace_event {
	STRACE_CALL,		/* a call and its result (a resumed line, once joined) */
	STRACE_UNFINISHED,	/* NAME(ARGS <unfinished ...>: the arguments so far */
	STRACE_RESUMED,		/* <... NAME resumed>: only from strace_parse_line */
	STRACE_EXITED,		/* +++ exited with N +++: status = N */
	STRACE_KILLED,		/* +++ killed by SIGNAME +++: status = the signal */
	STRACE_SIGNAL,		/* --- SIGNAME {...} ---: status = the signal */
	STRACE_BLANK,		/* an empty line, or strace's own "Process N attached" */
};

#define STRACE_MAX_ARGS	6

struct strace_call {
	int pid;			/* 0: the line had no pid prefix */
	enum strace_event ev;
	enum strace_sys sys;
	int nargs;			/* arguments read */
	unsigned long long arg[STRACE_MAX_ARGS]; /* each as a number (NULL is 0) */
	unsigned long long clone_flags;	/* clone's flags= or clone3's {flags=...}; fork: SIGCHLD */
	const char *path;		/* the first quoted string (open's, openat's, execve's path) */
	int pathlen;			/* its length as written, escapes included; -1: none */
	bool ret_known;			/* false for "= ?" (exit) */
	long long ret;			/* the result: -1 on failure */
	int err;			/* its errno, 0 on success, -1 for a name kmm does not know */
	int status;			/* exit code or signal number */
	/* STRACE_RESUMED: the text after "resumed>"; STRACE_UNFINISHED: the text after "(". */
	const char *rest;
	int restlen;
};

/*
 * Parse one line (without its newline) into @out.  0, or -1 with a
 * static reason in *@why ("expected ')' after the arguments", "unknown
 * flag 'MAP_FOO'").  The pointers in @out point into @line.
 */
int strace_parse_line(const char *line, size_t len, struct strace_call *out, const char **why);

/* The name of a call ("mmap"), for reports. */
const char *strace_sys_name(enum strace_sys sys);
/* The value of a flag or errno name strace prints, or -1: PROT_READ 1, ENOMEM 12. */
long long strace_name_value(const char *name, size_t len);
/* The name of errno @err ("ENOMEM"), or "E?". */
const char *strace_errno_name(int err);

/*
 * execve's argv or envp as the log shows them.  strace prints an array of
 * quoted strings (["sort", "-n"]), cutting each after -s characters
 * ("abc"...) and long arrays after some elements (..., ]); envp is
 * usually printed as its address and a comment that counts it
 * ("0x7ffd... /\* 37 vars *\/"), unless strace ran with -v.
 */
struct strace_strings {
	char **v;			/* the strings, unescaped, NULL-terminated; NULL: not shown */
	int n;				/* strings in v, or the count strace gave for one not shown
					 * (-1 when it gave none) */
	bool cut;			/* a string or the array was abbreviated in the log */
};

/*
 * Argument @which (1: argv, 2: envp) of the execve call @sc, whose
 * pointers must still be valid (the line, or the reader's joined copy).
 * 0 with @out filled (free it with strace_strings_free), or -1 with
 * *@why ("out of memory", "execve's argv is not an array of strings").
 */
int strace_execve_strings(const struct strace_call *sc, int which, struct strace_strings *out,
			  const char **why);
void strace_strings_free(struct strace_strings *s);

/*
 * A reader joins each pid's "<unfinished ...>" with its "<... resumed>":
 * the two halves make one line, parsed as a whole.  It owns the text of
 * the unfinished halves (freed by strace_reader_free).
 */
struct strace_pending;
struct strace_reader {
	struct strace_pending *pend;	/* pid -> the unfinished text */
	int npend, cappend;
	char *joined;			/* the last joined line (out->path points into it) */
	size_t joinedcap;
};

/*
 * Feed a line: 0 with @out filled (an unfinished line is given as
 * STRACE_UNFINISHED, its arguments parsed as far as they go; a resumed
 * one as the whole STRACE_CALL), or -1 with *@why.  A resumed line
 * without its unfinished half is an error.
 */
int strace_reader_feed(struct strace_reader *r, const char *line, size_t len,
		       struct strace_call *out, const char **why);
/* Does @pid have an unfinished call of @sys (STRACE_OTHER: any)? */
bool strace_reader_pending(const struct strace_reader *r, int pid, enum strace_sys sys);
void strace_reader_free(struct strace_reader *r);

#endif /* KMM_TOOL_STRACE_PARSE_H */
