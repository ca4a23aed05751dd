/*
 * radix-tree.c - the radix tree of include/kmm/radix-tree.h (2.6.34's
 * lib/radix-tree.c, written anew): the page cache's offset -> page index.
 *
 * Index bits are consumed six at a time from the top: a tree of height h
 * has h levels of 64-slot nodes and holds indices below 64^h.  Inserting
 * an index above that grows the tree at the top (the old root becomes
 * slot 0 of a new root, its tags carried up); deleting the last item
 * under a node frees the node, and the tree shrinks back while its root
 * has only slot 0.  A tree holding only index 0 keeps the item in the
 * root itself, with no node, as Linux does (height 0).
 *
 * Tags propagate upwards: a node's tag bit for a slot is set exactly when
 * some item below that slot is tagged.  Setting walks down setting bits;
 * clearing walks back up clearing them while a node has no tagged slot
 * left.  radix_tree_check proves the three invariants of the header.
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/radix-tree.h>
#include <kmm/string.h>

#define MAX_HEIGHT	((BITS_PER_LONG + RADIX_TREE_MAP_SHIFT - 1) / RADIX_TREE_MAP_SHIFT)

static struct radix_tree_node *(*node_alloc)(gfp_t gfp) __state_zero;
static void (*node_free)(struct radix_tree_node *node) __state_zero;

void radix_tree_init(struct radix_tree_node *(*alloc)(gfp_t gfp),
		     void (*free)(struct radix_tree_node *node))
{
	node_alloc = alloc;
	node_free = free;
}

/* The largest index a tree of @height holds. */
static unsigned long height_to_maxindex(unsigned int height)
{
	if (height == 0)
		return 0;
	if (height >= MAX_HEIGHT)
		return ~0UL;
	return (1UL << (height * RADIX_TREE_MAP_SHIFT)) - 1;
}

static unsigned int slot_offset(unsigned long index, unsigned int height)
{
	return (index >> ((height - 1) * RADIX_TREE_MAP_SHIFT)) & RADIX_TREE_MAP_MASK;
}

static bool tag_test(const struct radix_tree_node *node, unsigned int tag, unsigned int off)
{
	return node->tags[tag][off / BITS_PER_LONG] & (1UL << (off % BITS_PER_LONG));
}

static void tag_assign(struct radix_tree_node *node, unsigned int tag, unsigned int off, bool on)
{
	unsigned long bit = 1UL << (off % BITS_PER_LONG);

	if (on)
		node->tags[tag][off / BITS_PER_LONG] |= bit;
	else
		node->tags[tag][off / BITS_PER_LONG] &= ~bit;
}

static bool any_tag(const struct radix_tree_node *node, unsigned int tag)
{
	for (unsigned int i = 0; i < RADIX_TREE_TAG_LONGS; i++)
		if (node->tags[tag][i])
			return true;
	return false;
}

/*
 * Shrink from the top while the root node has only slot 0 in use: that
 * slot's subtree (or, at height 1, its item) becomes the root, its tags
 * the root's.  An empty tree returns to height 0.
 */
static void radix_tree_shrink(struct radix_tree_root *root)
{
	while (root->height > 0) {
		struct radix_tree_node *top = root->rnode;

		if (!top) {
			root->height = 0;
			return;
		}
		if (top->count != 1 || !top->slots[0])
			return;
		if (root->height == 1) {
			root->root_tags = 0;
			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				if (tag_test(top, t, 0))
					root->root_tags |= 1U << t;
		}
		root->rnode = top->slots[0];
		root->height--;
		node_free(top);
	}
}

/*
 * Grow at the top until @index fits.  An empty tree only changes its
 * height.  Each new root takes the old one as slot 0, with slot 0's tags
 * set where the old root had any.  On -ENOMEM the tree is as it was.
 */
static int radix_tree_extend(struct radix_tree_root *root, unsigned long index)
{
	unsigned int height = root->height;

	while (index > height_to_maxindex(height))
		height++;
	if (!root->rnode) {
		root->height = height;
		return 0;
	}
	while (root->height < height) {
		struct radix_tree_node *node = node_alloc(root->gfp_mask);

		if (!node) {
			radix_tree_shrink(root);
			return -ENOMEM;
		}
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++) {
			bool tagged = root->height ? any_tag(root->rnode, t)
						   : (root->root_tags >> t) & 1;

			tag_assign(node, t, 0, tagged);
		}
		root->root_tags = 0;
		node->slots[0] = root->rnode;
		node->count = 1;
		node->height = root->height + 1;
		root->rnode = node;
		root->height++;
	}
	return 0;
}

/* A path from the root down to @index: the node and the slot taken at each level. */
struct radix_path {
	struct radix_tree_node *node;
	unsigned int offset;
};

/*
 * Free the nodes of @index's path that are empty, from the bottom up:
 * an emptied node leaves its parent one slot fewer.  Then shrink.
 */
static void prune_path(struct radix_tree_root *root, struct radix_path *path, int depth)
{
	for (int i = depth - 1; i >= 0; i--) {
		struct radix_tree_node *node = path[i].node;

		if (node->count)
			break;
		if (i > 0) {
			path[i - 1].node->slots[path[i - 1].offset] = NULL;
			path[i - 1].node->count--;
			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				tag_assign(path[i - 1].node, t, path[i - 1].offset, false);
		} else {
			root->rnode = NULL;
		}
		node_free(node);
	}
	radix_tree_shrink(root);
}

int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item)
{
	struct radix_path path[MAX_HEIGHT];
	void **slot = &root->rnode;
	int depth = 0, err;

	BUG_ON(!item);
	err = radix_tree_extend(root, index);
	if (err)
		return err;
	for (unsigned int h = root->height; h > 0; h--) {
		struct radix_tree_node *node = *slot;

		if (!node) {
			node = node_alloc(root->gfp_mask);
			if (!node) {
				prune_path(root, path, depth);
				return -ENOMEM;
			}
			node->height = h;
			*slot = node;
			if (depth)
				path[depth - 1].node->count++;
		}
		path[depth].node = node;
		path[depth].offset = slot_offset(index, h);
		slot = &node->slots[path[depth].offset];
		depth++;
	}
	if (*slot)
		return -EEXIST;
	*slot = item;
	if (depth)
		path[depth - 1].node->count++;
	else
		root->root_tags = 0;
	return 0;
}

/* The slot holding @index's item (NULL when the tree cannot hold it), and the path to it. */
static void **lookup_slot(struct radix_tree_root *root, unsigned long index,
			  struct radix_path *path, int *depth)
{
	void **slot = &root->rnode;
	int d = 0;

	if (index > height_to_maxindex(root->height))
		return NULL;
	for (unsigned int h = root->height; h > 0; h--) {
		struct radix_tree_node *node = *slot;

		if (!node)
			return NULL;
		if (path) {
			path[d].node = node;
			path[d].offset = slot_offset(index, h);
		}
		d++;
		slot = &node->slots[slot_offset(index, h)];
	}
	if (depth)
		*depth = d;
	return slot;
}

void *radix_tree_lookup(struct radix_tree_root *root, unsigned long index)
{
	void **slot = lookup_slot(root, index, NULL, NULL);

	return slot ? *slot : NULL;
}

void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_path path[MAX_HEIGHT];
	int depth;
	void **slot = lookup_slot(root, index, path, &depth);

	BUG_ON(!slot || !*slot);
	for (int i = 0; i < depth; i++)
		tag_assign(path[i].node, tag, path[i].offset, true);
	if (!depth)
		root->root_tags |= 1U << tag;
	return *slot;
}

/* Clear @tag along @path from the bottom, while a node is left with no slot tagged. */
static void clear_tag_up(struct radix_tree_root *root, struct radix_path *path, int depth,
			 unsigned int tag)
{
	if (!depth) {
		root->root_tags &= ~(1U << tag);
		return;
	}
	for (int i = depth - 1; i >= 0; i--) {
		tag_assign(path[i].node, tag, path[i].offset, false);
		if (any_tag(path[i].node, tag))
			break;
	}
}

void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_path path[MAX_HEIGHT];
	int depth;
	void **slot = lookup_slot(root, index, path, &depth);

	if (!slot || !*slot)
		return NULL;
	clear_tag_up(root, path, depth, tag);
	return *slot;
}

int radix_tree_tag_get(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_path path[MAX_HEIGHT];
	int depth;
	void **slot = lookup_slot(root, index, path, &depth);

	if (!slot || !*slot)
		return 0;
	if (!depth)
		return (root->root_tags >> tag) & 1;
	return tag_test(path[depth - 1].node, tag, path[depth - 1].offset);
}

int radix_tree_tagged(struct radix_tree_root *root, unsigned int tag)
{
	if (!root->rnode)
		return 0;
	if (!root->height)
		return (root->root_tags >> tag) & 1;
	return any_tag(root->rnode, tag);
}

void *radix_tree_delete(struct radix_tree_root *root, unsigned long index)
{
	struct radix_path path[MAX_HEIGHT];
	int depth;
	void **slot = lookup_slot(root, index, path, &depth);
	void *item;

	if (!slot || !*slot)
		return NULL;
	item = *slot;
	for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
		clear_tag_up(root, path, depth, t);
	*slot = NULL;
	if (!depth) {
		root->root_tags = 0;
		return item;
	}
	path[depth - 1].node->count--;
	prune_path(root, path, depth);
	return item;
}

/*
 * In-order walk of the subtree @node (of @height, covering indices from
 * @base), collecting items at indices >= @first; @tag < 0 takes every
 * item, else only tagged ones, skipping slots whose tag bit is clear.
 */
static unsigned int gang_walk(struct radix_tree_node *node, unsigned int height,
			      unsigned long base, unsigned long first, void **results,
			      unsigned int max, unsigned int n, int tag)
{
	unsigned int shift = (height - 1) * RADIX_TREE_MAP_SHIFT;
	unsigned long span = height_to_maxindex(height - 1) + 1;	/* indices per slot */

	for (unsigned int off = 0; off < RADIX_TREE_MAP_SIZE && n < max; off++) {
		unsigned long start = base + ((unsigned long)off << shift);

		if (!node->slots[off])
			continue;
		if (height > 1 && start + (span - 1) < first)
			continue;
		if (height == 1 && start < first)
			continue;
		if (tag >= 0 && !tag_test(node, (unsigned int)tag, off))
			continue;
		if (height == 1)
			results[n++] = node->slots[off];
		else
			n = gang_walk(node->slots[off], height - 1, start, first, results, max, n,
				      tag);
	}
	return n;
}

static unsigned int gang_lookup(struct radix_tree_root *root, void **results,
				unsigned long first, unsigned int max, int tag)
{
	if (!root->rnode || !max)
		return 0;
	if (!root->height) {
		if (first || (tag >= 0 && !((root->root_tags >> tag) & 1)))
			return 0;
		results[0] = root->rnode;
		return 1;
	}
	return gang_walk(root->rnode, root->height, 0, first, results, max, 0, tag);
}

unsigned int radix_tree_gang_lookup(struct radix_tree_root *root, void **results,
				    unsigned long first, unsigned int max)
{
	return gang_lookup(root, results, first, max, -1);
}

unsigned int radix_tree_gang_lookup_tag(struct radix_tree_root *root, void **results,
					unsigned long first, unsigned int max, unsigned int tag)
{
	return gang_lookup(root, results, first, max, (int)tag);
}

unsigned long radix_tree_next_hole(struct radix_tree_root *root, unsigned long index,
				   unsigned long max_scan)
{
	for (unsigned long i = 0; i < max_scan; i++) {
		if (!radix_tree_lookup(root, index))
			break;
		index++;
		if (index == 0)
			break;
	}
	return index;
}

unsigned long radix_tree_prev_hole(struct radix_tree_root *root, unsigned long index,
				   unsigned long max_scan)
{
	for (unsigned long i = 0; i < max_scan; i++) {
		if (!radix_tree_lookup(root, index))
			break;
		index--;
		if (index == ~0UL)
			break;
	}
	return index;
}

/* ---- the whole-structure check ---- */

static long check_node(struct radix_tree_node *node, unsigned int height, unsigned long base,
		       void (*report)(const char *what, unsigned long index))
{
	unsigned int shift = (height - 1) * RADIX_TREE_MAP_SHIFT;
	unsigned int count = 0;
	long items = 0;

	if (node->height != height)
		return report("node height wrong", base), -1;
	for (unsigned int off = 0; off < RADIX_TREE_MAP_SIZE; off++) {
		unsigned long start = base + ((unsigned long)off << shift);
		void *slot = node->slots[off];

		if (!slot) {
			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				if (tag_test(node, t, off))
					return report("tag set on an empty slot", start), -1;
			continue;
		}
		count++;
		if (height == 1) {
			items++;
			continue;
		}
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
			if (tag_test(node, t, off) != any_tag(slot, t))
				return report("tag bit disagrees with the subtree below it", start), -1;
		long below = check_node(slot, height - 1, start, report);

		if (below < 0)
			return -1;
		items += below;
	}
	if (count != node->count)
		return report("node count disagrees with its slots", base), -1;
	if (!count)
		return report("empty node left in the tree", base), -1;
	return items;
}

long radix_tree_check(struct radix_tree_root *root,
		      void (*report)(const char *what, unsigned long index))
{
	if (!root->rnode)
		return root->height ? (report("empty tree with a height", 0), -1) : 0;
	if (!root->height)
		return 1;
	return check_node(root->rnode, root->height, 0, report);
}
