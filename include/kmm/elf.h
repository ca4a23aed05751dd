/*
 * elf.h - the ELF file format as the program loader reads it (the System V
 * ABI's structures, as in Linux's include/linux/elf.h), and the auxiliary
 * vector's entry types (include/linux/auxvec.h and x86's asm/auxvec.h).
 *
 * Both classes are here: Elf64 for x86_64 machines, Elf32 for i386 ones.
 * The loader (kernel/binfmt_elf.c) reads a file's headers in its class and
 * works on them widened to 64 bits (struct elf_phdr), as one code path.
 */
#ifndef KMM_ELF_H
#define KMM_ELF_H

#include <kmm/types.h>

#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFMAG		"\177ELF"
#define SELFMAG		4
#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1

#define ET_EXEC		2
#define ET_DYN		3

#define EM_386		3
#define EM_486		6
#define EM_X86_64	62

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_PHDR		6
#define PT_GNU_STACK	0x6474e551

#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u32 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf32_Ehdr;

typedef struct {
	u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} Elf32_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64 && sizeof(Elf64_Phdr) == 56, "ELF64 layout");
_Static_assert(sizeof(Elf32_Ehdr) == 52 && sizeof(Elf32_Phdr) == 32, "ELF32 layout");

/* The auxiliary vector's entry types (AT_NULL ends it). */
#define AT_NULL		0
#define AT_IGNORE	1
#define AT_EXECFD	2
#define AT_PHDR		3	/* the program headers' address */
#define AT_PHENT	4	/* the size of one */
#define AT_PHNUM	5	/* their number */
#define AT_PAGESZ	6
#define AT_BASE		7	/* the interpreter's load address */
#define AT_FLAGS	8
#define AT_ENTRY	9	/* the program's entry point */
#define AT_NOTELF	10
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15	/* the address of the platform string */
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_BASE_PLATFORM 24
#define AT_RANDOM	25	/* the address of 16 random bytes */
#define AT_EXECFN	31	/* the address of the file name */
#define AT_SYSINFO	32	/* i386: the vdso's system-call entry */
#define AT_SYSINFO_EHDR	33	/* the vdso's ELF header */

/* 2.6.34's AT_VECTOR_SIZE: room for the entries above, in pairs, and AT_NULL. */
#define AT_VECTOR_SIZE	44

#endif /* KMM_ELF_H */
