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
#include <kmm/slab.h>
#include <kmm/vbuf.h>
#include <kmm/vmalloc.h>

struct vbuf_file {
	struct file file;
	struct address_space mapping;	/* no pages: it holds the VMAs (i_mmap) */
	void *buf;
};

/* The node's inode on devtmpfs: one node, one number. */
#define VBUF_INO	1123

static int vbuf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vbuf_file *vf = container_of(file, struct vbuf_file, file);

	return remap_vmalloc_range(vma, vf->buf, vma->vm_pgoff);
}

static void vbuf_release(struct file *file)
{
	kfree(container_of(file, struct vbuf_file, file));
}

static const struct file_operations vbuf_fops = {
	.mmap = vbuf_mmap,
	.release = vbuf_release,
};

struct file *vbuf_open(void *buf)
{
	struct vbuf_file *vf = kzalloc(sizeof(*vf), GFP_KERNEL);

	if (!vf)
		return NULL;
	vf->buf = buf;
	spin_lock_init(&vf->mapping.i_mmap_lock);
	INIT_LIST_HEAD(&vf->mapping.i_mmap);
	vf->mapping.name = "/dev/vbuf";
	vf->mapping.ino = VBUF_INO;
	atomic_set(&vf->file.f_count, 1);
	vf->file.f_mode = FMODE_READ | FMODE_WRITE;
	vf->file.f_mapping = &vf->mapping;
	vf->file.f_op = &vbuf_fops;
	vf->file.dev_major = 0;
	vf->file.dev_minor = 5;
	return &vf->file;
}
