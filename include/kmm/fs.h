/*
 * fs.h - the little of the VFS that memory management needs: inodes, the
 * page cache of each (struct address_space), open files, and the file
 * operations mmap and exec call.
 *
 * Two kinds of file exist:
 *   - host files (mm/hostfs.c): a file of the host opened read-only by
 *     its path (filp_open); its pages are read from the host into the page
 *     cache on first use (a major fault, or readahead), and the inode
 *     carries the host's device, inode number and canonical path, so
 *     /proc/PID/maps prints what the host's own maps prints for it;
 *   - shmem objects (mm/shmem.c): in-memory files, for MAP_SHARED|
 *     MAP_ANONYMOUS ("/dev/zero (deleted)") and for tmpfs files made by
 *     shmem_file_setup (writable, truncatable).
 *
 *   struct file -> f_mapping (struct address_space) -> host (struct inode)
 *   inode->i_mapping == &inode->i_data; one inode per host (dev, ino), so
 *   every open of the same host file shares one page cache.
 */
#ifndef KMM_FS_H
#define KMM_FS_H

#include <kmm/atomic.h>
#include <kmm/list.h>
#include <kmm/radix-tree.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>

struct file;
struct inode;
struct page;
struct vm_area_struct;

typedef __INT64_TYPE__ loff_t;	/* as glibc's: long on x86_64 */

/* The page cache's tags (radix tree tags of page_tree). */
#define PAGECACHE_TAG_DIRTY	0
#define PAGECACHE_TAG_WRITEBACK	1

/* What the page cache asks of a file system (2.6.34's address_space_operations, the part used). */
struct address_space_operations {
	/* Fill @page (locked, in the cache) from the backing store; unlock it. 0 or -errno. */
	int (*readpage)(struct file *file, struct page *page);
	/* Mark @page dirty (and its tree tag); true if it was clean. */
	int (*set_page_dirty)(struct page *page);
};

/*
 * A file's pages.  page_tree and nrpages change under tree_lock; i_mmap
 * and i_mmap_nonlinear (the VMAs mapping the file, by
 * vm_area_struct.shared) under i_mmap_lock.  A VMA is on one of the two:
 * a linear VMA maps offset vm_pgoff + n at vm_start + n pages, so rmap
 * finds a page in it from page->index; a nonlinear VMA's PTEs say which
 * offset each maps, and no index leads into it.
 *   nrpages == number of pages in page_tree
 *   every page in page_tree: page->mapping == this, page->index == its slot
 */
struct address_space {
	struct inode *host;		/* the owner */
	struct radix_tree_root page_tree; /* offset (pages) -> struct page */
	spinlock_t tree_lock;		/* guards page_tree and nrpages */
	unsigned long nrpages;		/* pages in page_tree */
	spinlock_t i_mmap_lock;		/* guards i_mmap, i_mmap_writable */
	struct list_head i_mmap;	/* the VMAs mapping it linearly (vm_area_struct.shared) */
	struct list_head i_mmap_nonlinear; /* the VM_NONLINEAR ones (remap_file_pages) */
	unsigned long i_mmap_writable;	/* VM_SHARED VMAs among them */
	const struct address_space_operations *a_ops;
	unsigned long ra_pages;		/* backing_dev_info's readahead maximum, pages */
	bool swap_backed;		/* shmem: its pages count in Shmem, live on the anon LRU */
};

struct inode {
	unsigned long i_ino;		/* st_ino: what maps prints */
	unsigned int i_dev_major;	/* the device, as maps prints it */
	unsigned int i_dev_minor;
	unsigned int i_mode;		/* S_IFREG | permission bits */
	loff_t i_size;			/* bytes; read with i_size_read */
	atomic_t i_count;		/* references: open files, the icache's none */
	const char *i_path;		/* kmm: the name maps prints ("/usr/bin/true", "/dev/zero (deleted)") */
	int i_host;			/* kmm: the hw/disk.h handle of a host file, or -1 */
	struct address_space *i_mapping; /* &i_data */
	struct address_space i_data;
	struct list_head i_list;	/* on the inode cache (host files) */
	void *i_private;		/* shmem: its object */
};

/* The file types and open flags, as Linux numbers them (a host's libc may define them too: the same values). */
#ifndef S_IFMT
#define S_IFMT		00170000
#define S_IFREG		0100000
#define S_IFDIR		0040000
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#endif

static inline loff_t i_size_read(const struct inode *inode)
{
	return __atomic_load_n(&inode->i_size, __ATOMIC_RELAXED);
}

static inline void i_size_write(struct inode *inode, loff_t size)
{
	__atomic_store_n(&inode->i_size, size, __ATOMIC_RELAXED);
}

/*
 * Readahead state of an open file (2.6.34's file_ra_state): the last
 * readahead window [start, start + size), of which the last async_size
 * pages were read ahead of need (the first of them carries PG_readahead).
 */
struct file_ra_state {
	pgoff_t start;			/* where the window starts */
	unsigned int size;		/* its pages */
	unsigned int async_size;	/* start the next readahead when this many are left */
	unsigned int ra_pages;		/* the maximum window */
	unsigned int mmap_miss;		/* cache misses of mmap accesses */
	loff_t prev_pos;		/* the byte the last read (or fault) reached */
};

struct file_operations {
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	void (*release)(struct file *file);
};

struct file {
	atomic_t f_count;
	unsigned int f_mode;		/* FMODE_READ, FMODE_WRITE */
	unsigned int f_flags;		/* O_* given to open */
	struct address_space *f_mapping;
	struct inode *f_inode;
	const struct file_operations *f_op;
	struct file_ra_state f_ra;
	void *private_data;		/* the driver's (a /dev/vbuf open: its buffer) */
};

#define FMODE_READ	0x1
#define FMODE_WRITE	0x2
#define FMODE_RANDOM	0x1000

/* open flags (asm-generic/fcntl.h) */
#ifndef O_ACCMODE
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_TRUNC		00001000
#endif

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

static inline void get_file(struct file *f)
{
	atomic_inc(&f->f_count);
}
/* Drop a reference; the last one releases the file (its inode reference with it). */
void fput(struct file *f);

/*
 * mm/hostfs.c: open the host file at @path (a kernel pointer).  Only
 * O_RDONLY opens host files (kmm never writes them: -EACCES otherwise,
 * as a read-only file system says -EROFS... kmm says -EACCES); a path
 * naming a directory gives -EISDIR, one that does not exist -ENOENT, one
 * the host refuses its own errno.  Returns a file with one reference, or
 * ERR_PTR(-errno).  "/dev/shm/NAME" with O_CREAT opens (or makes) a
 * shmem file of that name instead: writable, empty until truncated.
 */
struct file *filp_open(const char *path, int flags, int mode);
/*
 * unlink(2) of a tmpfs file (/dev/shm/NAME): the name goes, the file
 * lives on while a descriptor or mapping holds it, its maps lines saying
 * "(deleted)".  Host files: -EROFS (kmm never changes them), -ENOENT.
 */
long sys_unlink(const char *path);
/* Read @count bytes at @offset of @file into the kernel buffer @addr, through the page cache. */
int kernel_read(struct file *file, loff_t offset, char *addr, unsigned long count);
/* Drop every unmapped clean page-cache page and unused inode (/proc/sys/vm/drop_caches 1 and 2). */
void drop_pagecache(void);

/* The open file of descriptor @fd of the current process, with a reference; NULL if none. */
struct file *fget(unsigned int fd);

/* mm/shmem.c: a shmem object of @size bytes named @name (a new file, one reference). NULL: no memory. */
struct file *shmem_file_setup(const char *name, unsigned long size);
/* Make @vma a shared anonymous mapping: its own shmem object of the VMA's size. */
int shmem_zero_setup(struct vm_area_struct *vma);
bool vma_is_shmem(const struct vm_area_struct *vma);
bool file_is_shmem(const struct file *file);
/* Set a shmem file's size: pages past the new end are unmapped and freed. 0 or -errno. */
int shmem_setsize(struct file *file, loff_t size);

#endif /* KMM_FS_H */
