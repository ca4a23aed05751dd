/*
 * vbuf.h - a character device that gives processes a kernel buffer: the
 * driver side of remap_vmalloc_range (kernel/vbuf.c).
 *
 * A driver that shares a buffer with user space (a sound card's ring, a
 * profiler's sample buffer) allocates it with vmalloc_user() and, in its
 * file's ->mmap, maps its pages into the caller's VMA.  kmm's /dev/vbuf
 * does exactly that for a buffer the caller names, so scripts and C tests
 * can map vmalloc'd pages into a process and watch both sides.
 */
#ifndef KMM_VBUF_H
#define KMM_VBUF_H

struct file;

/*
 * An open file of /dev/vbuf whose mmap maps the pages of @buf (an area
 * vmalloc_user or vmalloc_32_user made), from the mapping's page offset on.
 * The caller keeps the buffer alive while the file is open, and frees it
 * when it likes: the pages mapped stay until the process unmaps them.
 * One reference, dropped with fput(); NULL: no memory.
 */
struct file *vbuf_open(void *buf);

#endif /* KMM_VBUF_H */
