/*
 * kernel.h - the small helpers every kernel file uses: min/max, alignment,
 * container_of, printk and its levels, formatted output into buffers.
 *
 * Formatted output and the string functions are declared here and in
 * string.h with their C names; the hosted build takes them from the C
 * library, a bare-metal build would provide its own.
 */
#ifndef KMM_KERNEL_H
#define KMM_KERNEL_H

#include <stdarg.h>
#include <kmm/compiler.h>
#include <kmm/types.h>

#define ULONG_MAX	(~0UL)
#define LONG_MAX	((long)(~0UL >> 1))
#define UINT_MAX	(~0U)
#define INT_MAX		((int)(~0U >> 1))

#define min(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b)	({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b)	({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define swap(a, b)	do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)

#define ALIGN(x, a)		(((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y)	((x) & ~((__typeof__(x))((y) - 1)))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Log levels, as the "<N>" prefixes of 2.6.34's printk. */
#define KERN_EMERG	"<0>"
#define KERN_ALERT	"<1>"
#define KERN_CRIT	"<2>"
#define KERN_ERR	"<3>"
#define KERN_WARNING	"<4>"
#define KERN_NOTICE	"<5>"
#define KERN_INFO	"<6>"
#define KERN_DEBUG	"<7>"
#define KERN_CONT	"<c>"
#define KERN_DEFAULT	"<d>"

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
#define pr_err(fmt, ...)	printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warning(fmt, ...)	printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG fmt, ##__VA_ARGS__)
#define pr_cont(fmt, ...)	printk(KERN_CONT fmt, ##__VA_ARGS__)

/*
 * Formatted output (lib/vsprintf.c): the C library's integer and string
 * conversions, byte for byte.  The freestanding files get lib's under the
 * C names (see __kmm_lib); kmm_vsnprintf is lib's under any name.
 */
int snprintf(char *buf, size_t size, const char *fmt, ...) __kmm_lib(snprintf) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __kmm_lib(vsnprintf);
int kmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kmm_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* The same, returning what was written (at most size - 1). */
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Parse "64M", "4G", "0x1000", "123k": memparse() as the kernel has it. */
unsigned long long memparse(const char *ptr, char **retptr);
/* Strict integer parsing; 0 on success, -EINVAL on junk or overflow. */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtoll(const char *s, unsigned int base, long long *res);

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* Stop for the panic reported already (by another thread): the trap or the hook. */
__noreturn void panic_reraise(void);

unsigned long int_sqrt(unsigned long x);

/*
 * Zeroed scratch memory for checks and reports, outside the simulated
 * machine (never for kernel data structures).  NULL on failure.
 */
void *kmm_scratch_alloc(size_t size);
void kmm_scratch_free(void *p);
/* Is @p inside the kernel's static state (kmm_state and its zeroed sections)? */
bool kmm_state_contains(const void *p);

#endif /* KMM_KERNEL_H */
