/*
 * test_startup.c - what a machine costs to start, for programs that boot
 * one and exit soon (libkmm-malloc.so): a boot that takes no snapshot for
 * a reboot (KMM_BOOT_ONLY_ONCE), which must stay the last test of the
 * binary.
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include "tests/harness.h"

/*
 * KMM_BOOT_ONLY_ONCE: no snapshot of the kernel's globals is taken, so no
 * other machine may follow in the process.  Last: it leaves this process
 * unable to boot.
 */
static void booting_only_once_refuses_another_machine(void **state)
{
	assert_int_equal(kmm_boot("ram=64M cpus=1", KMM_BOOT_DETERMINISTIC | KMM_BOOT_ONLY_ONCE), 0);
	__free_pages(alloc_pages(GFP_KERNEL, 3), 3);
	assert_mm_check();
	kmm_shutdown();
	assert_false(kmm_booted());
	assert_int_not_equal(kmm_boot("ram=64M", KMM_BOOT_DETERMINISTIC), 0);
	assert_non_null(strstr(kmm_error_msg(), "KMM_BOOT_ONLY_ONCE"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(booting_only_once_refuses_another_machine, teardown_machine),
};

KMM_TEST_MAIN(tests)
