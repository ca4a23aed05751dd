/*
 * fs.h - the little of the VFS that memory management needs: an open
 * file (struct file), the object whose pages it maps (struct
 * address_space: its pages by offset, and the VMAs that map it), and the
 * file operation mmap calls.
 *
 * This only files are shmem objects: the object behind a
 * MAP_SHARED|MAP_ANONYMOUS mapping ("/dev/zero (deleted)" in maps), whose
 * pages are shared by every process mapping it.  Files read from the host
 * and the page cache come with the next issue, on the same structures.
 */
#ifndef KMM_FS_H
#define KMM_FS_H

#include <kmm/atomic.h>
#include <kmm/list.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>

struct file;
struct page;
struct vm_area_struct;

struct address_space {
	spinlock_t i_mmap_lock;		/* guards i_mmap and the pages */
	struct list_head i_mmap;	/* the VMAs mapping it (vm_area_struct.shared) */
	unsigned long i_mmap_writable;	/* VM_SHARED VMAs among them */
	unsigned long nrpages;		/* pages present */
	struct page **pages;		/* shmem: the page at each offset, or NULL */
	unsigned long max_pages;	/* the size of pages[] */
	unsigned long size;		/* i_size, bytes */
	unsigned long ino;		/* the inode number maps shows */
	const char *name;		/* what maps shows: "/dev/zero (deleted)" */
};

struct file_operations {
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	void (*release)(struct file *file);
};

struct file {
	atomic_t f_count;
	unsigned int f_mode;		/* FMODE_READ, FMODE_WRITE */
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	unsigned int dev_major, dev_minor; /* the device maps shows */
};

#define FMODE_READ	0x1
#define FMODE_WRITE	0x2

static inline void get_file(struct file *f)
{
	atomic_inc(&f->f_count);
}
void fput(struct file *f);
/* The open file of descriptor @fd of the current process, with a reference; NULL if none. */
struct file *fget(unsigned int fd);

/* mm/shmem.c: a shmem object of @size bytes (a new file, one reference). NULL: no memory. */
struct file *shmem_file_setup(const char *name, unsigned long size);
/* Make @vma a shared anonymous mapping: its own shmem object of the VMA's size. */
int shmem_zero_setup(struct vm_area_struct *vma);
bool vma_is_shmem(const struct vm_area_struct *vma);

#endif /* KMM_FS_H */
