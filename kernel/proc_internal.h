/*
 * proc_internal.h - what the files of /proc/PID share (proc_pid.c, the
 * text views and the dispatch; proc_pid_mem.c, the views that walk a
 * process's page tables).
 */
#ifndef KMM_KERNEL_PROC_INTERNAL_H
#define KMM_KERNEL_PROC_INTERNAL_H

#include <kmm/mm_types.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>

/* The maps line of @vma (the first line of its smaps entry too). */
void show_map_vma(struct seq_file *m, struct vm_area_struct *vma);
/* /proc/PID/smaps of @t (empty for a task without an address space). */
int show_smaps(struct seq_file *m, struct task_struct *t);
/* /proc/PID/pagemap read as text: refused, it is binary (proc_pid_pagemap reads it). */
int show_pagemap(struct seq_file *m, struct task_struct *t);

#endif /* KMM_KERNEL_PROC_INTERNAL_H */
