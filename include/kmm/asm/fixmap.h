/*
 * asm/fixmap.h - i386's fixed kernel addresses: compile-time virtual pages
 * counted down from FIXADDR_TOP, whose physical page is chosen at run time
 * (the kmap_atomic slots among them), and the window of permanent kmaps
 * below them.
 *
 *   FIXADDR_TOP   0xfffff000   index 0 (FIX_HOLE) is the page below it
 *                 ...          __fix_to_virt(x) = FIXADDR_TOP - x pages
 *   FIXADDR_START              __end_of_permanent_fixed_addresses pages down
 *                 ...          the boot-time slots (early_ioremap)
 *   FIXADDR_BOOT_START         __end_of_fixed_addresses pages down
 *                 ...          at least one page of gap
 *   PKMAP_BASE + LAST_PKMAP pages
 *                 ...          the pkmap window (kmap)
 *   PKMAP_BASE                 (FIXADDR_BOOT_START - (LAST_PKMAP + 1) pages),
 *                              rounded down to a PMD
 *   VMALLOC_END                PKMAP_BASE - 2 pages
 *
 * The indices are 2.6.34's enum fixed_addresses for i386_defconfig (SMP,
 * NR_CPUS 64, local APIC and IO-APIC, PCI MMCONFIG, OHCI1394 early DMA; no
 * PARAVIRT, no F00F workaround, no TXT).  The boot-time slots start on a
 * PTE-table boundary when they would straddle one, which depends on the
 * paging mode (1024 PTEs a table, 512 with PAE): so __end_of_fixed_addresses
 * and PKMAP_BASE differ between i386 and PAE, as they did between the two
 * kernels.  arch/x86/layout.c derives both architectures' numbers from here:
 *
 *                       i386        PAE
 *   FIXADDR_START       0xffaf6000  0xffaf6000   (1289 pages, 5156 kB)
 *   FIXADDR_BOOT_START  0xff9f5000  0xff8fe000   (1546 / 1793 pages)
 *   PKMAP_BASE          0xff400000  0xff600000   (LAST_PKMAP 1024 / 512)
 *   VMALLOC_END         0xff3fe000  0xff5fe000
 *
 * x86_64 has no highmem and no kmap slots.
 */
#ifndef KMM_ASM_FIXMAP_H
#define KMM_ASM_FIXMAP_H

#include <kmm/asm/kmap_types.h>
#include <kmm/asm/page.h>
#include <kmm/asm/smp.h>

#define MAX_IO_APICS	64	/* i386 */

enum fixed_addresses {
	FIX_HOLE,
	FIX_VDSO,
	FIX_DBGP_BASE,
	FIX_EARLYCON_MEM_BASE,
	FIX_OHCI1394_BASE,
	FIX_APIC_BASE,
	FIX_IO_APIC_BASE_0,
	FIX_IO_APIC_BASE_END = FIX_IO_APIC_BASE_0 + MAX_IO_APICS - 1,
	FIX_KMAP_BEGIN,		/* 70: the kmap_atomic slots, KM_TYPE_NR per CPU */
	FIX_KMAP_END = FIX_KMAP_BEGIN + (KM_TYPE_NR * NR_CPUS) - 1,
	FIX_PCIE_MCFG,
	FIX_TEXT_POKE1,
	FIX_TEXT_POKE0,
	__end_of_permanent_fixed_addresses	/* 1289 */
};

/* The boot-time slots, their first index moved to a PTE-table boundary if they straddle one. */
#define NR_FIX_BTMAPS		64
#define FIX_BTMAPS_SLOTS	4
#define TOTAL_FIX_BTMAPS	(NR_FIX_BTMAPS * FIX_BTMAPS_SLOTS)
#define __FIX_BTMAP_END(ptrs_per_pte)						\
	(((__end_of_permanent_fixed_addresses ^					\
	   (__end_of_permanent_fixed_addresses + TOTAL_FIX_BTMAPS - 1)) & -(ptrs_per_pte)) \
	 ? __end_of_permanent_fixed_addresses + TOTAL_FIX_BTMAPS -		\
	   (__end_of_permanent_fixed_addresses & (TOTAL_FIX_BTMAPS - 1))	\
	 : __end_of_permanent_fixed_addresses)
/* FIX_BTMAP_END .. FIX_BTMAP_BEGIN, then FIX_WP_TEST: the end is one past it. */
#define __END_OF_FIXED_ADDRESSES(ptrs_per_pte)					\
	(__FIX_BTMAP_END(ptrs_per_pte) + TOTAL_FIX_BTMAPS + 1)

#define FIXADDR_SIZE		((unsigned long)__end_of_permanent_fixed_addresses << PAGE_SHIFT)

/* The booted architecture's values (arch/x86/layout.c). */
#define FIXADDR_TOP		((unsigned long)arch->fixaddr_top)
#define FIXADDR_START		((unsigned long)arch->fixaddr_start)
#define FIXADDR_BOOT_START	((unsigned long)arch->fixaddr_boot_start)
#define PKMAP_BASE		((unsigned long)arch->pkmap_base)
#define LAST_PKMAP		((unsigned long)arch->last_pkmap)
#define LAST_PKMAP_MASK		(LAST_PKMAP - 1)
#define PKMAP_NR(virt)		(((virt) - PKMAP_BASE) >> PAGE_SHIFT)
#define PKMAP_ADDR(nr)		(PKMAP_BASE + ((unsigned long)(nr) << PAGE_SHIFT))
#define LAST_PKMAP_MAX		1024	/* the largest LAST_PKMAP (i386 without PAE) */

#define __fix_to_virt(x)	(FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))
#define __virt_to_fix(x)	((FIXADDR_TOP - ((x) & PAGE_MASK)) >> PAGE_SHIFT)

#endif /* KMM_ASM_FIXMAP_H */
