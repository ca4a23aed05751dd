/*
 * fuzz_strace.c - libFuzzer target: the strace parser must accept or
 * reject any line cleanly (no crash, no read past the line, no leak, no
 * hang), and the reader must join any sequence of unfinished and resumed
 * halves, and execve's argv and envp must read (or be refused) cleanly
 * whatever the brackets and escapes.  The input is cut into lines as the replay cuts a log; each
 * line is copied into a buffer of its exact size, so that ASan sees a
 * read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/kmm/strace_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strace_reader r = { 0 };
	size_t pos = 0;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *line = malloc(n ? n : 1);
		struct strace_call c;
		const char *why = NULL;

		if (!line)
			break;
		memcpy(line, data + pos, n);
		if (strace_reader_feed(&r, line, n, &c, &why) == 0) {
			/* What the replay reads must lie within the line (or the reader's join). */
			if (c.pathlen > 0 && c.path)
				(void)c.path[c.pathlen - 1];
			for (int which = 1; c.ev == STRACE_CALL && c.sys == STRACE_EXECVE && which <= 2;
			     which++) {
				struct strace_strings ss;

				if (strace_execve_strings(&c, which, &ss, &why) == 0)
					strace_strings_free(&ss);
				else if (!why)
					abort();
			}
		} else if (!why) {
			abort();	/* a refusal always says why */
		}
		free(line);
		pos += n + 1;
	}
	strace_reader_free(&r);
	return 0;
}
