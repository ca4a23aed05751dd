/*
 * fuzz_slab_harden.c - libFuzzer target: any sequence of kmalloc, kfree
 * and injected misuse on a machine booted with slab_harden=on.  Each byte
 * is an operation:
 *
 *   0-3  kmalloc of 8 + (next two bytes) % 4089 bytes: the object must not
 *        be one the sequence holds already (one object handed out twice)
 *   4-5  kfree of a held object (the next byte picks it)
 *   6    kfree of an object freed earlier and not handed out since: must
 *        stop the kernel (a double free), and change nothing
 *   7    kfree of a held object's address plus 8: must stop the kernel
 *
 * Double frees are injected only in size-192 and up: a freed size-64 or
 * size-128 object can come back as an off-slab slab descriptor, which a
 * second kfree would then really free.  At the end every object goes back
 * and mm_check must pass.  A stop that does not come, or comes unasked,
 * aborts (a finding).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include <kmm/bug.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm_check.h>
#include <kmm/slab.h>

#define MAX_LIVE	256
#define MAX_FREED	64

static jmp_buf *stop_trap;

static void on_stop(const char *file, int line)
{
	if (!stop_trap)
		abort();	/* a stop nobody asked for */
	longjmp(*stop_trap, 1);
}

/* Run kfree(@p), which must stop the kernel. */
static void expect_stop(const void *p)
{
	jmp_buf jb;

	if (setjmp(jb)) {
		stop_trap = NULL;
		return;
	}
	stop_trap = &jb;
	kfree(p);
	abort();	/* the misuse went through */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *live[MAX_LIVE], *freed[MAX_FREED];
	int nr_live = 0, nr_freed = 0;

	if (size > 4096)
		return 0;
	kmm_set_ram_limit(256ULL << 20);
	if (kmm_boot("ram=64M cpus=1 slab_harden=on", KMM_BOOT_DETERMINISTIC))
		abort();
	bug_set_hook(on_stop);
	for (size_t i = 0; i < size; i++) {
		uint8_t op = data[i] % 8;

		if (op < 4 && nr_live < MAX_LIVE && i + 2 < size) {
			void *p = kmalloc(8 + (data[i + 1] | data[i + 2] << 8) % 4089, GFP_KERNEL);

			i += 2;
			if (!p)
				abort();
			for (int k = 0; k < nr_live; k++)
				if (live[k] == p)
					abort();	/* handed out twice */
			for (int k = 0; k < nr_freed; k++)
				if (freed[k] == p)
					freed[k--] = freed[--nr_freed];
			live[nr_live++] = p;
		} else if (op < 6 && nr_live && i + 1 < size) {
			int k = data[++i] % nr_live;
			size_t bytes = ksize(live[k]);

			kfree(live[k]);
			if (bytes >= 192)
				freed[nr_freed < MAX_FREED ? nr_freed++ : data[i] % MAX_FREED] = live[k];
			live[k] = live[--nr_live];
		} else if (op == 6 && nr_freed && i + 1 < size) {
			expect_stop(freed[data[++i] % nr_freed]);
		} else if (op == 7 && nr_live && i + 1 < size) {
			expect_stop((char *)live[data[++i] % nr_live] + 8);
		}
	}
	while (nr_live)
		kfree(live[--nr_live]);
	if (mm_check(NULL))
		abort();
	bug_set_hook(NULL);
	kmm_shutdown();
	return 0;
}
