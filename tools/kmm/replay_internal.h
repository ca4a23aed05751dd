/*
 * replay_internal.h - what the strace replay's two files share: the
 * replay's state (replay.c acts the log out) and its report, value and
 * views (replay_report.c).  Not for other commands.
 */
#ifndef KMM_TOOL_REPLAY_INTERNAL_H
#define KMM_TOOL_REPLAY_INTERNAL_H

#include <stdio.h>

#include "tools/kmm/replay.h"
#include "tools/kmm/strace_parse.h"

struct task_struct;

#define RFD_MAX		1024	/* descriptors whose paths are kept */
#define MAX_KINDS	32	/* kinds of differing results listed */
#define OTHER_RESULT	(-2)	/* a result other than the log's, without an error */
#define MAX_ELSEWHERE	8	/* placements kmm would have made elsewhere, listed */

/* Why kmm's get_unmapped_area would have placed a mapping elsewhere than the log's kernel. */
enum place_why {
	PLACE_UNEXPLAINED,
	PLACE_NO_IMAGE,		/* the process has no loaded program: its layout is not the host's */
	PLACE_THP,		/* the host aligned it to 2 MiB for huge pages */
	PLACE_HIGHEST_HOLE,	/* the host took the highest hole; 2.6.34 goes on below its last */
	PLACE_IN_FLIGHT,	/* another thread's mapping call was unfinished: maybe run first */
	PLACE_NR_WHY
};

struct rfiles {
	int refs;			/* processes sharing the table (CLONE_FILES) */
	char *path[RFD_MAX];		/* fd -> the path it was opened with, or NULL */
	struct file *shm[RFD_MAX];	/* fd -> kmm's tmpfs file of a /dev/shm path, held */
};

/* A pid of the log and the kmm task acting it. */
struct rproc {
	int pid;			/* the log's */
	int tgid;			/* the log's pid of its thread group's leader */
	struct task_struct *task;	/* valid while live */
	int kmm_pid;			/* its pid in kmm (the report's) */
	struct rfiles *files;
	bool live;
	bool fresh;			/* nothing replayed since its image began */
	bool brk_known;			/* the heap's start was set from the log */
	bool loaded;			/* its image is a program do_execve loaded */
	bool vvar_known;		/* its image's first kernel-placed mapping was seen */
	enum strace_sys pend_sys;	/* an unfinished clone/fork/vfork, or STRACE_OTHER */
	unsigned long long pend_flags;	/* its clone flags */
	int pend_child;			/* the log's pid of the child made before the call returned */
	/*
	 * An unfinished munmap of this pid: its range, and, once another
	 * thread's placement showed the kernel ran it already, its result.
	 */
	bool munmap_pending, munmap_done;
	unsigned long munmap_addr, munmap_len;
	long munmap_ret;
};

struct diff_kind {
	enum strace_sys sys;
	int log_err, kmm_err;		/* 0: success */
	unsigned long n;
};

struct replay {
	struct runtime *rt;
	struct script_cmd *c;
	const struct replay_opts *o;
	struct strace_reader reader;
	struct rproc *procs;
	int nprocs, cap, last;
	unsigned long line;
	/* the counts of the report */
	unsigned long lines, blank, ignored, refused, signals, after_exit;
	unsigned long calls[STRACE_NR_SYS];
	unsigned long processes, threads, execs, exits, unknown_origin, blocked;
	unsigned long files, standins, placed, agreed, hinted, forced, moved;
	unsigned long long standin_bytes;
	unsigned long same, differ, outside;
	struct diff_kind kinds[MAX_KINDS];
	int nkinds;
	/* the placements kmm would have made elsewhere, by reason; the first ones: line, addresses */
	unsigned long elsewhere_why[PLACE_NR_WHY];
	struct elsewhere {
		unsigned long line, log, kmm, len;
		enum place_why why;
	} elsewhere[MAX_ELSEWHERE];
	int nelsewhere;
	/* --exec: the execs that loaded the program, those left as empty images */
	bool exec_first;		/* the first process has yet to exec o->exec */
	int exec_error;			/* the --exec program refused: its errno (the replay stops) */
	unsigned long loaded, exec_empty, brk_moved;
	unsigned long vvar, vvar_pages;	/* stand-ins for the host's [vvar] pages, and their pages */
	int env_count;			/* the first exec's envp: -1 shown, else the log's count */
	bool argv_cut;			/* the first exec's argv was abbreviated in the log */
	bool argv_none;			/* the log showed no argv for it: {PATH} */
	unsigned long first_sp;		/* the first loaded program's start_stack (argc's address) */
	struct exec_empty {
		unsigned long line;
		int err;		/* do_execve's errno; 0: not tried (no such absolute path) */
	} empty[3];
	int nempty;
};

/* The report of @r, text or JSON as @o says, to @out; @secs: the time taken. */
void replay_report(FILE *out, const struct replay *r, const struct replay_opts *o, double secs);
/* DIR/meminfo, vmstat, buddyinfo, zoneinfo, slabinfo: the machine after the replay. */
void replay_dump_system(struct runtime *rt, struct script_cmd *c, const char *dir);
/* R = replay FILE: the report's numbers as the command's value. */
void replay_give_counts(struct runtime *rt, struct script_cmd *c, const struct replay *r);
/* The kmm file @view (/proc/...) written to the host file @path; nothing if it cannot be read. */
void replay_copy_view(struct runtime *rt, struct script_cmd *c, const char *view, const char *path);

#endif /* KMM_TOOL_REPLAY_INTERNAL_H */
