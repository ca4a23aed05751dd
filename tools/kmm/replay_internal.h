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

struct rfiles {
	int refs;			/* processes sharing the table (CLONE_FILES) */
	char *path[RFD_MAX];		/* fd -> the path it was opened with, or NULL */
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
	enum strace_sys pend_sys;	/* an unfinished clone/fork/vfork, or STRACE_OTHER */
	unsigned long long pend_flags;	/* its clone flags */
	int pend_child;			/* the log's pid of the child made before the call returned */
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
	/* the first placements kmm would have made elsewhere: the log's line, address, kmm's */
	struct elsewhere {
		unsigned long line, log, kmm, len;
	} elsewhere[3];
	int nelsewhere;
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
