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
/* fork: the child's malloc heap is the parent's (cmd_malloc.c). */
void umalloc_cmd_fork(int parent_pid, int child_pid);
/* The process @pid ended: its heap's bookkeeping goes. */
void umalloc_cmd_exit(int pid);

#endif /* KMM_TOOL_PROCESS_CMD_H */
