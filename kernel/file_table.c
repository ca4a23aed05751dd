/*
 * file_table.c - each process's table of open files (2.6.34's
 * fs/file.c and fs/open.c, the part processes need): descriptors
 * allocated lowest first, fget for the system calls that take one
 * (mmap), fork's copy (each file gains a reference: parent and child
 * share the open file, its readahead state included), CLONE_FILES's
 * sharing, and exit's close of everything.
 *
 * The table grows by doubling, up to RLIMIT_NOFILE (1024 by default):
 * past it open() fails with EMFILE, as on Linux.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/process.h>
#include <kmm/resource.h>
#include <kmm/sched.h>

#define NR_OPEN_DEFAULT	64

static struct files_struct *files_alloc(unsigned int max_fds)
{
	struct files_struct *files = calloc(1, sizeof(*files));

	if (!files)
		return NULL;
	files->fd = calloc(max_fds, sizeof(*files->fd));
	if (!files->fd) {
		free(files);
		return NULL;
	}
	atomic_set(&files->count, 1);
	spin_lock_init(&files->file_lock);
	files->max_fds = max_fds;
	return files;
}

/* Make room for descriptor @nr (under file_lock, dropped around the allocation). */
static int expand_files(struct files_struct *files, unsigned int nr)
{
	unsigned int size = files->max_fds;
	struct file **fd, **old;

	if (nr >= rlimit(RLIMIT_NOFILE))
		return -EMFILE;
	while (size <= nr)
		size *= 2;
	spin_unlock(&files->file_lock);
	fd = calloc(size, sizeof(*fd));
	spin_lock(&files->file_lock);
	if (!fd)
		return -ENOMEM;
	if (files->max_fds >= size) {		/* another thread grew it meanwhile */
		free(fd);
		return 0;
	}
	memcpy(fd, files->fd, files->max_fds * sizeof(*fd));
	old = files->fd;
	files->fd = fd;
	files->max_fds = size;
	free(old);
	return 0;
}

int fd_install_lowest(struct file *file)
{
	struct files_struct *files = current->files;
	unsigned int fd;
	int err;

	if (!files)
		return -EMFILE;
	spin_lock(&files->file_lock);
	for (;;) {
		for (fd = 0; fd < files->max_fds && files->fd[fd]; fd++)
			;
		if (fd < files->max_fds)
			break;
		err = expand_files(files, fd);
		if (err) {
			spin_unlock(&files->file_lock);
			return err;
		}
	}
	files->fd[fd] = file;
	spin_unlock(&files->file_lock);
	return (int)fd;
}

struct file *fget(unsigned int fd)
{
	struct files_struct *files = current ? current->files : NULL;
	struct file *file = NULL;

	if (!files)
		return NULL;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds && files->fd[fd]) {
		file = files->fd[fd];
		get_file(file);
	}
	spin_unlock(&files->file_lock);
	return file;
}

long sys_open(const char *path, int flags, int mode)
{
	struct file *file = filp_open(path, flags, mode);
	int fd;

	if (IS_ERR(file))
		return PTR_ERR(file);
	fd = fd_install_lowest(file);
	if (fd < 0)
		fput(file);
	return fd;
}

long sys_close(unsigned int fd)
{
	struct files_struct *files = current ? current->files : NULL;
	struct file *file = NULL;

	if (!files)
		return -EBADF;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds) {
		file = files->fd[fd];
		files->fd[fd] = NULL;
	}
	spin_unlock(&files->file_lock);
	if (!file)
		return -EBADF;
	fput(file);
	return 0;
}

long sys_ftruncate(unsigned int fd, loff_t length)
{
	struct file *file = fget(fd);
	long err;

	if (!file)
		return -EBADF;
	if (length < 0)
		err = -EINVAL;
	else if (!(file->f_mode & FMODE_WRITE))
		err = -EINVAL;
	else if (!file_is_shmem(file))
		err = -EINVAL;
	else
		err = shmem_setsize(file, length);
	fput(file);
	return err;
}

int copy_files(unsigned long clone_flags, struct task_struct *p)
{
	struct files_struct *old = current ? current->files : NULL;
	struct files_struct *files;

	if (old && (clone_flags & CLONE_FILES)) {
		atomic_inc(&old->count);
		p->files = old;
		return 0;
	}
	files = files_alloc(old ? old->max_fds : NR_OPEN_DEFAULT);
	if (!files)
		return -ENOMEM;
	if (old) {
		spin_lock(&old->file_lock);
		for (unsigned int fd = 0; fd < old->max_fds; fd++) {
			files->fd[fd] = old->fd[fd];
			if (files->fd[fd])
				get_file(files->fd[fd]);
		}
		spin_unlock(&old->file_lock);
	}
	p->files = files;
	return 0;
}

void exit_files(struct task_struct *tsk)
{
	struct files_struct *files = tsk->files;

	if (!files)
		return;
	tsk->files = NULL;
	if (!atomic_dec_and_test(&files->count))
		return;
	for (unsigned int fd = 0; fd < files->max_fds; fd++)
		if (files->fd[fd])
			fput(files->fd[fd]);
	free(files->fd);
	free(files);
}
