/*
 * replay.h - replaying a real program's strace log (replay.c): the
 * options of `kmm replay --strace FILE` and of the script command
 * `replay FILE`, which share one engine.
 */
#ifndef KMM_TOOL_REPLAY_H
#define KMM_TOOL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/kmm/runtime.h"

struct replay_opts {
	const char *file;		/* the strace log, or the name its lines are reported under */
	const char *text;		/* the log itself (a script's <<END block), or NULL: read file */
	int first_line;			/* the number of the log's first line in @file (1 for a log) */
	const char *proc_dir;		/* write the /proc views there, or NULL */
	const char *exec;		/* the program the log's first process execs, or NULL */
	bool json;			/* the report as one JSON object */
	bool strict;			/* stop at the first refused line */
	bool timing;			/* report the time and speed (not in scripts: they vary) */
};

/*
 * Replay @o->file on the running machine, as the processes of its pids;
 * the report goes to rt->out, each refused line to stderr as
 * "FILE:LINE: cause".  0, or -1 (reported at @c) when the log cannot be
 * read or a line was refused.
 */
int replay_run(struct runtime *rt, struct script_cmd *c, const struct replay_opts *o);

/*
 * The log at @path (replay_log.c): its text and length, mapped when it is
 * a regular file (*@mapped), else read; NULL with errno set.  Given back
 * with replay_log_unmap.  The text is not NUL-terminated.
 */
char *replay_log_map(const char *path, size_t *len, bool *mapped);
void replay_log_unmap(char *text, size_t len, bool mapped);

#endif /* KMM_TOOL_REPLAY_H */
