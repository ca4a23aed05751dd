/*
 * test_lib.c - the kernel library: lists, rbtree (plain and augmented),
 * bitmaps, hash tables, number parsing, int_sqrt, sort, the printk ring,
 * fault injection, the PRNG and the sleeping locks' misuse checks.
 * Reference models are plain arrays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bitmap.h>
#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/hash.h>
#include <kmm/irqflags.h>
#include <kmm/kernel.h>
#include <kmm/list.h>
#include <kmm/completion.h>
#include <kmm/mutex.h>
#include <kmm/rwsem.h>
#include <kmm/printk.h>
#include <kmm/random.h>
#include <kmm/rbtree.h>
#include <kmm/sched.h>
#include <kmm/sort.h>
#include "tests/harness.h"

struct item {
	int key;
	struct list_head link;
};

static void list_add_and_remove_keep_order(void **state)
{
	struct item items[5];
	struct item *pos, *n;
	LIST_HEAD(head);
	int i = 0;

	assert_true(list_empty(&head));
	for (int k = 0; k < 5; k++) {
		items[k].key = k;
		list_add_tail(&items[k].link, &head);
	}
	assert_int_equal(list_count(&head), 5);
	list_for_each_entry(pos, &head, link)
		assert_int_equal(pos->key, i++);
	list_del(&items[2].link);
	list_move(&items[4].link, &head);	/* 4 0 1 3 */
	i = 0;
	int want[] = { 4, 0, 1, 3 };
	list_for_each_entry_safe(pos, n, &head, link)
		assert_int_equal(pos->key, want[i++]);
	assert_ptr_equal(list_first_entry(&head, struct item, link), &items[4]);
	assert_ptr_equal(list_last_entry(&head, struct item, link), &items[3]);
	assert_ptr_equal(items[2].link.next, LIST_POISON1);
}

static void list_splice_moves_everything(void **state)
{
	struct item a[3], b[2];
	struct item *pos;
	LIST_HEAD(x);
	LIST_HEAD(y);
	int want[] = { 10, 11, 0, 1, 2 }, i = 0;

	for (int k = 0; k < 3; k++) {
		a[k].key = k;
		list_add_tail(&a[k].link, &x);
	}
	for (int k = 0; k < 2; k++) {
		b[k].key = 10 + k;
		list_add_tail(&b[k].link, &y);
	}
	list_splice_init(&y, &x);
	assert_true(list_empty(&y));
	list_for_each_entry(pos, &x, link)
		assert_int_equal(pos->key, want[i++]);
	assert_int_equal(i, 5);
}

/* ---- rbtree, augmented with the maximum value in each subtree ---- */

struct rnode {
	struct rb_node rb;
	int key;
	int val;
	int subtree_max;
};

static int compute_max(struct rnode *n)
{
	int m = n->val;

	if (n->rb.rb_left) {
		struct rnode *l = rb_entry(n->rb.rb_left, struct rnode, rb);

		m = max(m, l->subtree_max);
	}
	if (n->rb.rb_right) {
		struct rnode *r = rb_entry(n->rb.rb_right, struct rnode, rb);

		m = max(m, r->subtree_max);
	}
	return m;
}

static void aug_propagate(struct rb_node *rb, struct rb_node *stop)
{
	while (rb != stop) {
		struct rnode *n = rb_entry(rb, struct rnode, rb);

		n->subtree_max = compute_max(n);
		rb = rb_parent(rb);
	}
}

static void aug_copy(struct rb_node *old, struct rb_node *new)
{
	rb_entry(new, struct rnode, rb)->subtree_max = rb_entry(old, struct rnode, rb)->subtree_max;
}

static void aug_rotate(struct rb_node *old, struct rb_node *new)
{
	aug_copy(old, new);
	rb_entry(old, struct rnode, rb)->subtree_max = compute_max(rb_entry(old, struct rnode, rb));
}

static const struct rb_augment_callbacks aug_cb = { aug_propagate, aug_copy, aug_rotate };

/* Returns the black height; fails the test on any broken invariant. */
static int verify(struct rb_node *n, struct rb_node *parent, int lo, int hi, bool augmented)
{
	int lh, rh;
	struct rnode *r;

	if (!n)
		return 1;
	r = rb_entry(n, struct rnode, rb);
	assert_ptr_equal(rb_parent(n), parent);
	assert_true(r->key > lo && r->key < hi);
	if (rb_is_red(n)) {
		assert_true(!n->rb_left || rb_is_black(n->rb_left));
		assert_true(!n->rb_right || rb_is_black(n->rb_right));
	}
	if (augmented)
		assert_int_equal(r->subtree_max, compute_max(r));
	lh = verify(n->rb_left, n, lo, r->key, augmented);
	rh = verify(n->rb_right, n, r->key, hi, augmented);
	assert_int_equal(lh, rh);
	return lh + rb_is_black(n);
}

static void insert(struct rb_root *root, struct rnode *node, bool augmented)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = node->key < rb_entry(parent, struct rnode, rb)->key ? &parent->rb_left
									   : &parent->rb_right;
	}
	rb_link_node(&node->rb, parent, link);
	if (augmented)
		rb_insert_augmented(&node->rb, root, &aug_cb);
	else
		rb_insert_color(&node->rb, root);
}

static void rbtree_random_ops(bool augmented)
{
	enum { N = 2000 };
	struct rnode *nodes = calloc(N, sizeof(*nodes));
	bool *in = calloc(N, sizeof(bool));
	struct rb_root root = RB_ROOT;
	unsigned int seed = 12345;

	for (int step = 0; step < 6 * N; step++) {
		int i = rand_r(&seed) % N;

		if (!in[i]) {
			nodes[i].key = i;
			nodes[i].val = rand_r(&seed) % 100000;
			insert(&root, &nodes[i], augmented);
			in[i] = true;
		} else {
			if (augmented)
				rb_erase_augmented(&nodes[i].rb, &root, &aug_cb);
			else
				rb_erase(&nodes[i].rb, &root);
			in[i] = false;
		}
		if (step % 97 == 0 || step == 6 * N - 1) {
			int expect_max = -1, count = 0, prev = -1;

			assert_true(!root.rb_node || rb_is_black(root.rb_node));
			verify(root.rb_node, NULL, -1, N, augmented);
			for (int k = 0; k < N; k++)
				if (in[k]) {
					count++;
					expect_max = max(expect_max, nodes[k].val);
				}
			for (struct rb_node *p = rb_first(&root); p; p = rb_next(p)) {
				assert_true(rb_entry(p, struct rnode, rb)->key > prev);
				prev = rb_entry(p, struct rnode, rb)->key;
				count--;
			}
			assert_int_equal(count, 0);
			if (augmented && root.rb_node)
				assert_int_equal(rb_entry(root.rb_node, struct rnode, rb)->subtree_max,
						 expect_max);
		}
	}
	free(nodes);
	free(in);
}

static void rbtree_matches_reference_set(void **state)
{
	rbtree_random_ops(false);
}

static void rbtree_augmented_keeps_subtree_max(void **state)
{
	rbtree_random_ops(true);
}

static void bitmap_ranges_and_search(void **state)
{
	DECLARE_BITMAP(map, 200);

	bitmap_zero(map, 200);
	bitmap_set(map, 3, 70);
	assert_int_equal(bitmap_weight(map, 200), 70);
	assert_int_equal(find_first_bit(map, 200), 3);
	assert_int_equal(find_next_zero_bit(map, 200, 3), 73);
	bitmap_clear(map, 10, 5);
	assert_int_equal(bitmap_weight(map, 200), 65);
	assert_int_equal(find_next_zero_bit(map, 200, 3), 10);
	assert_int_equal(find_next_bit(map, 200, 10), 15);
	/* 8 zero bits aligned to 8, at or after 0: bits 0-7 are not all zero (3..7 set). */
	assert_int_equal(bitmap_find_next_zero_area(map, 200, 0, 8, 7), 80);
	bitmap_set_field(map, 130, 3, 5);
	assert_int_equal(bitmap_get_field(map, 130, 3), 5);
	assert_false(bitmap_full(map, 200));
	bitmap_fill(map, 200);
	assert_true(bitmap_full(map, 200));
}

/* ---- hash tables ---- */

/*
 * Page-aligned addresses (low 12 bits zero) must still spread: the
 * fullest of 64 buckets holds well under twice the mean, and the
 * chi-square statistic stays near its 63 degrees of freedom.
 */
static void hash_spreads_aligned_keys(void **state)
{
	enum { BITS = 6, N = 1 << 16 };
	unsigned long count[1 << BITS] = { 0 }, max = 0;
	double chi = 0, mean = (double)N / (1 << BITS);

	for (unsigned long i = 0; i < N; i++)
		count[hash_long(0xffff880000000000ul + i * 4096, BITS)]++;
	for (int b = 0; b < 1 << BITS; b++) {
		chi += (count[b] - mean) * (count[b] - mean) / mean;
		if (count[b] > max)
			max = count[b];
	}
	assert_true(max < 1.2 * mean);
	assert_true(chi < 2 * 63);
	assert_int_equal(hash_long(12345, 0), 0);
	for (int bits = 1; bits <= 32; bits++)
		assert_true(hash_64(~0ull, bits) < (1ull << bits));
}

struct hobj {
	unsigned long key;
	struct hlist_node node;
};

static void hashtable_matches_reference(void **state)
{
	enum { N = 2000 };
	DECLARE_HASHTABLE(ht, 5);
	struct hobj *objs = calloc(N, sizeof(*objs)), *o;
	bool in[N] = { false };
	struct hlist_node *tmp;
	unsigned int bkt;
	unsigned int seed = 11;
	int n_in = 0, seen;

	hash_init(ht);
	assert_true(hash_empty(ht));
	assert_int_equal(HASH_BITS(ht), 5);
	for (int i = 0; i < N; i++) {
		objs[i].key = (unsigned long)i * 7919;
		INIT_HLIST_NODE(&objs[i].node);
	}
	for (int step = 0; step < 20000; step++) {
		int i = rand_r(&seed) % N;

		if (in[i]) {
			hash_del(&objs[i].node);
			n_in--;
		} else {
			hash_add(ht, &objs[i].node, objs[i].key);
			n_in++;
		}
		in[i] = !in[i];
		assert_int_equal(hash_hashed(&objs[i].node), in[i]);
		/* A lookup finds the object exactly when the model has it. */
		int j = rand_r(&seed) % N, found = 0;

		hash_for_each_possible(ht, o, node, objs[j].key)
			if (o->key == objs[j].key)
				found++;
		assert_int_equal(found, in[j]);
	}
	seen = 0;
	hash_for_each(ht, bkt, o, node) {
		assert_true(in[o - objs]);
		seen++;
	}
	assert_int_equal(seen, n_in);
	hash_for_each_safe(ht, bkt, tmp, o, node)
		hash_del(&o->node);
	assert_true(hash_empty(ht));
	free(objs);
}

/* ---- sleeping locks: misuse is caught ---- */

static void mutex_misuse_is_reported(void **state)
{
	struct mutex m;
	struct rw_semaphore sem;

	boot_or_fail("ram=16M");
	lockdep_expect_reports();	/* down_read after down_write: recursion */
	mutex_init(&m);
	assert_true(mutex_trylock(&m));
	assert_false(mutex_trylock(&m));
	mutex_unlock(&m);
	mutex_lock(&m);
	/* Taking it again on the same task would sleep forever. */
	EXPECT_KERNEL_STOP(mutex_lock(&m));
	boot_or_fail("ram=16M");
	mutex_init(&m);
	if (KMM_DEBUG) {
		EXPECT_KERNEL_STOP(mutex_unlock(&m));
		assert_true(dmesg_has("unlocked by a task that does not hold it"));
		boot_or_fail("ram=16M");
	}
	/* Deterministic mode: waiting for a lock nobody can release is a deadlock. */
	init_rwsem(&sem);
	down_write(&sem);
	EXPECT_KERNEL_STOP(down_read(&sem));
	assert_true(dmesg_has("deadlock"));
	boot_or_fail("ram=16M");
	init_rwsem(&sem);
	EXPECT_KERNEL_STOP(up_write(&sem));
}

static void might_sleep_warns_with_irqs_off(void **state)
{
	struct mutex m;
	unsigned long flags;

	boot_or_fail("ram=16M");
	lockdep_expect_reports();
	mutex_init(&m);
	local_irq_save(flags);
	mutex_lock(&m);
	local_irq_restore(flags);
	mutex_unlock(&m);
	assert_int_equal(dmesg_has("sleeping function called from invalid context"), KMM_DEBUG);
}

static void numbers_parse_strictly(void **state)
{
	unsigned long long v;
	long long s;
	char *end;

	assert_int_equal(memparse("64M", &end), 64ULL << 20);
	assert_int_equal(*end, '\0');
	assert_int_equal(memparse("0x1000k", &end), 0x1000ULL << 10);
	assert_int_equal(memparse("5G", &end), 5ULL << 30);
	memparse("G", &end);
	assert_string_equal(end, "G");		/* nothing parsed */
	assert_int_equal(kstrtoull("123", 10, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(kstrtoull("12x", 10, &v), -EINVAL);
	assert_int_equal(kstrtoull("99999999999999999999999", 10, &v), -ERANGE);
	assert_int_equal(kstrtoll("-42", 10, &s), 0);
	assert_int_equal(s, -42);
	assert_int_equal(kstrtoull("", 10, &v), -EINVAL);
}

static void int_sqrt_is_floor(void **state)
{
	for (unsigned long x = 0; x < 100000; x += 7) {
		unsigned long r = int_sqrt(x);

		assert_true(r * r <= x && (r + 1) * (r + 1) > x);
	}
	/* min_free_kbytes for 1 GB of lowmem: sqrt(1048576 * 16) = 4096. */
	assert_int_equal(int_sqrt(1048576UL * 16), 4096);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void sort_orders_like_qsort(void **state)
{
	int a[1000], b[1000];
	unsigned int seed = 7;

	for (int i = 0; i < 1000; i++)
		a[i] = b[i] = rand_r(&seed) % 500;
	sort(a, 1000, sizeof(int), cmp_int, NULL);
	qsort(b, 1000, sizeof(int), cmp_int);
	assert_memory_equal(a, b, sizeof(a));
}

static void printk_levels_and_continuations(void **state)
{
	char buf[512];
	u64 mark;

	boot_or_fail("ram=16M");
	log_buf_clear();
	mark = log_buf_seq();
	printk(KERN_INFO "one");
	printk(" two\n");			/* no level: continues the line */
	printk(KERN_INFO "three");
	printk(KERN_WARNING "four\n");		/* a level: ends "three" first */
	printk(KERN_CONT "five\n");		/* nothing open: a line of its own */
	printk(KERN_ERR "six\nseven\n");	/* two lines, two timestamps */
	log_buf_read_since(mark, buf, sizeof(buf));
	assert_string_equal(buf,
			    "[    0.000000] one two\n"
			    "[    0.000000] three\n"
			    "[    0.000000] four\n"
			    "[    0.000000] five\n"
			    "[    0.000000] six\n"
			    "[    0.000000] seven\n");
	kmm_advance_clock(1500000000ULL);
	printk(KERN_INFO "later\n");
	assert_true(dmesg_has("[    1.500000] later\n"));
	/* After a clear (dmesg -C), the whole of the next line is kept. */
	log_buf_clear();
	printk(KERN_ERR "first after the clear\n");
	printk(KERN_ERR "second\n");
	assert_string_equal(dmesg_text(), "[    1.500000] first after the clear\n"
					  "[    1.500000] second\n");
}

static void printk_ring_keeps_the_newest_lines(void **state)
{
	char *buf;
	size_t n;

	boot_or_fail("ram=16M");
	for (int i = 0; i < 20000; i++)
		printk(KERN_INFO "line %05d of the flood\n", i);
	n = log_buf_read(NULL, 0);
	assert_true(n <= (1 << LOG_BUF_SHIFT));
	buf = malloc(n + 1);
	log_buf_read(buf, n + 1);
	assert_non_null(strstr(buf, "line 19999 of the flood\n"));
	assert_null(strstr(buf, "line 00000 of"));
	/* The first line shown is whole: the ring cut is skipped. */
	assert_memory_equal(buf, "[", 1);
	free(buf);
}

static void fault_injection_probability_interval_times(void **state)
{
	struct fault_attr a = FAULT_ATTR_INITIALIZER("t");
	int fails = 0;

	boot_or_fail("ram=16M");
	a.verbose = 0;
	/* Disabled (probability 0): never. */
	for (int i = 0; i < 100; i++)
		fails += should_fail(&a, 1);
	assert_int_equal(fails, 0);
	/* Always, but only `times` times. */
	a.probability = 100;
	a.times = 3;
	for (int i = 0; i < 100; i++)
		fails += should_fail(&a, 1);
	assert_int_equal(fails, 3);
	/* Every 4th eligible call, unlimited. */
	fails = 0;
	a.times = -1;
	a.interval = 4;
	a.count = 0;
	for (int i = 1; i <= 20; i++) {
		bool f = should_fail(&a, 1);

		assert_int_equal(f, i % 4 == 0);
		fails += f;
	}
	assert_int_equal(fails, 5);
	/* space: the first 10 units pass. */
	a.interval = 1;
	a.space = 10;
	assert_false(should_fail(&a, 4));
	assert_false(should_fail(&a, 4));
	assert_true(should_fail(&a, 4));	/* space 2 left, 2 > 4 is false: fails */
}

static void fault_injection_fails_exactly_the_nth(void **state)
{
	struct fault_attr a = FAULT_ATTR_INITIALIZER("t");

	boot_or_fail("ram=16M");
	a.verbose = 0;
	a.nth = 5;
	for (int i = 1; i <= 10; i++)
		assert_int_equal(should_fail(&a, 1), i == 5);
	assert_int_equal(a.failures, 1);
}

static void fault_injection_task_filter(void **state)
{
	struct fault_attr a = FAULT_ATTR_INITIALIZER("t");

	boot_or_fail("ram=16M");
	a.verbose = 0;
	a.probability = 100;
	a.times = -1;
	a.task_filter = 1;
	current->make_it_fail = 0;
	assert_false(should_fail(&a, 1));
	current->make_it_fail = 1;
	assert_true(should_fail(&a, 1));
	current->make_it_fail = 0;
}

static void prng_depends_only_on_the_seed(void **state)
{
	u64 a[8], b[8];

	boot_or_fail("ram=16M seed=42");
	for (int i = 0; i < 8; i++)
		a[i] = prandom_u64();
	boot_or_fail("ram=16M seed=42");
	for (int i = 0; i < 8; i++)
		b[i] = prandom_u64();
	assert_memory_equal(a, b, sizeof(a));
	boot_or_fail("ram=16M seed=43");
	assert_true(prandom_u64() != a[0]);
	for (int i = 0; i < 1000; i++)
		assert_true(prandom_below(7) < 7);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(list_add_and_remove_keep_order),
	cmocka_unit_test(list_splice_moves_everything),
	cmocka_unit_test(rbtree_matches_reference_set),
	cmocka_unit_test(rbtree_augmented_keeps_subtree_max),
	cmocka_unit_test(bitmap_ranges_and_search),
	cmocka_unit_test(hash_spreads_aligned_keys),
	cmocka_unit_test(hashtable_matches_reference),
	cmocka_unit_test_teardown(mutex_misuse_is_reported, teardown_machine),
	cmocka_unit_test_teardown(might_sleep_warns_with_irqs_off, teardown_machine),
	cmocka_unit_test(numbers_parse_strictly),
	cmocka_unit_test(int_sqrt_is_floor),
	cmocka_unit_test(sort_orders_like_qsort),
	cmocka_unit_test_teardown(printk_levels_and_continuations, teardown_machine),
	cmocka_unit_test_teardown(printk_ring_keeps_the_newest_lines, teardown_machine),
	cmocka_unit_test_teardown(fault_injection_probability_interval_times, teardown_machine),
	cmocka_unit_test_teardown(fault_injection_fails_exactly_the_nth, teardown_machine),
	cmocka_unit_test_teardown(fault_injection_task_filter, teardown_machine),
	cmocka_unit_test_teardown(prng_depends_only_on_the_seed, teardown_machine),
};

KMM_TEST_MAIN(tests)
