/*
 * elf_builder.h - small ELF programs written to host files for the exec
 * tests (test_exec.c) and the ELF fuzzer's seeds: a header, program
 * headers, and the bytes they point at, in either class.
 */
#ifndef KMM_TEST_ELF_BUILDER_H
#define KMM_TEST_ELF_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include <kmm/elf.h>

#define ELFB_MAX_PH	8

/* One program header, widened; the builder writes it in the image's class. */
struct elfb_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
	uint64_t align;			/* p_align; 0: 0x1000 */
};

struct elfb {
	int elfclass;			/* ELFCLASS64 or ELFCLASS32 */
	uint16_t type, machine;		/* ET_EXEC, EM_X86_64... */
	uint64_t entry;
	uint64_t phoff;			/* where the program headers go (default: after the header) */
	int phentsize;			/* 0: the class's size */
	int nseg;
	struct elfb_seg seg[ELFB_MAX_PH];
	const char *interp;		/* PT_INTERP's string, placed at interp_off (NUL included) */
	uint64_t interp_off;
	size_t size;			/* the file's size (bytes past what is written read zero) */
};

/* A static program of this shape (x86_64 when @elfclass is ELFCLASS64, else i386):
 *   text  R-X  file [0, 0x1100)      at 0x400000 (i386: 0x8048000)
 *   data  RW-  file [0x2000, 0x2100) at 0x602000 (i386: 0x804c000), memsz 0x3000
 *   the file 0x2800 bytes long, [0x2100, 0x2800) all 0xaa (padzero must clear them)
 *   PT_GNU_STACK RW-
 */
void elfb_static(struct elfb *b, int elfclass);
/* Write the image to @path with @mode: 0, or -1 (errno set). */
int elfb_write(const struct elfb *b, const char *path, unsigned int mode);
/* Write @len bytes of @data to @path with @mode. */
int write_file(const char *path, const void *data, size_t len, unsigned int mode);

#endif /* KMM_TEST_ELF_BUILDER_H */
