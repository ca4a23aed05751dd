/*
 * vbuf.c - /dev/vbuf, a character device whose mmap hands the process a
 * vmalloc_user() buffer (include/kmm/vbuf.h).
 *
 * Its ->mmap is the whole driver, the pattern of 2.6.34's drivers that
 * share a buffer with user space: remap_vmalloc_range(vma, buffer,
 * vma->vm_pgoff) enters each page of the buffer into the VMA with
 * vm_insert_page.  Nothing faults afterwards: every page is mapped at
 * mmap time, VM_INSERTPAGE makes fork copy the PTEs, VM_RESERVED keeps
 * the pages out of the VM's hands.  /proc/PID/maps shows the device node
 * as it shows any file: the path, the device of the file system holding
 * the node (devtmpfs, 00:05) and the node's inode number.
 */
#include <kmm/atomic.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/spinlock.h>
#include <kmm/vbuf.h>
#include <kmm/vmalloc.h>

/*
 * The device node's inode, one for every open as a real node has: no
 * pages, only the VMAs mapping it (i_mmap).  Made at the first open of a
 * boot (a set i_mapping says it was); never freed (iput leaves an inode that is neither a host file nor
 * shmem to its owner).
 */
static struct inode vbuf_inode __state_zero;
static DEFINE_SPINLOCK(vbuf_lock);

/* The node's inode on devtmpfs: one node, one number. */
#define VBUF_INO	1123

static int vbuf_mmap(struct file *file, struct vm_area_struct *vma)
{
	return remap_vmalloc_range(vma, file->private_data, vma->vm_pgoff);
}

static const struct file_operations vbuf_fops = {
	.mmap = vbuf_mmap,
};

static struct inode *vbuf_inode_get(void)
{
	spin_lock(&vbuf_lock);
	if (!vbuf_inode.i_mapping) {
		address_space_init(&vbuf_inode.i_data, &vbuf_inode);
		vbuf_inode.i_mapping = &vbuf_inode.i_data;
		vbuf_inode.i_ino = VBUF_INO;
		vbuf_inode.i_dev_major = 0;
		vbuf_inode.i_dev_minor = 5;
		vbuf_inode.i_mode = 0020000 | 0600;	/* S_IFCHR, rw------- */
		vbuf_inode.i_path = "/dev/vbuf";
		vbuf_inode.i_host = -1;
		INIT_LIST_HEAD(&vbuf_inode.i_list);
	}
	atomic_inc(&vbuf_inode.i_count);
	spin_unlock(&vbuf_lock);
	return &vbuf_inode;
}

struct file *vbuf_open(void *buf)
{
	struct file *file = kzalloc(sizeof(*file), GFP_KERNEL);

	if (!file)
		return NULL;
	file->f_inode = vbuf_inode_get();
	file->f_mapping = file->f_inode->i_mapping;
	atomic_set(&file->f_count, 1);
	file->f_mode = FMODE_READ | FMODE_WRITE;
	file->f_flags = O_RDWR;
	file->f_op = &vbuf_fops;
	file->private_data = buf;
	file_ra_state_init(&file->f_ra, file->f_mapping);
	return file;
}
