/*
 * arch/x86/fault.h - the kernel's page-fault handler and what it counts.
 */
#ifndef KMM_ARCH_X86_FAULT_H
#define KMM_ARCH_X86_FAULT_H

#include <kmm/types.h>

enum fault_result {
	FAULT_RETRY,	/* handled: the access is retried */
	FAULT_FIXUP,	/* a uaccess function's fault: it returns what it did not copy */
	FAULT_OOPS,	/* reported as an oops: the access fails */
	FAULT_SIGNAL,	/* a user access the process gets a signal for: it fails */
};

/*
 * A page fault at CR2 with x86 error code @error_code, taken by the code
 * at @ip (named in an oops).
 */
enum fault_result do_page_fault(unsigned long error_code, unsigned long ip);

struct fault_stats {
	unsigned long oopses, vmalloc_faults, spurious_faults, fixups;
	unsigned long last_address;	/* of the last oops or general protection fault */
};
void fault_stats(struct fault_stats *st);

#endif /* KMM_ARCH_X86_FAULT_H */
