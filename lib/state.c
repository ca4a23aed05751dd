/*
 * state.c - the snapshot that makes a reboot a reboot.
 *
 * Every mutable global of the kernel layers lives in the kmm_state section
 * (see __state in compiler.h).  Before the first boot the section's initial
 * image is saved; a shutdown copies it back, so the next boot starts from
 * the same .data and .bss a freshly loaded kernel would.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/compiler.h>

extern char __start_kmm_state[], __stop_kmm_state[];

/* Outside the section on purpose: it must survive the restore. */
static char *snapshot;

int kmm_state_snapshot(void)
{
	size_t size = __stop_kmm_state - __start_kmm_state;

	if (snapshot)
		return 0;
	snapshot = malloc(size ? size : 1);
	if (!snapshot)
		return -1;
	memcpy(snapshot, __start_kmm_state, size);
	return 0;
}

void kmm_state_restore(void)
{
	if (snapshot)
		memcpy(__start_kmm_state, snapshot, __stop_kmm_state - __start_kmm_state);
}

size_t kmm_state_size(void)
{
	return __stop_kmm_state - __start_kmm_state;
}

void *kmm_scratch_alloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void kmm_scratch_free(void *p)
{
	free(p);
}
