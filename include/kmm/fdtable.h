/*
 * fdtable.h - a process's open files: the table from file descriptor to
 * struct file (2.6.34's files_struct), inherited by fork, shared by
 * CLONE_FILES (threads), closed at exit.  kernel/file_table.c.
 */
#ifndef KMM_FDTABLE_H
#define KMM_FDTABLE_H

#include <kmm/atomic.h>
#include <kmm/fs.h>
#include <kmm/spinlock.h>

struct task_struct;

struct files_struct {
	atomic_t count;			/* tasks sharing it */
	spinlock_t file_lock;		/* guards fd[] and max_fds */
	unsigned int max_fds;		/* the size of fd[] */
	struct file **fd;		/* fd[n]: the file of descriptor n, or NULL */
};

/* The lowest free descriptor given @file (the table takes the caller's reference); -EMFILE. */
int fd_install_lowest(struct file *file);
/* open(2): filp_open and a descriptor for it; the descriptor or -errno. */
long sys_open(const char *path, int flags, int mode);
/* close(2): 0 or -EBADF. */
long sys_close(unsigned int fd);
/* ftruncate(2) of a shmem file: 0 or -errno (-EBADF, -EINVAL for host files). */
long sys_ftruncate(unsigned int fd, loff_t length);

/* fork and clone: @p gets a copy of the current table, or shares it with CLONE_FILES. 0 or -ENOMEM. */
int copy_files(unsigned long clone_flags, struct task_struct *p);
/* exit: @tsk's reference to its table goes; the last closes every file. */
void exit_files(struct task_struct *tsk);

#endif /* KMM_FDTABLE_H */
