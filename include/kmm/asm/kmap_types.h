/*
 * asm/kmap_types.h - the kinds of atomic kernel mapping (kmap_atomic):
 * each CPU has one fixmap slot per kind, so that code which may nest (an
 * interrupt arriving while a task holds KM_USER0) uses a kind of its own.
 *
 * The values are 2.6.34's (include/asm-generic/kmap_types.h) without the
 * CONFIG_DEBUG_HIGHMEM "fences" between them: kmm models i386_defconfig,
 * which leaves DEBUG_HIGHMEM off, so the fixmap layout (and every address
 * printed) is the same in every build.
 */
#ifndef KMM_ASM_KMAP_TYPES_H
#define KMM_ASM_KMAP_TYPES_H

enum km_type {
	KM_BOUNCE_READ,
	KM_SKB_SUNRPC_DATA,
	KM_SKB_DATA_SOFTIRQ,
	KM_USER0,
	KM_USER1,
	KM_BIO_SRC_IRQ,
	KM_BIO_DST_IRQ,
	KM_PTE0,
	KM_PTE1,
	KM_IRQ0,
	KM_IRQ1,
	KM_SOFTIRQ0,
	KM_SOFTIRQ1,
	KM_SYNC_ICACHE,
	KM_SYNC_DCACHE,
	KM_UML_USERCOPY,	/* UML's copy_*_user */
	KM_IRQ_PTE,
	KM_NMI,
	KM_NMI_PTE,
	KM_TYPE_NR		/* 19 */
};

#endif /* KMM_ASM_KMAP_TYPES_H */
