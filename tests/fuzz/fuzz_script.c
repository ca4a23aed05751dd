/*
 * fuzz_script.c - libFuzzer target: the scenario parser must accept or
 * reject any input cleanly (no crash, no leak, no hang), and a parsed
 * script must run without crashing on a small machine.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <kmm/kmm.h>
#include "tools/kmm/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s;
	char err[512];
	static FILE *devnull;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		kmm_set_ram_limit(256ULL << 20);
	}
	if (script_parse((const char *)data, size, "fuzz", &s, err, sizeof(err)) == 0 && s.n <= 64)
		script_run(&s, devnull);
	script_free(&s);
	return 0;
}
