/*
 * fuzz_boot.c - libFuzzer target: any boot command line either boots a
 * machine (which then passes mm_check) or is refused with a message; never
 * a crash, a leak, or a machine left behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/mm_check.h>
#include <kmm/params.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cmdline;

	kmm_set_ram_limit(256ULL << 20);
	if (size > 4096)
		return 0;
	cmdline = malloc(size + 1);
	memcpy(cmdline, data, size);
	cmdline[size] = '\0';
	if (strlen(cmdline) == size && kmm_boot(cmdline, KMM_BOOT_DETERMINISTIC) == 0) {
		if (mm_check(NULL))
			abort();
		kmm_shutdown();
	} else if (!kmm_error_msg()[0] && strlen(cmdline) == size) {
		abort();	/* refused without saying why */
	}
	free(cmdline);
	return 0;
}
