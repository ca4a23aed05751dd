/*
 * kernel/exec_internal.h - what exec's files share (exec.c, binfmt_elf.c,
 * vdso.c, and process.c's part of it).
 */
#ifndef KMM_KERNEL_EXEC_INTERNAL_H
#define KMM_KERNEL_EXEC_INTERNAL_H

#include <kmm/binfmts.h>
#include <kmm/types.h>

struct file;
struct task_struct;

/* process.c: the task leaves its old mm for exec (a vfork parent goes on). */
void process_exec_release(struct task_struct *tsk);
/*
 * process.c: de_thread -- the other threads of the caller's process end,
 * as 2.6.34's zap_other_threads ends them.  -EAGAIN when the caller is
 * not the group leader (kmm does not move the leader's pid: glossary).
 */
int process_de_thread(struct task_struct *tsk);

/* exec.c: x86's arch_align_stack (a random 0-8K down when randomising, 16-byte aligned). */
unsigned long arch_align_stack(unsigned long sp);

/*
 * exec.c: kernel_read for the loader: @count bytes at @offset, fewer at
 * the end of the file, 0 at or past it (without asking the page cache).
 */
int exec_read(struct file *file, u64 offset, char *addr, unsigned long count);

/* exec.c: 0 if @file may be exec'd (a regular file with an execute bit), else -EACCES. */
int exec_file_permission(struct file *file);

#endif /* KMM_KERNEL_EXEC_INTERNAL_H */
