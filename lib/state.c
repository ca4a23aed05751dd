/*
 * state.c - the snapshot that makes a reboot a reboot.
 *
 * Every mutable global of the kernel layers lives in the kmm_state section
 * or, when it starts zeroed, in kmm_state_zero or kmm_state_bulk (see
 * __state and __state_zero in compiler.h).  Before the first boot
 * kmm_state's initial image is saved; a shutdown copies it back and zeroes
 * the other two, so the next boot starts from the same .data and .bss a
 * freshly loaded kernel would.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/compiler.h>
#include <kmm/kernel.h>

extern char __start_kmm_state[], __stop_kmm_state[];
/* Weak: a build whose zeroed globals all went to one section still links. */
extern char __start_kmm_state_zero[] __weak, __stop_kmm_state_zero[] __weak;
extern char __start_kmm_state_bulk[] __weak, __stop_kmm_state_bulk[] __weak;

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
	if (!snapshot)
		return;
	memcpy(__start_kmm_state, snapshot, __stop_kmm_state - __start_kmm_state);
	if (__start_kmm_state_zero)
		memset(__start_kmm_state_zero, 0, __stop_kmm_state_zero - __start_kmm_state_zero);
	if (__start_kmm_state_bulk)
		memset(__start_kmm_state_bulk, 0, __stop_kmm_state_bulk - __start_kmm_state_bulk);
}

/* Is @p in the kernel's static state (a global of one of the three sections)? */
bool kmm_state_contains(const void *p)
{
	const char *c = p;

	return (c >= __start_kmm_state && c < __stop_kmm_state) ||
	       (c >= __start_kmm_state_zero && c < __stop_kmm_state_zero) ||
	       (c >= __start_kmm_state_bulk && c < __stop_kmm_state_bulk);
}

size_t kmm_state_size(void)
{
	return (__stop_kmm_state - __start_kmm_state) +
	       (__stop_kmm_state_zero - __start_kmm_state_zero) +
	       (__stop_kmm_state_bulk - __start_kmm_state_bulk);
}

void *kmm_scratch_alloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void kmm_scratch_free(void *p)
{
	free(p);
}
