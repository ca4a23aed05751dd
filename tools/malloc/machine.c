/*
 * machine.c - the machine behind the allocator: booting it, host threads
 * and their simulated CPUs, the periodic kernel work, fork(), and the dump
 * of /proc at exit.
 *
 * Booting.  The library's constructor boots the machine described by
 * KMM_MALLOC_BOOT (default KM_DEFAULT_BOOT) in parallel mode; the thread
 * that runs it becomes CPU 0.  Until then (the dynamic loader and the C
 * library allocate before any constructor runs) the arena serves.  A boot
 * that fails says why on standard error and leaves the C library's malloc
 * in charge.
 *
 * Threads.  A thread that calls in for the first time takes a free online
 * CPU (kmm_thread_attach(-1)) and gives it back when it exits (a pthread
 * key destructor).  CPUs come and go with the threads (CPU hotplug): the
 * thread that takes the last free one brings another up, a thread that
 * exits takes a free one down when enough are left (keep_a_spare_cpu,
 * offline_a_spare_cpu).  The last few CPUs are no thread's own: when all
 * the others are taken, threads take turns on those, one library call a
 * turn (run_turn).  Only when no CPU can come up at all (or for one call,
 * when two threads took the last spare at once) does a thread borrow one
 * per call: kmm_run_on_cpu() runs the call as that CPU through the
 * takeover protocol, like an interrupt handler, which is how every call
 * runs anyway (see GFP_MALLOC); now and then the thread tries to get a CPU
 * of its own again.  A thread whose key destructor has run (the C library
 * frees its own thread state after that) only borrows: taking a CPU again
 * would leave it taken when the thread is gone.
 *
 * Timers.  In parallel mode nobody steps the clock: every KM_TICK_MASK + 1
 * calls a thread on its own CPU looks at the clock and, when a timer is
 * due, runs the due timers (cache_reap, vmstat_update) unless another
 * thread already is — outside any interrupts-disabled section, as they
 * need.
 *
 * fork().  RAM is a shared memfd: the child must get its own copy (see
 * kmm_fork_prepare() in kmm.h).  prepare: hold the timers, stop the CPUs, copy RAM, hold the
 * log and the mmap table; the forking thread's own mallocs in between go
 * to the arena.  Every kernel call being one interrupts-disabled section
 * (GFP_MALLOC), the CPUs stop between kernel calls and the copy holds no
 * half-built structure; at worst a block a vanished thread was handing out
 * stays allocated in the child.  The child maps its copy and frees the
 * CPUs of the threads it does not have.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/timer.h>
#include "tools/malloc/kmm_malloc.h"

/*
 * 1 GiB of RAM, whose free memory's struct pages are written only as it is
 * used; every CPU of NR_CPUS (512 in the library's build), so up to 511
 * threads besides the first run on CPUs of their own, but only two online
 * at boot: each CPU online costs its slab arrays (16 KiB), so a CPU comes
 * online when a thread takes the last spare one, and goes offline when
 * threads exit and leave more than KM_SPARE_CPUS free.  A kernel image of
 * 1M, not the 8M of a 2.6.34 defconfig that the kmm program models: the
 * image is reserved memory in the DMA zone, whose struct pages every boot
 * writes, while the DMA zone's wholly free 4M blocks are deferred like any
 * other's (deferred_init=all, mm/deferred_init.c): three of them, 42 host
 * pages fewer for every process.  Measured in tools/malloc/README.md.
 */
#define KM_DEFAULT_BOOT	"ram=1G cpus=" __stringify(NR_CPUS) " maxcpus=2 kernel_size=1M deferred_init=all"
#define KM_ATTACH_RETRY	63u		/* a borrowing thread retries every 64 calls */
#define KM_TURN_RETRY	1023u		/* one taking turns, every 1024 */
#define KM_SHARED_MAX	16		/* CPUs threads take turns on, at most */
#define KM_SPARE_CPUS	2		/* free online CPUs kept when a thread exits */

__thread struct km_thread km_self __attribute__((tls_model("initial-exec")));
int km_mode = KM_COLD;

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t thread_key;
static u64 next_timer_ns;		/* when a timer is due next (0: look) */

static struct {
	bool on;
	char path[1024];		/* KMM_MALLOC_DUMP: a file, a directory, or "stderr" */
	pid_t pid;			/* the process that booted */
	int stderr_fd;			/* for "stderr": a copy of fd 2 taken at boot */
} dump;

static void warnf(const char *fmt, const char *a, const char *b)
{
	char msg[3072];

	snprintf(msg, sizeof(msg), fmt, a, b);
	host_warn(msg);
}

/* ---- threads ---- */

/*
 * CPU hotplug by the library: one thread at a time brings a CPU up or
 * takes one down, and fork() waits for it (a child must not inherit a CPU
 * half up).  Taken only outside interrupts-disabled sections.
 */
static pthread_mutex_t hotplug_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cpu_came_up = PTHREAD_COND_INITIALIZER;	/* or failed to */

void km_hotplug_lock(void)
{
	pthread_mutex_lock(&hotplug_lock);
}

void km_hotplug_unlock(void)
{
	pthread_mutex_unlock(&hotplug_lock);
}

/*
 * CPUs to take turns on.  The machine has NR_CPUS at most (512 in the
 * library's build); a program may have more threads.  Threads beyond the
 * CPUs once borrowed one per call through the takeover protocol: a
 * membarrier, then a wait for the owner to leave its interrupts-off
 * section, and the owner may be a host thread that is not running at all
 * (600 threads took 25 s for what the C library does in 0.2).  So the top
 * nr_shared CPUs (1/32 of them, 1 to KM_SHARED_MAX; none with one CPU)
 * are never a thread's own: a thread that finds no CPU of its own is dealt
 * one of them, and takes turns on it with the others dealt it, as tasks
 * take turns on a CPU of a real machine.  A turn is one library call, the
 * thread running as the CPU (kmm_cpu_enter), with its task current there,
 * so it can grow the machine as an owner does; the CPU's turn_lock (a
 * host mutex: a thread waiting for its turn sleeps) serialises the turns.
 * The thread that takes the last CPU of its own brings the shared ones up
 * (keep_a_spare_cpu_locked); they stay up.
 */
static pthread_mutex_t turn_lock[KM_SHARED_MAX] = {
	[0 ... KM_SHARED_MAX - 1] = PTHREAD_MUTEX_INITIALIZER
};
static int first_shared = NR_CPUS;	/* CPUs from here to nr_cpu_ids are shared */
static unsigned int next_turn;		/* the shared CPU dealt next, counted round */
static unsigned long turns[KM_SHARED_MAX];	/* turns taken on each, under its turn_lock */
static unsigned long borrowed, borrowed_exiting;	/* calls on a borrowed CPU (the dump) */
static unsigned long turns_then_own;	/* threads that took turns, then got a CPU of their own */

static void shared_setup(void)
{
	int n = nr_cpu_ids / 32;

	if (nr_cpu_ids < 2)
		n = 0;
	else if (n < 1)
		n = 1;
	else if (n > KM_SHARED_MAX)
		n = KM_SHARED_MAX;
	first_shared = nr_cpu_ids - n;
}

/* Deal @t a shared CPU to take turns on, or borrow if that one is not up. */
static void take_turns(struct km_thread *t)
{
	int n = nr_cpu_ids - first_shared;

	if (!n) {
		t->state = KT_BORROW;
		return;
	}
	if (!t->dealt) {
		t->turn = __atomic_fetch_add(&next_turn, 1, __ATOMIC_RELAXED) % n;
		t->dealt = true;
		/* Its task goes on the task list at its first turn: thread_exit takes it off. */
		pthread_setspecific(thread_key, t);
	}
	t->state = cpu_online(first_shared + t->turn) ? KT_SHARE : KT_BORROW;
}

/*
 * One call, a turn on the thread's shared CPU; false (nothing run) if the
 * CPU cannot be entered (it went down: the caller borrows).  The thread's
 * timers are due as an owner's are (km_tick).
 */
static bool run_turn(struct km_thread *t, struct km_req *r)
{
	pthread_mutex_t *lock = &turn_lock[t->turn];

	pthread_mutex_lock(lock);
	if (kmm_cpu_enter(first_shared + t->turn)) {
		pthread_mutex_unlock(lock);
		return false;
	}
	turns[t->turn]++;
	km_req_run(r);
	km_recover(r);
	if (!(t->calls & KM_TICK_MASK))
		km_tick(t);
	kmm_cpu_leave();
	pthread_mutex_unlock(lock);
	return true;
}

/* At thread exit: the thread's task leaves the task list, in a last turn (the list's lock needs a CPU). */
static void leave_turns(struct km_thread *t)
{
	pthread_mutex_t *lock = &turn_lock[t->turn];

	pthread_mutex_lock(lock);
	if (!kmm_cpu_enter(first_shared + t->turn))
		kmm_thread_detach();
	pthread_mutex_unlock(lock);
}

/* A CPU of the threads' own (below the shared ones) that is offline, or -1. */
static int own_cpu_offline(void)
{
	for (int cpu = 0; cpu < first_shared; cpu++)
		if (!cpu_online(cpu))
			return cpu;
	return -1;
}

/* Take a free online CPU of the threads' own: 0, or -EBUSY. */
static int attach_own(void)
{
	for (int cpu = 0; cpu < first_shared; cpu++)
		if (cpu_online(cpu) && !kmm_cpu_taken(cpu) && !kmm_thread_attach(cpu))
			return 0;
	return -EBUSY;
}

/* The online CPUs of threads' own no thread owns, other than the caller's; the highest in *@highest. */
static int free_online_cpus(int *highest)
{
	int n = 0;

	*highest = -1;
	for (int cpu = 0; cpu < first_shared; cpu++) {
		if (cpu_online(cpu) && !kmm_cpu_taken(cpu)) {
			n++;
			*highest = cpu;
		}
	}
	return n;
}

/*
 * Keep a spare: when the calling thread (on a CPU of its own) took the
 * last free online CPU and an offline one is left, it brings the lowest
 * offline one up, so that the next thread finds a CPU ready.  Only a CPU
 * online can do it (the new one has no slab arrays to allocate its own
 * with), and only outside interrupts-disabled sections (cpu_up sleeps).
 * The caller holds hotplug_lock (keep_a_spare_cpu takes it).
 */
static void keep_a_spare_cpu_locked(void)
{
	int highest;

	if (free_online_cpus(&highest))
		return;
	highest = own_cpu_offline();
	if (highest >= 0) {
		kmm_cpu_up(highest);
	} else {
		/* The last CPU of threads' own is taken: the next threads take turns. */
		for (int cpu = first_shared; cpu < nr_cpu_ids; cpu++)
			if (!cpu_online(cpu))
				kmm_cpu_up(cpu);
	}
	pthread_cond_broadcast(&cpu_came_up);
}

static void keep_a_spare_cpu(void)
{
	int highest;

	if (free_online_cpus(&highest))
		return;
	pthread_mutex_lock(&hotplug_lock);
	keep_a_spare_cpu_locked();
	pthread_mutex_unlock(&hotplug_lock);
}

/*
 * At thread exit, before the thread gives its CPU back (it still runs as
 * it, so it can run cpu_down): with KM_SPARE_CPUS free online CPUs or
 * more besides its own, it takes the highest free one down, so that as
 * threads exit the free CPUs come down to KM_SPARE_CPUS.  A program that starts
 * and ends thousands of threads keeps the CPUs (and their slab arrays) of
 * the threads it has at once, and a few; one that starts and ends one
 * thread after another onlines and offlines nothing (the band between one
 * spare, when a CPU comes up, and this bound gives hysteresis).  A spare
 * taken meanwhile by a thread is refused by cpu_down (-EBUSY): no harm.
 */
static void offline_a_spare_cpu(void)
{
	int highest;

	if (free_online_cpus(&highest) < KM_SPARE_CPUS)
		return;
	pthread_mutex_lock(&hotplug_lock);
	if (free_online_cpus(&highest) >= KM_SPARE_CPUS && highest > 0)
		kmm_cpu_down(highest);
	pthread_mutex_unlock(&hotplug_lock);
}

static void thread_exit(void *unused)
{
	struct km_thread *t = &km_self;

	t->depth++;
	if (t->state == KT_ON_CPU) {
		offline_a_spare_cpu();
		kmm_thread_detach();
	} else if (t->dealt) {
		leave_turns(t);
	}
	t->state = KT_EXITING;
	t->depth--;
}

static void on_cpu(struct km_thread *t)
{
	if (t->dealt)
		__atomic_add_fetch(&turns_then_own, 1, __ATOMIC_RELAXED);
	t->state = KT_ON_CPU;
	pthread_setspecific(thread_key, t);
}

/*
 * Take a free online CPU.  None free while some are offline means that
 * another thread took the spare first and is about to bring the next one
 * up (keep_a_spare_cpu): a thread counts itself in `bringing` before it
 * tries to take a CPU, and counts itself out (broadcasting cpu_came_up)
 * once it has kept a spare; one that found none waits while anyone is
 * counted, then takes the CPU that came up and brings up the next in
 * turn.  So threads arriving together each get a CPU of their own, and
 * only when no CPU can come up (no memory for its arrays) does a thread
 * borrow for this call and try again on its next.  Waiters are not
 * counted: two of them never wait for each other.
 */
static int bringing;		/* threads taking a CPU, not yet done keeping a spare */

static void attach(struct km_thread *t)
{
	int err;

	__atomic_add_fetch(&bringing, 1, __ATOMIC_SEQ_CST);
	err = attach_own();
	if (!err) {
		on_cpu(t);
		keep_a_spare_cpu();
	}
	pthread_mutex_lock(&hotplug_lock);
	__atomic_sub_fetch(&bringing, 1, __ATOMIC_SEQ_CST);
	if (err) {
		while ((err = attach_own()) && own_cpu_offline() >= 0 &&
		       __atomic_load_n(&bringing, __ATOMIC_SEQ_CST))
			pthread_cond_wait(&cpu_came_up, &hotplug_lock);
		if (!err) {
			on_cpu(t);
			keep_a_spare_cpu_locked();
		} else if (own_cpu_offline() >= 0) {
			t->state = KT_NEW;
		} else {
			take_turns(t);
		}
	}
	pthread_cond_broadcast(&cpu_came_up);
	pthread_mutex_unlock(&hotplug_lock);
}

/*
 * A CPU to borrow: a free online one if there is one (no takeover needed),
 * else the next online one in turn.  Offline CPUs have no slab arrays.
 */
static int borrow_cpu(struct km_thread *t)
{
	int n = nr_cpu_ids;

	for (int i = 0; i < n; i++) {
		int cpu = (t->borrow_next + i) % n;

		if (cpu_online(cpu) && !kmm_cpu_taken(cpu)) {
			t->borrow_next = cpu + 1;
			return cpu;
		}
	}
	for (int i = 0; i < n; i++) {
		int cpu = (t->borrow_next + i) % n;

		if (cpu_online(cpu)) {
			t->borrow_next = cpu + 1;
			return cpu;
		}
	}
	return 0;
}

/* Run @r on a borrowed CPU; one going down meanwhile refuses (-EAGAIN): take another. */
static void run_borrowed(struct km_thread *t, struct km_req *r)
{
	__atomic_add_fetch(t->state == KT_EXITING ? &borrowed_exiting : &borrowed, 1, __ATOMIC_RELAXED);
	while (kmm_run_on_cpu(borrow_cpu(t), km_req_run, r) == -EAGAIN)
		;
}

/* A failed allocation: more free memory could serve it. */
static bool worth_retrying(const struct km_req *r)
{
	return !r->ret && (r->op == KM_ALLOC || r->op == KM_REALLOC);
}

#define KM_GROW_TRIES	8	/* adds for one request, each at least a quarter of RAM */

/*
 * As direct reclaim would: the per-CPU lists go back to the buddy
 * allocator and the request runs again; then the machine grows (grow.c)
 * and it runs again, until it succeeds or RAM is at its limit.
 */
void km_recover(struct km_req *r)
{
	unsigned long gen;

	if (!worth_retrying(r))
		return;
	gen = km_grow_generation();
	drain_all_pages();
	km_req_run(r);
	for (int i = 0; i < KM_GROW_TRIES && worth_retrying(r) && km_grow(r->size, gen); i++) {
		gen = km_grow_generation();
		km_req_run(r);
	}
}

void km_call(struct km_req *r)
{
	struct km_thread *t = &km_self;

	t->depth++;
	if (t->state == KT_NEW || (t->state == KT_BORROW && !(++t->calls & KM_ATTACH_RETRY)) ||
	    (t->state == KT_SHARE && !(++t->calls & KM_TURN_RETRY)))
		attach(t);
	r->gfp = GFP_MALLOC;
	if (t->state == KT_ON_CPU) {
		km_req_run(r);
		km_recover(r);
	} else if (t->state == KT_SHARE && run_turn(t, r)) {
		/* done */
	} else {
		run_borrowed(t, r);
		if (worth_retrying(r)) {
			drain_all_pages();
			run_borrowed(t, r);
		}
	}
	t->depth--;
}

void km_tick(struct km_thread *t)
{
	u64 due;

	t->depth++;
	km_grow_tick();
	t->depth--;
	if (kmm_clock_ns() < __atomic_load_n(&next_timer_ns, __ATOMIC_RELAXED))
		return;
	if (pthread_mutex_trylock(&timer_lock))
		return;
	t->depth++;
	due = timers_run_due();
	if (due)
		__atomic_store_n(&next_timer_ns, due, __ATOMIC_RELAXED);
	t->depth--;
	pthread_mutex_unlock(&timer_lock);
}

/* ---- fork ---- */

static int fork_err;

static void turns_unlock(void)
{
	for (int i = 0; i < KM_SHARED_MAX; i++)
		pthread_mutex_unlock(&turn_lock[i]);
}

static void fork_prepare(void)
{
	if (__atomic_load_n(&km_mode, __ATOMIC_ACQUIRE) != KM_READY)
		return;
	km_self.depth++;
	for (int i = 0; i < KM_SHARED_MAX; i++)
		pthread_mutex_lock(&turn_lock[i]);	/* no turn half taken */
	km_grow_lock();
	pthread_mutex_lock(&timer_lock);
	pthread_mutex_lock(&hotplug_lock);
	fork_err = kmm_fork_prepare();
	log_buf_lock();
	mblock_lock();
}

static void fork_parent(void)
{
	if (__atomic_load_n(&km_mode, __ATOMIC_ACQUIRE) != KM_READY)
		return;
	mblock_unlock();
	log_buf_unlock();
	kmm_fork_parent();
	pthread_mutex_unlock(&hotplug_lock);
	pthread_mutex_unlock(&timer_lock);
	km_grow_unlock();
	turns_unlock();
	km_self.depth--;
}

static void fork_child(void)
{
	struct km_thread *t = &km_self;
	int err;

	if (__atomic_load_n(&km_mode, __ATOMIC_ACQUIRE) != KM_READY)
		return;
	mblock_unlock();
	log_buf_unlock();
	err = kmm_fork_child();
	pthread_mutex_unlock(&hotplug_lock);
	pthread_mutex_unlock(&timer_lock);
	km_grow_unlock();
	turns_unlock();
	if (err) {
		char why[32];

		snprintf(why, sizeof(why), "%d", fork_err ? fork_err : err);
		warnf("kmm-malloc: the child of fork() could not get its own RAM (error %s)%s",
		      why, "; the C library's malloc serves it\n");
		__atomic_store_n(&km_mode, KM_LIBC, __ATOMIC_RELEASE);
		t->state = KT_NEW;
	}
	t->depth--;
}

/* ---- boot ---- */

static void dump_setup(void)
{
	const char *d = getenv("KMM_MALLOC_DUMP");

	if (!d || !*d || strlen(d) >= sizeof(dump.path))
		return;
	strcpy(dump.path, d);
	dump.pid = getpid();
	dump.on = true;
	/* Programs may close stderr before exit (coreutils' close_stdout does). */
	if (!strcmp(d, "stderr"))
		dump.stderr_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
}

/* The length of the name of the boot option starting at @w ("cpus" of "cpus=64"). */
static size_t option_name_len(const char *w)
{
	size_t n = 0;

	while (w[n] && w[n] != '=' && w[n] != ' ' && w[n] != '\t')
		n++;
	return n;
}

/* Does the option list @list name option @name (of length @len)? */
static bool names_option(const char *list, const char *name, size_t len)
{
	for (const char *w = list; *w;) {
		size_t n;

		while (*w == ' ' || *w == '\t')
			w++;
		n = option_name_len(w);
		if (n == len && !strncmp(w, name, len))
			return true;
		while (*w && *w != ' ' && *w != '\t')
			w++;
	}
	return false;
}

/*
 * The boot options: the library's defaults that the user's string does not
 * name, then the user's options, so that KMM_MALLOC_BOOT overrides option
 * by option ("ram=2G" keeps cpus=512 maxcpus=2; "cpus=4" keeps maxcpus=2).
 * Merged by name rather than appended, so the kernel command line of the
 * boot log shows no overridden option.  Into @out (@size bytes); a user
 * string too long to merge is used alone.
 */
static const char *merge_boot_options(const char *user, char *out, size_t size)
{
	size_t len = 0;

	if (!user || !*user)
		return KM_DEFAULT_BOOT;
	for (const char *w = KM_DEFAULT_BOOT; *w;) {
		size_t n = option_name_len(w), end = n;

		while (w[end] && w[end] != ' ')
			end++;
		if (!names_option(user, w, n) && len + end + 1 < size) {
			memcpy(out + len, w, end);
			len += end;
			out[len++] = ' ';
		}
		w += end;
		while (*w == ' ')
			w++;
	}
	if (len + strlen(user) + 1 > size)
		return user;
	strcpy(out + len, user);
	return out;
}

static void km_boot(void)
{
	static char merged[1024];
	struct km_thread *t = &km_self;
	const char *opts;
	char buf[1024];

	pthread_mutex_lock(&boot_lock);
	if (km_mode != KM_COLD)
		goto out;
	t->depth++;
	opts = merge_boot_options(getenv("KMM_MALLOC_BOOT"), merged, sizeof(merged));
	dump_setup();
	/* The process never boots another machine: no snapshot for a reboot. */
	if (!km_grow_boot_options(opts, buf, sizeof(buf))) {
		warnf("kmm-malloc: cannot boot \"%s\": max= is not a size (e.g. max=8G)%s", opts,
		      "; the C library's malloc serves instead\n");
		__atomic_store_n(&km_mode, KM_LIBC, __ATOMIC_RELEASE);
	} else if (kmm_boot(buf, KMM_BOOT_ONLY_ONCE)) {
		warnf("kmm-malloc: cannot boot \"%s\": %s; the C library's malloc serves instead\n",
		      opts, kmm_error_msg());
		__atomic_store_n(&km_mode, KM_LIBC, __ATOMIC_RELEASE);
	} else {
		t->state = KT_ON_CPU;
		pthread_key_create(&thread_key, thread_exit);
		pthread_setspecific(thread_key, t);
		pthread_atfork(fork_prepare, fork_parent, fork_child);
		shared_setup();
		km_grow_setup();
		__atomic_store_n(&km_mode, KM_READY, __ATOMIC_RELEASE);
	}
	t->depth--;
out:
	pthread_mutex_unlock(&boot_lock);
}

__attribute__((constructor)) static void km_init(void)
{
	km_boot();
}

/* ---- the dump ---- */

static void put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= w;
	}
}

/* Write the view at @path to @fd, after a "==> path <==" line if @header. */
static void dump_view(int fd, const char *path, bool header)
{
	struct seq_file m;

	seq_init(&m);
	if (!proc_read(path, &m) && m.buf) {
		if (header) {
			put(fd, "==> ", 4);
			put(fd, path, strlen(path));
			put(fd, " <==\n", 5);
		}
		put(fd, m.buf, m.count);
	}
	seq_release(&m);
}

/* KMM_MALLOC_DUMP with "%p" replaced by the process id. */
static void dump_expand(char *out, size_t size)
{
	size_t n = 0;

	for (const char *s = dump.path; *s && n + 24 < size; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			n += snprintf(out + n, size - n, "%d", (int)getpid());
			s++;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* The views dumped, and their file names in a directory. */
static const struct {
	const char *path, *file;
} views[] = {
	{ "/proc/slabinfo", "slabinfo" },
	{ "/proc/meminfo", "meminfo" },
	{ "/proc/buddyinfo", "buddyinfo" },
	{ "/proc/pagetypeinfo", "pagetypeinfo" },
	{ "/proc/vmstat", "vmstat" },
	{ "/sys/devices/system/cpu/online", "cpu_online" },	/* the CPUs threads left online */
	{ "/sys/devices/system/cpu/possible", "cpu_possible" },
};
#define NR_VIEWS	(int)(sizeof(views) / sizeof(views[0]))

/*
 * The library's own counters, after the views: how the calls ran when
 * threads outnumbered the CPUs of their own (turns on the shared CPUs,
 * threads that took turns and later got a CPU of their own as others
 * exited, calls on a borrowed CPU, and of those the calls of exiting
 * threads),
 * and the tasks on the task list (the threads that ended left none).
 */
static void dump_counters(int fd, bool header)
{
	unsigned long n = 0;
	char buf[256];
	int len;

	for (int i = 0; i < KM_SHARED_MAX; i++)
		n += __atomic_load_n(&turns[i], __ATOMIC_RELAXED);
	len = snprintf(buf, sizeof(buf),
		       "%sshared_cpus %d\nturns %lu\nturns_then_own %lu\nborrowed %lu\n"
		       "borrowed_exiting %lu\ntasks %d\n",
		       header ? "==> kmm-malloc <==\n" : "", nr_cpu_ids - first_shared, n,
		       __atomic_load_n(&turns_then_own, __ATOMIC_RELAXED),
		       __atomic_load_n(&borrowed, __ATOMIC_RELAXED),
		       __atomic_load_n(&borrowed_exiting, __ATOMIC_RELAXED), kmm_nr_tasks());
	put(fd, buf, (size_t)len);
}

void km_dump(void)
{
	char path[sizeof(dump.path) + 64], file[sizeof(path) + 16];
	struct stat st;
	int fd;

	dump_expand(path, sizeof(path));
	if (!strcmp(path, "stderr")) {
		for (int i = 0; i < NR_VIEWS; i++)
			dump_view(dump.stderr_fd >= 0 ? dump.stderr_fd : 2, views[i].path, true);
		dump_counters(dump.stderr_fd >= 0 ? dump.stderr_fd : 2, true);
		return;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		/* A directory gets one file per view, as procps tools read them. */
		for (int i = 0; i < NR_VIEWS; i++) {
			snprintf(file, sizeof(file), "%s/%s", path, views[i].file);
			fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0) {
				warnf("kmm-malloc: cannot write %s: %s\n", file, strerror(errno));
				continue;
			}
			dump_view(fd, views[i].path, false);
			close(fd);
		}
		snprintf(file, sizeof(file), "%s/kmm-malloc", path);
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dump_counters(fd, false);
			close(fd);
		}
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		warnf("kmm-malloc: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	for (int i = 0; i < NR_VIEWS; i++)
		dump_view(fd, views[i].path, true);
	dump_counters(fd, true);
	close(fd);
}

/*
 * At exit, after the program's own atexit handlers and the destructors of
 * libraries loaded after this one.  A forked child dumps only when the
 * path names each process ("%p").
 */
__attribute__((destructor)) static void km_fini(void)
{
	struct km_req r = { .op = KM_DUMP };

	if (__atomic_load_n(&km_mode, __ATOMIC_ACQUIRE) != KM_READY || !dump.on)
		return;
	if (getpid() != dump.pid && !strstr(dump.path, "%p"))
		return;
	km_call(&r);
}
