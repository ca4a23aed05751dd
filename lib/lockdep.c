/*
 * lockdep.c - the lock validator (see lockdep.h for what it checks).
 *
 * The model.  A class is a key (a lock_class_key's address, or a static
 * lock's own address) with a name.  The graph has an edge A -> B when some
 * task acquired a lock of class B while holding one of class A.  Locks are
 * deadlock-free as long as the graph has no cycle: any cycle is an order
 * in which tasks could each hold one lock of it and wait for the next.  So
 * each new edge prev -> next is checked before it is added: if next
 * already reaches prev (breadth-first search over the edges), the new
 * edge closes a cycle and both chains are reported: the existing path
 * next -> ... -> prev, each edge with where it was seen, and the new edge.
 *
 * Which edges an acquisition adds: one from the lock held last, and from
 * any trylocks held above it (a trylock cannot deadlock by itself, so the
 * lock under it is the real predecessor).  Locks held deeper are reached
 * through the edges already recorded when they were taken.
 *
 * Concurrency.  Classes and edges are shared, under graph_lock (a plain
 * spin on an int: the validator must not validate itself); the held-lock
 * stack is the task's own.  A report is made with graph_lock dropped and
 * the validator switched off first, since printing takes locks too.
 *
 * Release builds compile none of this but the counters' stubs.
 */
#include <kmm/irqflags.h>
#include <kmm/kernel.h>
#include <kmm/lockdep.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/string.h>
#include "lib/hooks.h"

int debug_locks __state = KMM_DEBUG;
static unsigned long nr_reports __state_zero;

unsigned long lockdep_reports(void)
{
	return __atomic_load_n(&nr_reports, __ATOMIC_RELAXED);
}

/* ---- naming tasks and places ---- */

static struct task_struct *current_or_null(void)
{
	return hw_this_cpu ? hw_this_cpu->curr : NULL;
}

static __maybe_unused void print_task_name(struct task_struct *t, char *buf, size_t size)
{
	if (t)
		kmm_snprintf(buf, size, "%s/%d", t->comm, t->pid);
	else
		kmm_snprintf(buf, size, "(no task)");
}

/* "[<ffffffff81000012>] FILE:LINE" or "[<addr>] function+0x1c/..." for an address. */
static __maybe_unused void print_ip(unsigned long ip)
{
	char sym[160] = "";

	if (ip && lib_hooks.sprint_symbol)
		lib_hooks.sprint_symbol(sym, sizeof(sym), ip);
	printk(KERN_ERR "[<%016lx>] %s\n", ip, sym);
}

#if KMM_DEBUG

#define MAX_CLASSES	4096
#define MAX_DEPS	16384
#define CLASS_HASH	8192		/* power of two, > MAX_CLASSES */

struct lock_class {
	const void *key;
	const char *name;
	u32 first_dep;			/* index + 1 of its first outgoing edge (0: none) */
};

/* An edge from -> to, and where it was seen. */
struct lock_dep {
	u16 from, to;
	u32 next;			/* index + 1 of from's next edge */
	unsigned long from_ip, to_ip;	/* where each lock was taken */
	pid_t pid;			/* by which task (-1: declared) */
	char comm[TASK_COMM_LEN];
	const char *declared;		/* the file that declared it, or NULL */
};

static struct {
	int lock;
	unsigned int nr_classes;	/* classes[1..nr_classes] */
	unsigned int nr_deps;
	struct lock_class classes[MAX_CLASSES + 1];
	u16 hash[CLASS_HASH];		/* class index by key, open addressing */
	struct lock_dep deps[MAX_DEPS];
} graph __state_zero;

/* Thread-local: the validator is running on this thread (printk inside it takes locks). */
static __thread int lockdep_recursion;

static void graph_lock(void)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&graph.lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&graph.lock, __ATOMIC_RELAXED))
			cpu_relax_wait(&spins);
}

static void graph_unlock(void)
{
	__atomic_store_n(&graph.lock, 0, __ATOMIC_RELEASE);
}

void lockdep_off(void)
{
	lockdep_recursion++;
}

void lockdep_thread_reset(void)
{
	lockdep_recursion = 0;
}

void lockdep_fork_prepare(void)
{
	graph_lock();
}

void lockdep_fork_finish(void)
{
	graph_unlock();
}

void lockdep_on(void)
{
	lockdep_recursion--;
}

static bool validator_on(void)
{
	return __atomic_load_n(&debug_locks, __ATOMIC_RELAXED) && !lockdep_recursion;
}

/* Switch the validator off for a report; false if another report got there first. */
static bool debug_locks_off(void)
{
	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&debug_locks, 0, __ATOMIC_RELAXED) != 0;
}

static unsigned int hash_key(const void *key)
{
	unsigned long k = (unsigned long)key;

	return (unsigned int)((k >> 3) * 0x9e3779b97f4a7c15UL >> 51) & (CLASS_HASH - 1);
}

/* The class of @key, created with @name if new; 0 when the table is full.  graph_lock held. */
static u16 class_of(const void *key, const char *name)
{
	unsigned int h = hash_key(key);
	struct lock_class *c;

	for (;; h = (h + 1) & (CLASS_HASH - 1)) {
		u16 idx = graph.hash[h];

		if (!idx)
			break;
		if (graph.classes[idx].key == key)
			return idx;
	}
	if (graph.nr_classes >= MAX_CLASSES)
		return 0;
	graph.hash[h] = ++graph.nr_classes;
	c = &graph.classes[graph.nr_classes];
	c->key = key;
	c->name = name;
	c->first_dep = 0;
	return graph.nr_classes;
}

extern const struct lockdep_static_name __start_kmm_lockdep_names[], __stop_kmm_lockdep_names[];

/* The name DEFINE_SPINLOCK() and friends recorded for a static lock, or NULL. */
static const char *static_lock_name(const void *lock)
{
	for (const struct lockdep_static_name *n = __start_kmm_lockdep_names;
	     n < __stop_kmm_lockdep_names; n++)
		if (n->lock == lock)
			return n->name;
	return NULL;
}

static bool static_obj(const void *p)
{
	return kmm_state_contains(p);
}

u16 lockdep_init_map(u16 *class, const void *lock, const char *name, const struct lock_class_key *key)
{
	u16 idx;

	graph_lock();
	idx = class_of(key ? (const void *)key : lock, name);
	graph_unlock();
	__atomic_store_n(class, idx, __ATOMIC_RELAXED);
	return idx;
}

static const char *class_name(u16 idx)
{
	return idx ? graph.classes[idx].name : "?";
}

/* ---- reports ---- */

/* " (name), at: [<ip>] where", after @prefix on the same line. */
static void print_lock(const char *prefix, const struct held_lock *hl)
{
	char sym[160] = "";

	if (hl->acquire_ip && lib_hooks.sprint_symbol)
		lib_hooks.sprint_symbol(sym, sizeof(sym), hl->acquire_ip);
	printk(KERN_ERR "%s (%s)%s, at: [<%016lx>] %s\n", prefix, class_name(hl->class_idx),
	       hl->read ? " (read)" : "", hl->acquire_ip, sym);
}

void lockdep_print_held_locks_of(struct task_struct *t)
{
	char who[48];

	print_task_name(t, who, sizeof(who));
	if (!t || !t->lockdep_depth) {
		printk(KERN_ERR "no locks held by %s.\n", who);
		return;
	}
	printk(KERN_ERR "%d lock%s held by %s:\n", t->lockdep_depth,
	       t->lockdep_depth > 1 ? "s" : "", who);
	for (int i = 0; i < t->lockdep_depth; i++) {
		char prefix[16];

		kmm_snprintf(prefix, sizeof(prefix), " #%d: ", i);
		print_lock(prefix, &t->held_locks[i]);
	}
}

void lockdep_print_held_locks(void)
{
	lockdep_print_held_locks_of(current_or_null());
}

static void print_banner(const char *title)
{
	size_t n = strlen(title) + 4;
	char line[96];

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memset(line, '=', n);
	line[n] = '\0';
	printk(KERN_ERR "\n");
	printk(KERN_ERR "%s\n", line);
	printk(KERN_ERR "[ %s ]\n", title);
	printk(KERN_ERR "2.6.34-kmm #1\n");
	memset(line, '-', n);
	printk(KERN_ERR "%s\n", line);
}

static void print_trying(struct task_struct *t, const struct held_lock *next,
			 const struct held_lock *prev)
{
	char who[48];

	print_task_name(t, who, sizeof(who));
	printk(KERN_ERR "%s is trying to acquire lock:\n", who);
	print_lock("", next);
	printk(KERN_ERR "\nbut task is already holding lock:\n");
	print_lock("", prev);
}

static void print_tail(struct task_struct *t)
{
	char who[96] = "";

	printk(KERN_ERR "\nother info that might help us debug this:\n\n");
	lockdep_print_held_locks_of(t);
	printk(KERN_ERR "\nstack backtrace:\n");
	if (lib_hooks.describe_task && lib_hooks.describe_task(who, sizeof(who)) > 0)
		printk(KERN_ERR "Pid: %s Not tainted 2.6.34-kmm #1\n", who);
}

static void print_dep(int nr, const struct lock_dep *d)
{
	char sym_to[160] = "", sym_from[160] = "";

	printk(KERN_ERR "\n-> #%d (%s):\n", nr, class_name(d->to));
	if (d->declared) {
		printk(KERN_ERR "       declared after (%s) in %s\n", class_name(d->from),
		       d->declared);
		return;
	}
	if (lib_hooks.sprint_symbol) {
		lib_hooks.sprint_symbol(sym_to, sizeof(sym_to), d->to_ip);
		lib_hooks.sprint_symbol(sym_from, sizeof(sym_from), d->from_ip);
	}
	printk(KERN_ERR "       taken at [<%016lx>] %s by %s/%d\n", d->to_ip, sym_to, d->comm, d->pid);
	printk(KERN_ERR "       while holding (%s), taken at [<%016lx>] %s\n", class_name(d->from),
	       d->from_ip, sym_from);
}

/*
 * The breadth-first search of check_noncircular(): is @target reachable
 * from @from?  On success @path holds the edges from @from to @target.
 * graph_lock held.
 */
static int find_path(u16 from, u16 target, u32 *path, int max)
{
	static u16 queue[MAX_CLASSES + 1] __state_zero;
	static u32 via[MAX_CLASSES + 1] __state_zero;	/* edge + 1 that reached a class; 0: unseen */
	static bool seen[MAX_CLASSES + 1] __state_zero;
	int head = 0, tail = 0, n = 0;

	memset(seen, 0, sizeof(bool) * (graph.nr_classes + 1));
	queue[tail++] = from;
	seen[from] = true;
	via[from] = 0;
	while (head < tail) {
		u16 c = queue[head++];

		for (u32 e = graph.classes[c].first_dep; e; e = graph.deps[e - 1].next) {
			u16 to = graph.deps[e - 1].to;

			if (seen[to])
				continue;
			seen[to] = true;
			via[to] = e;
			if (to == target) {
				/* Walk back, then reverse into from -> ... -> target. */
				for (u16 x = to; x != from && n < max; x = graph.deps[via[x] - 1].from)
					path[n++] = via[x] - 1;
				for (int i = 0; i < n / 2; i++) {
					u32 t = path[i];

					path[i] = path[n - 1 - i];
					path[n - 1 - i] = t;
				}
				return n;
			}
			queue[tail++] = to;
		}
	}
	return 0;
}

static bool dep_exists(u16 from, u16 to)
{
	for (u32 e = graph.classes[from].first_dep; e; e = graph.deps[e - 1].next)
		if (graph.deps[e - 1].to == to)
			return true;
	return false;
}

static bool add_dep(u16 from, u16 to, unsigned long from_ip, unsigned long to_ip,
		    const struct task_struct *t, const char *declared)
{
	struct lock_dep *d;

	if (graph.nr_deps >= MAX_DEPS)
		return false;
	d = &graph.deps[graph.nr_deps++];
	*d = (struct lock_dep){ .from = from, .to = to, .from_ip = from_ip, .to_ip = to_ip,
				.pid = t ? t->pid : -1, .declared = declared,
				.next = graph.classes[from].first_dep };
	if (t)
		memcpy(d->comm, t->comm, sizeof(d->comm));
	graph.classes[from].first_dep = graph.nr_deps;
	return true;
}

#define MAX_CHAIN	32

/*
 * Add prev -> next unless it closes a cycle.  Returns the number of edges
 * of the existing path next -> ... -> prev when it does (copied into
 * @chain for the report), 0 when the edge is fine, -1 when the tables are
 * full.  graph_lock held.
 */
static int check_prev_add(struct task_struct *t, const struct held_lock *prev,
			  const struct held_lock *next, struct lock_dep *chain)
{
	u32 path[MAX_CHAIN];
	int n;

	if (dep_exists(prev->class_idx, next->class_idx))
		return 0;
	n = find_path(next->class_idx, prev->class_idx, path, MAX_CHAIN);
	if (n) {
		for (int i = 0; i < n; i++)
			chain[i] = graph.deps[path[i]];
		return n;
	}
	return add_dep(prev->class_idx, next->class_idx, prev->acquire_ip, next->acquire_ip,
		       t, NULL) ? 0 : -1;
}

static void report_circular(struct task_struct *t, const struct held_lock *prev,
			    const struct held_lock *next, const struct lock_dep *chain, int n)
{
	struct lock_dep now = { .from = prev->class_idx, .to = next->class_idx,
				.from_ip = prev->acquire_ip, .to_ip = next->acquire_ip,
				.pid = t->pid };

	memcpy(now.comm, t->comm, sizeof(now.comm));

	print_banner("INFO: possible circular locking dependency detected");
	print_trying(t, next, prev);
	printk(KERN_ERR "\nwhich lock already depends on the new lock.\n\n");
	printk(KERN_ERR "\nthe existing dependency chain (in reverse order) is:\n");
	for (int i = n - 1; i >= 0; i--)
		print_dep(i + 1, &chain[i]);
	print_dep(0, &now);
	print_tail(t);
}

static void report_recursive(struct task_struct *t, const struct held_lock *prev,
			     const struct held_lock *next)
{
	print_banner("INFO: possible recursive locking detected");
	print_trying(t, next, prev);
	print_tail(t);
}

static void report_simple(const char *what, struct task_struct *t)
{
	char who[48];

	print_task_name(t, who, sizeof(who));
	print_banner(what);
	printk(KERN_ERR "%s\n", who);
	print_tail(t);
}

/* ---- acquire and release ---- */

static u16 lazy_class(u16 *class, const void *lock, struct task_struct *t)
{
	const char *name = static_lock_name(lock);
	u16 idx;

	if (!name && !static_obj(lock)) {
		/* A lock in dynamic memory that was never initialised. */
		if (debug_locks_off()) {
			printk(KERN_ERR "INFO: trying to register non-static key.\n");
			printk(KERN_ERR "the code is fine but needs lockdep annotation.\n");
			printk(KERN_ERR "turning off the locking correctness validator.\n");
			print_tail(t);
		}
		return 0;
	}
	graph_lock();
	idx = class_of(lock, name ? name : "(static lock)");
	graph_unlock();
	__atomic_store_n(class, idx, __ATOMIC_RELAXED);
	return idx;
}

void lock_acquire(u16 *class, const void *lock, int read, int trylock, unsigned long ip)
{
	struct task_struct *t = current_or_null();
	struct held_lock next, prev = { 0 };
	struct lock_dep chain[MAX_CHAIN];
	int cycle = 0, depth;
	u16 idx;
	bool recursive = false;

	if (!t || !validator_on())
		return;
	lockdep_recursion++;
	if (t->call_site)
		ip = t->call_site;
	idx = __atomic_load_n(class, __ATOMIC_RELAXED);
	next = (struct held_lock){ .instance = lock, .acquire_ip = ip,
				   .class_idx = idx ? idx : lazy_class(class, lock, t),
				   .read = read, .trylock = trylock };
	depth = t->lockdep_depth;
	if (!next.class_idx || !__atomic_load_n(&debug_locks, __ATOMIC_RELAXED))
		goto out;
	if (depth >= MAX_LOCK_DEPTH) {
		if (debug_locks_off())
			report_simple("BUG: MAX_LOCK_DEPTH too low!", t);
		goto out;
	}
	if (!trylock) {
		for (int i = depth - 1; i >= 0; i--)
			if (t->held_locks[i].class_idx == next.class_idx) {
				prev = t->held_locks[i];
				recursive = true;
				break;
			}
		graph_lock();
		for (int i = depth - 1; i >= 0 && !recursive && !cycle; i--) {
			prev = t->held_locks[i];
			cycle = check_prev_add(t, &prev, &next, chain);
			if (!prev.trylock)
				break;
		}
		graph_unlock();
	}
	if (recursive) {
		if (debug_locks_off())
			report_recursive(t, &prev, &next);
	} else if (cycle > 0) {
		if (debug_locks_off())
			report_circular(t, &prev, &next, chain, cycle);
	} else if (cycle < 0) {
		if (debug_locks_off())
			report_simple("BUG: MAX_LOCKDEP_ENTRIES too low!", t);
	}
	t->held_locks[t->lockdep_depth++] = next;
out:
	lockdep_recursion--;
}

void lock_release(const void *lock, unsigned long ip)
{
	struct task_struct *t = current_or_null();
	int i;

	if (!t || !validator_on())
		return;
	for (i = t->lockdep_depth - 1; i >= 0; i--)
		if (t->held_locks[i].instance == lock)
			break;
	if (i < 0) {
		lockdep_recursion++;
		if (debug_locks_off()) {
			print_banner("BUG: bad unlock balance detected!");
			printk(KERN_ERR "%s/%d is trying to release lock at:\n", t->comm, t->pid);
			print_ip(t->call_site ? t->call_site : ip);
			printk(KERN_ERR "but there are no more locks to release!\n");
			print_tail(t);
		}
		lockdep_recursion--;
		return;
	}
	memmove(&t->held_locks[i], &t->held_locks[i + 1],
		(t->lockdep_depth - i - 1) * sizeof(t->held_locks[0]));
	t->lockdep_depth--;
}

bool lock_is_held(const void *lock)
{
	struct task_struct *t = current_or_null();

	if (!t || !validator_on())
		return true;	/* cannot tell */
	for (int i = 0; i < t->lockdep_depth; i++)
		if (t->held_locks[i].instance == lock)
			return true;
	return false;
}

void lockdep_declare_order(const void *const *keys, const char *const *names, int n,
			   const char *where)
{
	graph_lock();
	for (int i = 0; i + 1 < n; i++) {
		u16 a = class_of(keys[i], names[i]), b = class_of(keys[i + 1], names[i + 1]);

		if (a && b && !dep_exists(a, b))
			add_dep(a, b, 0, 0, NULL, where);
	}
	graph_unlock();
}

void lockdep_stats(unsigned long *classes, unsigned long *dependencies)
{
	*classes = graph.nr_classes;
	*dependencies = graph.nr_deps;
}

void lockdep_held_bug(const void *lock, const char *file, int line)
{
	struct task_struct *t = current_or_null();

	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
	lockdep_recursion++;
	printk(KERN_WARNING "------------[ cut here ]------------\n");
	printk(KERN_WARNING "WARNING: at %s:%d: lock %p is not held by the caller\n", file, line,
	       lock);
	lockdep_print_held_locks_of(t);
	lockdep_recursion--;
}

#else /* !KMM_DEBUG: the validator is compiled out */

void lockdep_thread_reset(void)
{
}

void lockdep_fork_prepare(void)
{
}

void lockdep_fork_finish(void)
{
}

void lockdep_off(void)
{
}

void lockdep_on(void)
{
}

void lockdep_declare_order(const void *const *keys, const char *const *names, int n,
			   const char *where)
{
}

void lockdep_stats(unsigned long *classes, unsigned long *dependencies)
{
	*classes = *dependencies = 0;
}

void lockdep_print_held_locks(void)
{
}

void lockdep_print_held_locks_of(struct task_struct *t)
{
}

void lockdep_held_bug(const void *lock, const char *file, int line)
{
}

static void print_tail(struct task_struct *t)
{
	char who[96] = "";

	printk(KERN_ERR "\n");
	if (lib_hooks.describe_task && lib_hooks.describe_task(who, sizeof(who)) > 0)
		printk(KERN_ERR "Pid: %s Not tainted 2.6.34-kmm #1\n", who);
}
#endif /* KMM_DEBUG */

/* ---- sleeping in the wrong place ---- */

void __might_sleep(const char *file, int line)
{
	struct task_struct *t = current_or_null();

	if (!t || (!in_atomic() && !irqs_disabled()))
		return;
	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
	printk(KERN_ERR "BUG: sleeping function called from invalid context at %s:%d\n", file,
	       line);
	printk(KERN_ERR "in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s\n",
	       in_atomic(), (int)irqs_disabled(), t->pid, t->comm);
	print_tail(t);
}

void __schedule_bug(void)
{
	struct task_struct *t = current_or_null();

	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
	printk(KERN_ERR "BUG: scheduling while atomic: %s/%d/0x%08x\n", t ? t->comm : "?",
	       t ? t->pid : -1, preempt_count());
	print_tail(t);
}
