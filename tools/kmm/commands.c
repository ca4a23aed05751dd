/* commands.c - the table of all scenario commands, from every command file. */
#include <string.h>

#include "tools/kmm/script.h"

extern const struct command_def core_commands[];
extern const struct command_def page_commands[];
extern const struct command_def slab_commands[];

static const struct command_def *const groups[] = { core_commands, page_commands, slab_commands };

const struct command_def *command_find(const char *name)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct command_def *d = groups[g]; d->name; d++)
			if (!strcmp(d->name, name))
				return d;
	return NULL;
}

/* All commands in order, for --help: call with i = 0, 1, ... until NULL. */
const struct command_def *command_nth(int i)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct command_def *d = groups[g]; d->name; d++)
			if (i-- == 0)
				return d;
	return NULL;
}
