/* elf_builder.c - see elf_builder.h. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/elf_builder.h"

void elfb_static(struct elfb *b, int elfclass)
{
	bool b64 = elfclass == ELFCLASS64;
	uint64_t text = b64 ? 0x400000 : 0x8048000;
	uint64_t data = b64 ? 0x602000 : 0x804a000 + 0x2000;

	memset(b, 0, sizeof(*b));
	b->elfclass = elfclass;
	b->type = ET_EXEC;
	b->machine = b64 ? EM_X86_64 : EM_386;
	b->entry = text + 0x1000;
	b->nseg = 3;
	b->seg[0] = (struct elfb_seg){ PT_LOAD, PF_R | PF_X, 0, text, 0x1100, 0x1100 };
	b->seg[1] = (struct elfb_seg){ PT_LOAD, PF_R | PF_W, 0x2000, data, 0x100, 0x3000 };
	b->seg[2] = (struct elfb_seg){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0 };
	b->size = 0x2800;	/* bytes past the data's file part: the next "section" */
}

static void put(unsigned char *img, size_t size, uint64_t off, const void *p, size_t n)
{
	if (off < size)
		memcpy(img + off, p, off + n <= size ? n : size - off);
}

int elfb_write(const struct elfb *b, const char *path, unsigned int mode)
{
	bool b64 = b->elfclass == ELFCLASS64;
	size_t ehsize = b64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = b64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint64_t phoff = b->phoff ? b->phoff : ehsize;
	unsigned char *img = calloc(1, b->size ? b->size : 1);
	int nph = b->nseg + (b->interp ? 1 : 0), ret;
	unsigned char ident[EI_NIDENT] = { 0x7f, 'E', 'L', 'F', (unsigned char)b->elfclass,
					   ELFDATA2LSB, 1 };

	if (!img)
		return -1;
	if (b64) {
		Elf64_Ehdr e = { .e_type = b->type, .e_machine = b->machine, .e_version = 1,
				 .e_entry = b->entry, .e_phoff = phoff, .e_ehsize = (uint16_t)ehsize,
				 .e_phentsize = (uint16_t)(b->phentsize ? b->phentsize : (int)phsize),
				 .e_phnum = (uint16_t)nph };

		memcpy(e.e_ident, ident, EI_NIDENT);
		put(img, b->size, 0, &e, sizeof(e));
	} else {
		Elf32_Ehdr e = { .e_type = b->type, .e_machine = b->machine, .e_version = 1,
				 .e_entry = (uint32_t)b->entry, .e_phoff = (uint32_t)phoff,
				 .e_ehsize = (uint16_t)ehsize,
				 .e_phentsize = (uint16_t)(b->phentsize ? b->phentsize : (int)phsize),
				 .e_phnum = (uint16_t)nph };

		memcpy(e.e_ident, ident, EI_NIDENT);
		put(img, b->size, 0, &e, sizeof(e));
	}
	for (int i = 0; i < nph; i++) {
		struct elfb_seg s;

		if (b->interp && i == 0)
			s = (struct elfb_seg){ PT_INTERP, PF_R, b->interp_off, 0,
					       strlen(b->interp) + 1, strlen(b->interp) + 1 };
		else
			s = b->seg[i - (b->interp ? 1 : 0)];
		if (b64) {
			Elf64_Phdr p = { .p_type = s.type, .p_flags = s.flags, .p_offset = s.offset,
					 .p_vaddr = s.vaddr, .p_paddr = s.vaddr, .p_filesz = s.filesz,
					 .p_memsz = s.memsz, .p_align = s.align ? s.align : 0x1000 };

			put(img, b->size, phoff + i * phsize, &p, sizeof(p));
		} else {
			Elf32_Phdr p = { .p_type = s.type, .p_flags = s.flags,
					 .p_offset = (uint32_t)s.offset, .p_vaddr = (uint32_t)s.vaddr,
					 .p_paddr = (uint32_t)s.vaddr, .p_filesz = (uint32_t)s.filesz,
					 .p_memsz = (uint32_t)s.memsz,
					 .p_align = (uint32_t)(s.align ? s.align : 0x1000) };

			put(img, b->size, phoff + i * phsize, &p, sizeof(p));
		}
	}
	if (b->interp)
		put(img, b->size, b->interp_off, b->interp, strlen(b->interp) + 1);
	/* The data page's bytes past its file part: not zero, so padzero shows. */
	for (int i = 0; i < b->nseg; i++)
		if (b->seg[i].type == PT_LOAD && b->seg[i].flags & PF_W)
			for (uint64_t o = b->seg[i].offset + b->seg[i].filesz; o < b->size; o++)
				img[o] = 0xaa;
	ret = write_file(path, img, b->size, mode);
	free(img);
	return ret;
}

int write_file(const char *path, const void *data, size_t len, unsigned int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	if (close(fd) || n != (ssize_t)len || chmod(path, mode))
		return -1;
	return 0;
}
