/*
 * cmd_mremap.c - the system calls that change a mapping in place, in
 * scenarios: mprotect and mremap, made by the current process.
 *
 *   R = mprotect ADDR LEN PROT                 mprotect(2)
 *   R = mremap OLD OLDLEN NEWLEN FLAGS [NEW]   mremap(2); NEW with MREMAP_FIXED
 *
 * Arguments in the C call's order, flags written as in C
 * (PROT_READ|PROT_WRITE, MREMAP_MAYMOVE|MREMAP_FIXED) or as numbers; the
 * result is a system call's value (cmd_process.c): .ret what the C call
 * returns (0 or the new address, -1 on error) and .errno.
 */
#include <kmm/mm.h>
#include <kmm/mman.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

static int cmd_mprotect(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_mprotect((unsigned long)arg_num(a, "addr"),
					 (size_t)arg_num(a, "len"),
					 (unsigned long)arg_num(a, "prot")));
	return 0;
}

static int cmd_mremap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, (long)sys_mremap((unsigned long)arg_num(a, "old"),
					     (unsigned long)arg_num(a, "oldlen"),
					     (unsigned long)arg_num(a, "newlen"),
					     (unsigned long)arg_num(a, "flags"),
					     (unsigned long)arg_num(a, "new")));
	return 0;
}

const struct command_def mremap_commands[] = {
	{ "mprotect", "mprotect(ADDR, LEN, PROT) in the current process: .ret 0 or -1, .errno",
	  (const struct arg_def[]){
		  { "addr", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "ADDR",
		    .help = "the start, page-aligned" },
		  { "len", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "LEN", .help = "bytes" },
		  { "prot", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "PROT",
		    .help = "PROT_READ|PROT_WRITE|PROT_EXEC, PROT_NONE; PROT_GROWSDOWN, PROT_GROWSUP" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_mprotect },
	{ "mremap", "mremap(OLD, OLDLEN, NEWLEN, FLAGS[, NEW]): .ret the mapping's address or -1, .errno",
	  (const struct arg_def[]){
		  { "old", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "OLD",
		    .help = "the start of the mapping's range" },
		  { "oldlen", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "OLDLEN",
		    .help = "its length, bytes" },
		  { "newlen", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "NEWLEN",
		    .help = "the length wanted, bytes" },
		  { "flags", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FLAGS",
		    .help = "0, MREMAP_MAYMOVE, MREMAP_MAYMOVE|MREMAP_FIXED" },
		  { "new", &arg_flags, ARG_POS, .meta = "NEW", .def_text = "0",
		    .help = "MREMAP_FIXED: where the mapping goes" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_mremap },
	{ NULL },
};
