/*
 * test_radix_tree.c - lib/radix-tree.c on its own (nodes from calloc):
 * the tree grows at the top for large indices and shrinks back as items
 * go, a tree of index 0 alone has no node, tags propagate up and clear
 * back down, gang lookups come in index order, holes are found, and a
 * failed allocation leaves the tree as it was.  radix_tree_check after
 * every step.
 */
#include <stdlib.h>

#include <kmm/errno.h>
#include <kmm/radix-tree.h>
#include "tests/harness.h"

static int live_nodes, fail_after = -1;

static struct radix_tree_node *node_get(gfp_t gfp)
{
	(void)gfp;
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	live_nodes++;
	return calloc(1, sizeof(struct radix_tree_node));
}

static void node_release(struct radix_tree_node *node)
{
	live_nodes--;
	free(node);
}

static void report(const char *what, unsigned long index)
{
	fail_msg("radix_tree_check: %s at %lu", what, index);
}

#define ITEM(i)	((void *)(((unsigned long)(i) << 2) | 2))

static void grows_and_shrinks(void **state)
{
	struct radix_tree_root root = RADIX_TREE_INIT(0);

	(void)state;
	radix_tree_init(node_get, node_release);
	/* Index 0 alone: in the root, no node. */
	assert_int_equal(radix_tree_insert(&root, 0, ITEM(0)), 0);
	assert_int_equal(root.height, 0);
	assert_int_equal(live_nodes, 0);
	assert_int_equal(radix_tree_insert(&root, 0, ITEM(0)), -EEXIST);
	/* Index 63 fits a height-1 tree: one node, index 0 moved into its slot 0. */
	assert_int_equal(radix_tree_insert(&root, 63, ITEM(63)), 0);
	assert_int_equal(root.height, 1);
	assert_int_equal(live_nodes, 1);
	/* Index 4096 = 64^2 needs height 3: two more levels at the top, and its own path (2 nodes). */
	assert_int_equal(radix_tree_insert(&root, 4096, ITEM(4096)), 0);
	assert_int_equal(root.height, 3);
	assert_int_equal(live_nodes, 5);
	assert_int_equal(radix_tree_check(&root, report), 3);
	assert_ptr_equal(radix_tree_lookup(&root, 63), ITEM(63));
	assert_null(radix_tree_lookup(&root, 64));
	/* Deleting 4096 frees its path, and the tree shrinks to height 1. */
	assert_ptr_equal(radix_tree_delete(&root, 4096), ITEM(4096));
	assert_int_equal(root.height, 1);
	assert_int_equal(live_nodes, 1);
	assert_ptr_equal(radix_tree_delete(&root, 63), ITEM(63));
	assert_int_equal(root.height, 0);
	assert_int_equal(live_nodes, 0);
	assert_ptr_equal(radix_tree_lookup(&root, 0), ITEM(0));
	assert_ptr_equal(radix_tree_delete(&root, 0), ITEM(0));
	assert_null(root.rnode);
	assert_int_equal(radix_tree_check(&root, report), 0);
}

static void tags_gang_and_holes(void **state)
{
	struct radix_tree_root root = RADIX_TREE_INIT(0);
	void *got[8];

	(void)state;
	radix_tree_init(node_get, node_release);
	for (unsigned long i = 10; i < 20; i++)
		assert_int_equal(radix_tree_insert(&root, i, ITEM(i)), 0);
	assert_int_equal(radix_tree_insert(&root, 1000, ITEM(1000)), 0);
	radix_tree_tag_set(&root, 12, 0);
	radix_tree_tag_set(&root, 1000, 0);
	assert_true(radix_tree_tagged(&root, 0));
	assert_false(radix_tree_tagged(&root, 1));
	assert_int_equal(radix_tree_gang_lookup_tag(&root, got, 0, 8, 0), 2);
	assert_ptr_equal(got[0], ITEM(12));
	assert_ptr_equal(got[1], ITEM(1000));
	assert_int_equal(radix_tree_check(&root, report), 11);
	radix_tree_tag_clear(&root, 12, 0);
	radix_tree_delete(&root, 1000);		/* its tag goes with it */
	assert_false(radix_tree_tagged(&root, 0));
	assert_int_equal(radix_tree_gang_lookup(&root, got, 15, 8), 5);
	assert_ptr_equal(got[0], ITEM(15));
	assert_int_equal(radix_tree_next_hole(&root, 10, 100), 20);
	assert_int_equal(radix_tree_prev_hole(&root, 19, 100), 9);
	assert_int_equal(radix_tree_check(&root, report), 10);
	/* No memory for the path of 70000: the tree as it was, no node left over. */
	fail_after = 1;
	assert_int_equal(radix_tree_insert(&root, 70000, ITEM(70000)), -ENOMEM);
	fail_after = -1;
	assert_int_equal(root.height, 1);
	assert_int_equal(live_nodes, 1);
	assert_int_equal(radix_tree_check(&root, report), 10);
	for (unsigned long i = 10; i < 20; i++)
		radix_tree_delete(&root, i);
	assert_int_equal(live_nodes, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grows_and_shrinks),
		cmocka_unit_test(tags_gang_and_holes),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
