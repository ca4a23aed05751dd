/*
 * process_cmd.h - what the process commands share (cmd_process.c,
 * cmd_malloc.c): the checks and the delivery of a fatal signal after a
 * command acted as a process.
 */
#ifndef KMM_TOOL_PROCESS_CMD_H
#define KMM_TOOL_PROCESS_CMD_H

#include "tools/kmm/runtime.h"

/* -1 (reported) unless the script acts as a process. */
int process_cmd_need(struct runtime *rt, struct script_cmd *c);
/* A fatal signal the last command earned ends the process now; the line says so. */
void process_cmd_deliver(struct runtime *rt);
/* The process's LEN bytes at ADDR set to BYTE (memset, and fill with a process's arguments). */
int process_cmd_fill(struct runtime *rt, struct script_cmd *c, unsigned long addr,
		     unsigned long len, int byte);
/* waitpid(PID) (-1: any): the result's .ret, .status, .errno (waitpid, and wait without a task). */
int process_cmd_wait(struct runtime *rt, struct script_cmd *c, int pid);
extern const struct value_type process_kind;

struct mm_struct;
/* fork: the child's malloc heap is a copy of the parent's (cmd_malloc.c); a shared mm shares it. */
void umalloc_cmd_fork(struct mm_struct *parent, struct mm_struct *child);
/* After an exit: the heaps of address spaces no task uses go. */
void umalloc_cmd_reap(void);

/* The environment exec gives a program (cmd_exec.c): HOME, LANG, PATH, TERM; NULL-terminated. */
extern const char *const kmm_default_envp[];
/* Why exec refused a program, for a message: "no such file on the host" for ENOENT... */
const char *exec_strerror(int err);

#endif /* KMM_TOOL_PROCESS_CMD_H */
