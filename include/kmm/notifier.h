/*
 * notifier.h - notifier chains (Linux's include/linux/notifier.h): a list
 * of callbacks, ordered by priority, that a subsystem calls on an event --
 * here the CPU hotplug events of <kmm/cpu.h>.
 *
 * A callback returns NOTIFY_OK (or NOTIFY_DONE: not interested), or
 * NOTIFY_BAD to veto the event; notifier_from_errno()/notifier_to_errno()
 * carry an errno through.  The chains are raw: the caller serialises
 * registration and calls (the CPU hotplug mutex does).
 */
#ifndef KMM_NOTIFIER_H
#define KMM_NOTIFIER_H

#include <kmm/compiler.h>

struct notifier_block;
typedef int (*notifier_fn_t)(struct notifier_block *nb, unsigned long action, void *data);

struct notifier_block {
	notifier_fn_t notifier_call;
	struct notifier_block *next;
	int priority;			/* higher first; equal ones in registration order */
};

struct raw_notifier_head {
	struct notifier_block *head;
};

#define NOTIFY_DONE		0x0000		/* don't care */
#define NOTIFY_OK		0x0001		/* suits me */
#define NOTIFY_STOP_MASK	0x8000		/* don't call further */
#define NOTIFY_BAD		(NOTIFY_STOP_MASK | 0x0002)	/* veto: stop here */
#define NOTIFY_STOP		(NOTIFY_OK | NOTIFY_STOP_MASK)

static inline int notifier_from_errno(int err)
{
	return err ? NOTIFY_STOP_MASK | (NOTIFY_OK - err) : NOTIFY_OK;
}

static inline int notifier_to_errno(int ret)
{
	ret &= ~NOTIFY_STOP_MASK;
	return ret > NOTIFY_OK ? NOTIFY_OK - ret : 0;
}

/* Add @nb to @nh in priority order; 0.  Adding a block twice is a BUG. */
int raw_notifier_chain_register(struct raw_notifier_head *nh, struct notifier_block *nb);
/* Remove @nb; 0, or -ENOENT if it is not there. */
int raw_notifier_chain_unregister(struct raw_notifier_head *nh, struct notifier_block *nb);
/*
 * Call the chain's callbacks in order with @action and @data, stopping
 * after one that returns a value with NOTIFY_STOP_MASK, or after
 * @nr_to_call of them (-1: all).  *@nr_calls (unless NULL) counts the
 * callbacks called, so a caller can tell the same ones to undo.  Returns
 * the last callback's value (NOTIFY_DONE if none ran).
 */
int __raw_notifier_call_chain(struct raw_notifier_head *nh, unsigned long action, void *data,
			      int nr_to_call, int *nr_calls);
int raw_notifier_call_chain(struct raw_notifier_head *nh, unsigned long action, void *data);

#endif /* KMM_NOTIFIER_H */
