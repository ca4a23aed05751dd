/*
 * radix-tree.h - a radix tree of pointers indexed by unsigned long, with
 * per-item tags (2.6.34's lib/radix-tree.c interface): the page cache's
 * index from a file offset to its page.
 *
 * A tree of height h has nodes of RADIX_TREE_MAP_SIZE (64) slots on each of
 * h levels and holds indices below 64^h; a tree of height 0 holds at most
 * index 0, stored in the root itself.  Each node keeps, per tag, a bitmap
 * of the slots under which some item has the tag, so that "is anything
 * dirty?" and a tagged gang lookup skip untagged subtrees.
 *
 * Invariants (checked by radix_tree_check):
 *   node->count == number of non-NULL slots of node
 *   a tag bit of a slot is set  <=>  some item below that slot has the tag
 *   no node is empty (a delete frees every node it leaves empty, and the
 *   tree shrinks while its root node has only slot 0 in use)
 *
 * Nodes come from an allocator the layer above gives (radix_tree_init):
 * lib/ has none of its own, with the root's gfp_mask.  Callers serialise
 * changes (the page cache's tree_lock); lookups under the same lock.  A
 * root changed under a spinlock must have a mask that cannot sleep (the
 * page cache's is GFP_NOWAIT): kmm has no radix_tree_preload.
 */
#ifndef KMM_RADIX_TREE_H
#define KMM_RADIX_TREE_H

#include <kmm/bitops.h>
#include <kmm/types.h>

#define RADIX_TREE_MAP_SHIFT	6
#define RADIX_TREE_MAP_SIZE	(1UL << RADIX_TREE_MAP_SHIFT)
#define RADIX_TREE_MAP_MASK	(RADIX_TREE_MAP_SIZE - 1)
#define RADIX_TREE_MAX_TAGS	2
#define RADIX_TREE_TAG_LONGS	((RADIX_TREE_MAP_SIZE + BITS_PER_LONG - 1) / BITS_PER_LONG)

struct radix_tree_node {
	unsigned int height;		/* 1: its slots hold items */
	unsigned int count;		/* non-NULL slots */
	void *rcu_head[2];		/* unused (kmm frees at once), kept for Linux's size */
	void *slots[RADIX_TREE_MAP_SIZE];
	unsigned long tags[RADIX_TREE_MAX_TAGS][RADIX_TREE_TAG_LONGS];
};

struct radix_tree_root {
	unsigned int height;		/* 0: empty, or only index 0 (in rnode itself) */
	gfp_t gfp_mask;			/* for its node allocations */
	unsigned int root_tags;		/* height 0: the tags of the item at index 0 */
	void *rnode;			/* the top node, or the item at index 0 when height == 0 */
};

#define RADIX_TREE_INIT(mask)	{ .height = 0, .gfp_mask = (mask), .rnode = NULL }
#define INIT_RADIX_TREE(root, mask)			\
	do {						\
		(root)->height = 0;			\
		(root)->gfp_mask = (mask);		\
		(root)->root_tags = 0;			\
		(root)->rnode = NULL;			\
	} while (0)

/*
 * Where nodes come from: @alloc returns a zeroed node or NULL, @free gives
 * one back.  Called once at boot by mm (its radix_tree_node cache).
 */
void radix_tree_init(struct radix_tree_node *(*alloc)(gfp_t gfp),
		     void (*free)(struct radix_tree_node *node));

/* 0, -EEXIST (an item is there: nothing changed) or -ENOMEM (nothing changed). */
int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item);
void *radix_tree_lookup(struct radix_tree_root *root, unsigned long index);
/* Remove the item at @index and its tags; it is returned (NULL: there was none). */
void *radix_tree_delete(struct radix_tree_root *root, unsigned long index);
/* Up to @max items at indices >= @first, in index order, into @results; how many. */
unsigned int radix_tree_gang_lookup(struct radix_tree_root *root, void **results,
				    unsigned long first, unsigned int max);
unsigned int radix_tree_gang_lookup_tag(struct radix_tree_root *root, void **results,
					unsigned long first, unsigned int max, unsigned int tag);
/* Tag the item at @index (which must exist); it is returned. */
void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag);
void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag);
int radix_tree_tag_get(struct radix_tree_root *root, unsigned long index, unsigned int tag);
/* Has any item the tag? */
int radix_tree_tagged(struct radix_tree_root *root, unsigned int tag);
/*
 * The first index in [@index, @index + @max_scan) with no item (readahead's
 * probe), or @index + @max_scan when all are present; prev_hole looks
 * down from @index instead (and returns @index - @max_scan if none).
 */
unsigned long radix_tree_next_hole(struct radix_tree_root *root, unsigned long index,
				   unsigned long max_scan);
unsigned long radix_tree_prev_hole(struct radix_tree_root *root, unsigned long index,
				   unsigned long max_scan);
/*
 * Verify the invariants above; returns the number of items, or -1 after
 * reporting the first broken one through @report.
 */
long radix_tree_check(struct radix_tree_root *root,
		      void (*report)(const char *what, unsigned long index));

#endif /* KMM_RADIX_TREE_H */
