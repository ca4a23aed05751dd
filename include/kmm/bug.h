/*
 * bug.h - reporting impossible states.
 *
 * BUG_ON(cond): corruption; print "kernel BUG at file:line!" and stop (the
 *     stop is a hook: the kmm program exits, a test can catch it).
 * WARN_ON(cond): suspicious; print a warning with the place, go on.
 * VM_BUG_ON(cond): a BUG_ON for debug builds (CONFIG_DEBUG_VM, KMM_DEBUG=1),
 *     always compiled so it cannot rot, optimised away otherwise.
 */
#ifndef KMM_BUG_H
#define KMM_BUG_H

#include <kmm/compiler.h>
#include <kmm/types.h>

#ifndef KMM_DEBUG
#define KMM_DEBUG 0
#endif

void __bug(const char *file, int line, const char *func) __cold;
void __warn(const char *file, int line, const char *func) __cold;

#define BUG()	do { __bug(__FILE__, __LINE__, __func__); __builtin_unreachable(); } while (0)
#define BUG_ON(cond) do { if (unlikely(cond)) BUG(); } while (0)

#define WARN_ON(cond) ({						\
	int __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		__warn(__FILE__, __LINE__, __func__);			\
	unlikely(__ret_warn);						\
})

#define WARN(cond, fmt, ...) ({						\
	int __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn)) {					\
		__warn(__FILE__, __LINE__, __func__);			\
		printk(KERN_WARNING fmt, ##__VA_ARGS__);		\
	}								\
	unlikely(__ret_warn);						\
})

#define WARN_ON_ONCE(cond) ({						\
	static bool __state_zero __warned;					\
	int __ret_warn_once = !!(cond);					\
	if (unlikely(__ret_warn_once) && !__warned) {			\
		__warned = true;					\
		__warn(__FILE__, __LINE__, __func__);			\
	}								\
	unlikely(__ret_warn_once);					\
})

#define VM_BUG_ON(cond) do { if (KMM_DEBUG) BUG_ON(cond); } while (0)

/*
 * What BUG() does after printing: the default aborts the process.  The kmm
 * program installs a hook that exits with a status; tests install one that
 * jumps back into the test.  The hook must not return.
 */
typedef void (*bug_hook_t)(const char *file, int line);
bug_hook_t bug_set_hook(bug_hook_t hook);
/* Stop for a BUG() reported already (by another thread): run the hook. */
void bug_reraise(const char *file, int line) __noreturn;
/* Number of BUG()s and WARN()s so far (since the last boot). */
unsigned long bug_count(void);
unsigned long warn_count(void);

#endif /* KMM_BUG_H */
