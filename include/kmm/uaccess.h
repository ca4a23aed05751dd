/*
 * uaccess.h - the kernel reading and writing user memory.
 *
 * User addresses exist only in the simulated page tables, so these copy
 * through the MMU with the current CPU's CR3, as the CPU would; a fault is
 * handled (processes fault pages in) or, where nothing maps the address,
 * fixed up: the function returns the bytes it could not copy (get_user and
 * put_user, strncpy_from_user: -EFAULT), never an oops.  A __user pointer
 * holds a simulated user address and is never dereferenced.
 */
#ifndef KMM_UACCESS_H
#define KMM_UACCESS_H

#include <kmm/compiler.h>
#include <kmm/errno.h>
#include <kmm/preempt.h>
#include <kmm/types.h>

#ifndef __user
#define __user
#endif

/*
 * A section in which a fault on user memory must not be handled by
 * sleeping (kmap_atomic holds one): it counts in preempt_count, so
 * in_atomic() is true and a sleep inside is reported, as in 2.6.34.
 */
static __always_inline void pagefault_disable(void)
{
	inc_preempt_count();
	barrier();
}

static __always_inline void pagefault_enable(void)
{
	barrier();
	dec_preempt_count();
}

unsigned long __copy_from_user_mmu(void *to, unsigned long from, unsigned long n);
unsigned long __copy_to_user_mmu(unsigned long to, const void *from, unsigned long n);
unsigned long __clear_user_mmu(unsigned long to, unsigned long n);
long __strncpy_from_user_mmu(char *dst, unsigned long src, long count);
/*
 * The current process's own access (user mode) of @len bytes at @addr:
 * returns the bytes not done (0: all), a signal pending when not 0.
 */
unsigned long kmm_user_access(unsigned long addr, void *buf, unsigned long len, bool write,
			      unsigned long ip);

static inline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return __copy_from_user_mmu(to, (unsigned long)from, n);
}

static inline unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return __copy_to_user_mmu((unsigned long)to, from, n);
}

static inline unsigned long clear_user(void __user *to, unsigned long n)
{
	return __clear_user_mmu((unsigned long)to, n);
}

static inline long strncpy_from_user(char *dst, const char __user *src, long count)
{
	return __strncpy_from_user_mmu(dst, (unsigned long)src, count);
}

/* One value of *@ptr's type, to or from user memory: 0 or -EFAULT. */
#define get_user(x, ptr)							\
	({									\
		__typeof__(*(ptr)) __gu_val;					\
		int __gu_err = copy_from_user(&__gu_val, (ptr), sizeof(__gu_val)) ? -EFAULT : 0; \
		(x) = __gu_err ? (__typeof__(*(ptr)))0 : __gu_val;		\
		__gu_err;							\
	})

#define put_user(x, ptr)							\
	({									\
		__typeof__(*(ptr)) __pu_val = (x);				\
		copy_to_user((ptr), &__pu_val, sizeof(__pu_val)) ? -EFAULT : 0;	\
	})

#endif /* KMM_UACCESS_H */
