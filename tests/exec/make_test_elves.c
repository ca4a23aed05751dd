/*
 * make_test_elves.c - the refused programs the exec scripts try
 * (tests/scripts/exec_refused.kmm, tests/errors/exec_*.kmm), written at
 * configure time into DIR (CMake runs it in the build's tests/exec):
 *
 *   truncated        an ELF header that declares three program headers, and the file ends after one
 *   wrong_machine    a static x86_64 program whose e_machine says EM_386
 *   missing_interp   a program whose PT_INTERP names /no/such/ld.so
 *   not_executable   the static program, mode 0644
 *   not_elf          an executable text file (kmm has no #! scripts: ENOEXEC)
 *   good_static      the static program (elf_builder.h's shape), mode 0755
 *   good_static32    the same as an i386 ELF32 program
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/elf_builder.h"

int main(int argc, char **argv)
{
	char path[4096];
	struct elfb b;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
#define OUT(name) (snprintf(path, sizeof(path), "%s/%s", argv[1], name), path)
	elfb_static(&b, ELFCLASS64);
	bad |= elfb_write(&b, OUT("good_static"), 0755);
	bad |= elfb_write(&b, OUT("not_executable"), 0644);
	elfb_static(&b, ELFCLASS32);
	bad |= elfb_write(&b, OUT("good_static32"), 0755);
	elfb_static(&b, ELFCLASS64);
	b.size = 64 + 56;
	bad |= elfb_write(&b, OUT("truncated"), 0755);
	elfb_static(&b, ELFCLASS64);
	b.machine = EM_386;
	bad |= elfb_write(&b, OUT("wrong_machine"), 0755);
	elfb_static(&b, ELFCLASS64);
	b.interp = "/no/such/ld.so";
	b.interp_off = 0x1000;
	bad |= elfb_write(&b, OUT("missing_interp"), 0755);
	bad |= write_file(OUT("not_elf"), "#!/bin/sh\necho hello\n", 21, 0755);
	if (bad)
		perror("make_test_elves");
	return bad ? 1 : 0;
}
