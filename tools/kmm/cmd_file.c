/*
 * cmd_file.c - files in scenarios: host files made for the test, opened
 * by a process (an fd for mmap), tmpfs files, msync and ftruncate, and a
 * checksum of a host file's bytes to compare with a mapping's.
 *
 *   mkfile PATH SIZE [seed=N]   make the host file PATH: SIZE bytes, byte
 *                               i = mkfile_byte(i, seed) (deterministic:
 *                               every run makes the same file); written
 *                               to a temporary name and renamed, so a run
 *                               in parallel never sees it half made
 *   R = filesum PATH OFF LEN    CRC-32 of LEN bytes of the host file at OFF,
 *                               read on the host (compare with checksum)
 *   F = open PATH [FLAGS]       open(2) as the current process: .ret the
 *                               fd (for mmap ... $F.ret ...), .errno; a host
 *                               file opens O_RDONLY only (EROFS), and
 *                               /dev/shm/NAME with O_CREAT makes a tmpfs
 *                               file (empty: truncate gives it a size)
 *   R = close FD                close(2)
 *   R = unlink PATH             unlink(2) of a tmpfs file (/dev/shm/NAME):
 *                               mappings keep it, maps says "(deleted)";
 *                               EROFS for host files
 *   R = truncate FD SIZE        ftruncate(2) of a tmpfs file (EINVAL for
 *                               host files: kmm never writes them)
 *   R = msync ADDR LEN [FLAGS]  msync(2), FLAGS MS_ASYNC|MS_SYNC|MS_INVALIDATE
 *   R = remap_file_pages ADDR LEN PROT PGOFF [FLAGS]
 *                               remap_file_pages(2): file pages from PGOFF
 *                               at ADDR of a shared mapping (PROT must be
 *                               0; FLAGS 0 or MAP_NONBLOCK)
 *
 * Paths are host paths; the one kmm prints in /proc/PID/maps is the file's
 * canonical path (symlinks resolved), as Linux's d_path gives it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

/* Byte @i of a file mkfile made with @seed: no two nearby pages alike. */
static unsigned char mkfile_byte(unsigned long long i, unsigned long long seed)
{
	unsigned long long x = (i >> 3) * 0x9e3779b97f4a7c15ULL + seed * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 29;
	return (unsigned char)(x >> (8 * (i & 7)));
}

static int cmd_mkfile(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *path = arg_str(a, "path");
	long long size = arg_num(a, "size"), seed = arg_num(a, "seed");
	char tmp[4200], buf[65536];
	FILE *f;

	if (size < 0)
		return rt_error(rt, c, "mkfile: SIZE %lld is negative", size);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return rt_error(rt, c, "mkfile: cannot create %s: %s", tmp, strerror(errno));
	for (long long off = 0; off < size; off += (long long)sizeof(buf)) {
		size_t n = size - off < (long long)sizeof(buf) ? (size_t)(size - off) : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)mkfile_byte((unsigned long long)off + i, (unsigned long long)seed);
		if (fwrite(buf, 1, n, f) != n) {
			fclose(f);
			unlink(tmp);
			return rt_error(rt, c, "mkfile: writing %s: %s", tmp, strerror(errno));
		}
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return rt_error(rt, c, "mkfile: cannot make %s: %s", path, strerror(errno));
	}
	return 0;
}

static int cmd_filesum(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *path = arg_str(a, "path");
	long long off = arg_num(a, "off"), len = arg_num(a, "len");
	unsigned int crc = 0xffffffffu;
	unsigned char buf[65536];
	FILE *f = fopen(path, "r");

	if (!f)
		return rt_error(rt, c, "filesum: cannot open %s: %s", path, strerror(errno));
	if (fseek(f, off, SEEK_SET)) {
		fclose(f);
		return rt_error(rt, c, "filesum: cannot seek %s to %lld", path, off);
	}
	while (len > 0) {
		size_t want = len < (long long)sizeof(buf) ? (size_t)len : sizeof(buf);
		size_t n = fread(buf, 1, want, f);

		if (n != want) {
			fclose(f);
			return rt_error(rt, c, "filesum: %s ends before %lld more bytes", path, len);
		}
		crc = crc32_update(crc, buf, n);
		len -= (long long)n;
	}
	fclose(f);
	rt_give_num(rt, c, (long long)(crc ^ 0xffffffffu), "%#llx\n");
	return 0;
}

static int cmd_open(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_open(arg_str(a, "path"), (int)arg_num(a, "flags"), 0600));
	return 0;
}

static int cmd_close(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_close((unsigned int)arg_num(a, "fd")));
	return 0;
}

static int cmd_truncate(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_ftruncate((unsigned int)arg_num(a, "fd"), arg_num(a, "size")));
	process_cmd_deliver(rt);
	return 0;
}

static int cmd_msync(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_msync((unsigned long)arg_num(a, "addr"),
				      (size_t)arg_num(a, "len"), (int)arg_num(a, "flags")));
	return 0;
}

static int cmd_unlink(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	give_syscall(rt, c, sys_unlink(arg_str(a, "path")));
	return 0;
}

static int cmd_remap_file_pages(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_remap_file_pages((unsigned long)arg_num(a, "addr"),
						 (unsigned long)arg_num(a, "len"),
						 (unsigned long)arg_num(a, "prot"),
						 (unsigned long)arg_num(a, "pgoff"),
						 (unsigned long)arg_num(a, "flags")));
	return 0;
}

#define ARG_PATH	{ "path", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "PATH", \
			  .help = "a host path" }
#define ARG_FD		{ "fd", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FD", \
			  .help = "a file descriptor ($F.ret)" }

const struct command_def file_commands[] = {
	{ "mkfile", "make the host file PATH of SIZE bytes, byte i a function of i and SEED (the same every run)",
	  (const struct arg_def[]){
		  ARG_PATH,
		  { "size", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "SIZE", .help = "bytes" },
		  { "seed", &arg_number, .def = 1, .def_text = "1", .help = "varies the bytes" },
		  { NULL } },
	  .run = cmd_mkfile },
	{ "filesum", "the CRC-32 of LEN bytes of host file PATH at OFF, read on the host (as checksum reads a process's)",
	  (const struct arg_def[]){
		  ARG_PATH,
		  { "off", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "OFF", .help = "bytes" },
		  { "len", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "LEN", .help = "bytes" },
		  { NULL } },
	  .result = "R", .prints = true, .gives = &value_number, .run = cmd_filesum },
	{ "open", "open(PATH, FLAGS) in the current process: .ret the fd, .errno (host files O_RDONLY; /dev/shm/NAME tmpfs)",
	  (const struct arg_def[]){
		  ARG_PATH,
		  { "flags", &arg_flags, ARG_POS, .def = 0, .def_text = "O_RDONLY", .meta = "FLAGS",
		    .help = "O_RDONLY, O_RDWR, O_CREAT, O_TRUNC joined by |" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_open },
	{ "close", "close(FD) in the current process: .ret 0 or -1, .errno",
	  (const struct arg_def[]){ ARG_FD, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_close },
	{ "unlink", "unlink(PATH): a tmpfs file's name goes, its mappings keep it (EROFS for host files)",
	  (const struct arg_def[]){ ARG_PATH, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_unlink },
	{ "truncate", "ftruncate(FD, SIZE) of a tmpfs file: pages past the end unmapped and freed",
	  (const struct arg_def[]){
		  ARG_FD,
		  { "size", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "SIZE", .help = "bytes" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_truncate },
	{ "msync", "msync(ADDR, LEN, FLAGS): .ret 0 or -1, .errno",
	  (const struct arg_def[]){
		  { "addr", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "ADDR", .help = "a user address" },
		  { "len", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "LEN", .help = "bytes" },
		  { "flags", &arg_flags, ARG_POS, .def = 0, .def_text = "0", .meta = "FLAGS",
		    .help = "MS_ASYNC, MS_SYNC, MS_INVALIDATE joined by |" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_msync },
	{ "remap_file_pages", "remap_file_pages(ADDR, LEN, PROT, PGOFF, FLAGS): the file's pages from "
			      "PGOFF at ADDR of a shared mapping, one VMA kept (VM_NONLINEAR)",
	  (const struct arg_def[]){
		  { "addr", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "ADDR", .help = "a user address" },
		  { "len", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "LEN", .help = "bytes" },
		  { "prot", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "PROT",
		    .help = "must be 0 (PROT_NONE): the mapping's own protection is used" },
		  { "pgoff", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "PGOFF",
		    .help = "the file page (not byte) mapped at ADDR" },
		  { "flags", &arg_flags, ARG_POS, .def = 0, .def_text = "0", .meta = "FLAGS",
		    .help = "0, or MAP_NONBLOCK (the pages are not faulted in)" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_remap_file_pages },
	{ NULL },
};
