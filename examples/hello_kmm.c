/*
 * hello_kmm.c - a C program on the kmm library: boot a machine, use the
 * page allocator, a slab cache, kmalloc and a kernel thread with a mutex,
 * read a /proc view, shut down.
 *
 *   cc hello_kmm.c $(pkg-config --cflags --libs kmm) -o hello_kmm
 *   ./hello_kmm
 *
 * (From a build tree: PKG_CONFIG_PATH=build; after make install, the
 * installed kmm.pc.)  It prints what it did and exits 0 when every step
 * worked, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/kthread.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/slab.h>

struct point {
	long x, y;
};

static struct mutex counter_lock;
static long counter;

/* A kernel thread: adds to the counter under the mutex until told to stop. */
static int adder(void *data)
{
	long n = (long)data;

	for (long i = 0; i < n; i++) {
		mutex_lock(&counter_lock);
		counter++;
		mutex_unlock(&counter_lock);
		msleep(1);
	}
	while (!kthread_should_stop())
		msleep(1);
	return (int)n;
}

int main(void)
{
	struct kmem_cache *points;
	struct task_struct *k;
	struct seq_file m;
	struct point *p;
	struct page *page;
	char *buf;
	int ok = 1;

	/* Deterministic mode: this thread runs every CPU, tasks take turns. */
	if (kmm_boot("ram=128M cpus=2", KMM_BOOT_DETERMINISTIC)) {
		fprintf(stderr, "boot: %s\n", kmm_error_msg());
		return 1;
	}

	page = alloc_pages(GFP_KERNEL, 3);
	printf("alloc_pages(GFP_KERNEL, 3): pfn %#lx, %lu pages\n", page_to_pfn(page), 1UL << 3);
	memset(page_address(page), 0xab, 8 * PAGE_SIZE);
	__free_pages(page, 3);

	points = kmem_cache_create("point", sizeof(struct point), 0, SLAB_HWCACHE_ALIGN, NULL);
	p = kmem_cache_alloc(points, GFP_KERNEL);
	p->x = 3;
	p->y = 4;
	printf("kmem_cache_alloc(point): %u-byte object, x*x+y*y = %ld\n",
	       kmem_cache_size(points), p->x * p->x + p->y * p->y);
	kmem_cache_free(points, p);
	kmem_cache_destroy(points);

	buf = kmalloc(100, GFP_KERNEL);
	printf("kmalloc(100): ksize %zu\n", ksize(buf));
	kfree(buf);

	mutex_init(&counter_lock);
	k = kthread_run(adder, (void *)50L, "adder");
	for (int i = 0; i < 50; i++) {
		mutex_lock(&counter_lock);
		counter++;
		mutex_unlock(&counter_lock);
		msleep(1);
	}
	printf("kthread adder returned %d; counter %ld (100 expected)\n", kthread_stop(k),
	       counter);
	ok &= counter == 100;

	seq_init(&m);
	if (proc_read("/proc/buddyinfo", &m) == 0)
		printf("/proc/buddyinfo:\n%s", m.buf);
	else
		ok = 0;
	seq_release(&m);

	kmm_shutdown();
	printf("%s\n", ok ? "all done" : "something went wrong");
	return ok ? 0 : 1;
}
