/*
 * notifier.c - notifier chains (include/kmm/notifier.h), and the chain of
 * CPU hotplug callbacks (include/kmm/cpu.h) that the layers above register
 * on at boot and kernel/cpu.c calls.
 *
 * The chain lives here, at the bottom, so that mm/ can register its
 * callbacks (the page allocator's, the slab allocator's, vmstat's) without
 * reaching up into kernel/, which runs the events.
 */
#include <kmm/bug.h>
#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/notifier.h>

/* Before the first block of lower priority: equal priorities keep their order. */
int raw_notifier_chain_register(struct raw_notifier_head *nh, struct notifier_block *n)
{
	struct notifier_block **nl = &nh->head;

	while (*nl && (*nl)->priority >= n->priority) {
		BUG_ON(*nl == n);
		nl = &(*nl)->next;
	}
	for (struct notifier_block *p = *nl; p; p = p->next)
		BUG_ON(p == n);
	n->next = *nl;
	*nl = n;
	return 0;
}

int raw_notifier_chain_unregister(struct raw_notifier_head *nh, struct notifier_block *n)
{
	for (struct notifier_block **nl = &nh->head; *nl; nl = &(*nl)->next) {
		if (*nl == n) {
			*nl = n->next;
			n->next = NULL;
			return 0;
		}
	}
	return -ENOENT;
}

int __raw_notifier_call_chain(struct raw_notifier_head *nh, unsigned long action, void *data,
			      int nr_to_call, int *nr_calls)
{
	int ret = NOTIFY_DONE;

	for (struct notifier_block *nb = nh->head; nb && nr_to_call; nr_to_call--) {
		struct notifier_block *next = nb->next;	/* a callback may unregister itself */

		ret = nb->notifier_call(nb, action, data);
		if (nr_calls)
			(*nr_calls)++;
		if (ret & NOTIFY_STOP_MASK)
			break;
		nb = next;
	}
	return ret;
}

int raw_notifier_call_chain(struct raw_notifier_head *nh, unsigned long action, void *data)
{
	return __raw_notifier_call_chain(nh, action, data, -1, NULL);
}

/* ---- the CPU hotplug chain ---- */

struct raw_notifier_head cpu_chain __state_zero;

int register_cpu_notifier(struct notifier_block *nb)
{
	return raw_notifier_chain_register(&cpu_chain, nb);
}

void unregister_cpu_notifier(struct notifier_block *nb)
{
	raw_notifier_chain_unregister(&cpu_chain, nb);
}
