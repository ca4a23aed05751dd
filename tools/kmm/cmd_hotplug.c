/*
 * cmd_hotplug.c - memory hotplug in scenarios, through <kmm/memory_hotplug.h>:
 *
 *   hotplug add SIZE [node=N]    add_memory() of SIZE bytes at the end of
 *                                RAM (rounded up to a section), offline
 *
 * The memory blocks it makes are onlined and offlined by writing their
 * state file, as on Linux: `set /sys/devices/system/memory/memoryN/state
 * online`.  The machine needs room to grow: boot with hotplug_max=SIZE.
 */
#include <stdio.h>

#include <kmm/kmm.h>
#include <kmm/memory_hotplug.h>
#include <kmm/params.h>
#include "tools/kmm/command.h"

static const char *const hotplug_words[] = { "add", NULL };

static int cmd_hotplug(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long long size = (unsigned long long)arg_num(a, "size");
	unsigned long block = memory_block_size_bytes();
	u64 start = memory_hotplug_next_start();
	int nid = (int)arg_num(a, "node"), err;

	if (!size || size % block)
		return rt_error(rt, c, "hotplug add: %lluK is not a whole number of %luM sections",
				size >> 10, block >> 20);
	kmm_error_clear();
	err = add_memory(nid < 0 ? 0 : nid, start, size);
	if (err)
		return rt_error(rt, c, "hotplug add: %s", kmm_error_msg()[0] ? kmm_error_msg() :
							    "out of memory");
	fprintf(rt->out, "hotplug: added %#llx-%#llx to node %d: memory%llu-memory%llu offline\n",
		(unsigned long long)start, (unsigned long long)(start + size - 1), nid < 0 ? 0 : nid,
		(unsigned long long)(start / block), (unsigned long long)((start + size) / block - 1));
	return 0;
}

const struct command_def hotplug_commands[] = {
	{ "hotplug", "memory hotplug: add SIZE bytes of RAM at the end of RAM, offline (add_memory)",
	  (const struct arg_def[]){
		  { "action", &arg_word, ARG_POS | ARG_REQUIRED, .meta = "add", .words = hotplug_words,
		    .help = "add: a new range of RAM" },
		  { "size", &arg_size, ARG_POS | ARG_REQUIRED, .meta = "SIZE",
		    .help = "bytes, a multiple of the section size (128M on x86_64, 64M on i386, 512M with PAE)" },
		  { "node", &arg_node, .def = 0, .def_text = "0", .help = "the node the RAM belongs to" },
		  { NULL } },
	  .usage = "hotplug add SIZE [node=N]", .machine = true, .run = cmd_hotplug },
	{ NULL },
};
