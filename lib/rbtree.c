/*
 * rbtree.c - red-black tree rebalancing, plain and augmented.
 *
 * Invariants (checked by tests/lib/test_rbtree.c after every operation):
 *   1. every node is red or black, the root is black;
 *   2. a red node has no red child;
 *   3. every path from a node down to a NULL link has the same number of
 *      black nodes.
 * Together they bound the height by 2*log2(n+1), so search, insertion and
 * erasure are O(log n).  Insertion repairs a red-red violation by
 * recolouring upward (red uncle) or by at most two rotations (black uncle).
 * Erasure of a black node leaves one path a black short ("double black");
 * the fixup walks up recolouring or rotates at most three times.
 *
 * Augmentation: a rotation changes the subtrees of exactly two nodes, so
 * the rotate callback repairs the value of both; a structural change
 * (linking or unlinking) is repaired by propagating to the root.
 */
#include <kmm/rbtree.h>

static inline void rb_set_parent(struct rb_node *rb, struct rb_node *p)
{
	rb->__rb_parent_color = rb_color(rb) | (unsigned long)p;
}

static inline void rb_set_parent_color(struct rb_node *rb, struct rb_node *p, int color)
{
	rb->__rb_parent_color = (unsigned long)p | (unsigned long)color;
}

static inline void rb_set_black(struct rb_node *rb)
{
	rb->__rb_parent_color |= RB_BLACK;
}

static inline void rb_set_red(struct rb_node *rb)
{
	rb->__rb_parent_color &= ~1UL;
}

/* Make @new the child of @parent that @old was (or the root). */
static inline void rb_change_child(struct rb_node *old, struct rb_node *new,
				   struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/*
 *      x                y
 *     / \              / \
 *    a   y    ==>     x   c
 *       / \          / \
 *      b   c        a   b
 */
static void rotate_left(struct rb_node *x, struct rb_root *root,
			const struct rb_augment_callbacks *cb)
{
	struct rb_node *y = x->rb_right;
	struct rb_node *parent = rb_parent(x);

	x->rb_right = y->rb_left;
	if (y->rb_left)
		rb_set_parent(y->rb_left, x);
	y->rb_left = x;
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	rb_set_parent(x, y);
	if (cb)
		cb->rotate(x, y);
}

/* The mirror image of rotate_left(). */
static void rotate_right(struct rb_node *x, struct rb_root *root,
			 const struct rb_augment_callbacks *cb)
{
	struct rb_node *y = x->rb_left;
	struct rb_node *parent = rb_parent(x);

	x->rb_left = y->rb_right;
	if (y->rb_right)
		rb_set_parent(y->rb_right, x);
	y->rb_right = x;
	rb_set_parent(y, parent);
	rb_change_child(x, y, parent, root);
	rb_set_parent(x, y);
	if (cb)
		cb->rotate(x, y);
}

static void insert_fixup(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *cb)
{
	struct rb_node *parent, *gparent, *uncle;

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		/* A red parent is never the root, so the grandparent exists. */
		gparent = rb_parent(parent);
		if (parent == gparent->rb_left) {
			uncle = gparent->rb_right;
			if (uncle && rb_is_red(uncle)) {
				rb_set_black(uncle);
				rb_set_black(parent);
				rb_set_red(gparent);
				node = gparent;
				continue;
			}
			if (parent->rb_right == node) {
				rotate_left(parent, root, cb);
				swap(node, parent);
			}
			rb_set_black(parent);
			rb_set_red(gparent);
			rotate_right(gparent, root, cb);
		} else {
			uncle = gparent->rb_left;
			if (uncle && rb_is_red(uncle)) {
				rb_set_black(uncle);
				rb_set_black(parent);
				rb_set_red(gparent);
				node = gparent;
				continue;
			}
			if (parent->rb_left == node) {
				rotate_right(parent, root, cb);
				swap(node, parent);
			}
			rb_set_black(parent);
			rb_set_red(gparent);
			rotate_left(gparent, root, cb);
		}
	}
	rb_set_black(root->rb_node);
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	insert_fixup(node, root, NULL);
}

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *cb)
{
	cb->propagate(node, NULL);
	insert_fixup(node, root, cb);
}

/*
 * @node is a (possibly NULL) child of @parent whose path is one black short.
 * Restore invariant 3 by recolouring and rotating around its sibling.
 */
static void erase_fixup(struct rb_node *node, struct rb_node *parent, struct rb_root *root,
			const struct rb_augment_callbacks *cb)
{
	struct rb_node *sibling;

	while ((!node || rb_is_black(node)) && node != root->rb_node) {
		if (parent->rb_left == node) {
			sibling = parent->rb_right;
			if (rb_is_red(sibling)) {
				rb_set_black(sibling);
				rb_set_red(parent);
				rotate_left(parent, root, cb);
				sibling = parent->rb_right;
			}
			if ((!sibling->rb_left || rb_is_black(sibling->rb_left)) &&
			    (!sibling->rb_right || rb_is_black(sibling->rb_right))) {
				rb_set_red(sibling);
				node = parent;
				parent = rb_parent(node);
				continue;
			}
			if (!sibling->rb_right || rb_is_black(sibling->rb_right)) {
				rb_set_black(sibling->rb_left);
				rb_set_red(sibling);
				rotate_right(sibling, root, cb);
				sibling = parent->rb_right;
			}
			rb_set_parent_color(sibling, rb_parent(sibling), rb_color(parent));
			rb_set_black(parent);
			rb_set_black(sibling->rb_right);
			rotate_left(parent, root, cb);
			node = root->rb_node;
			break;
		} else {
			sibling = parent->rb_left;
			if (rb_is_red(sibling)) {
				rb_set_black(sibling);
				rb_set_red(parent);
				rotate_right(parent, root, cb);
				sibling = parent->rb_left;
			}
			if ((!sibling->rb_left || rb_is_black(sibling->rb_left)) &&
			    (!sibling->rb_right || rb_is_black(sibling->rb_right))) {
				rb_set_red(sibling);
				node = parent;
				parent = rb_parent(node);
				continue;
			}
			if (!sibling->rb_left || rb_is_black(sibling->rb_left)) {
				rb_set_black(sibling->rb_right);
				rb_set_red(sibling);
				rotate_left(sibling, root, cb);
				sibling = parent->rb_left;
			}
			rb_set_parent_color(sibling, rb_parent(sibling), rb_color(parent));
			rb_set_black(parent);
			rb_set_black(sibling->rb_left);
			rotate_right(parent, root, cb);
			node = root->rb_node;
			break;
		}
	}
	if (node)
		rb_set_black(node);
}

static void do_erase(struct rb_node *node, struct rb_root *root,
		     const struct rb_augment_callbacks *cb)
{
	struct rb_node *child, *parent, *lowest;
	int color;

	if (node->rb_left && node->rb_right) {
		/* Two children: the in-order successor takes node's place. */
		struct rb_node *succ = node->rb_right;

		while (succ->rb_left)
			succ = succ->rb_left;
		child = succ->rb_right;
		parent = rb_parent(succ);
		color = rb_color(succ);

		if (parent == node) {
			parent = succ;
		} else {
			if (child)
				rb_set_parent(child, parent);
			parent->rb_left = child;
			succ->rb_right = node->rb_right;
			rb_set_parent(node->rb_right, succ);
		}
		succ->rb_left = node->rb_left;
		rb_set_parent(node->rb_left, succ);
		rb_change_child(node, succ, rb_parent(node), root);
		succ->__rb_parent_color = node->__rb_parent_color;
		lowest = parent;
	} else {
		child = node->rb_left ? node->rb_left : node->rb_right;
		parent = rb_parent(node);
		color = rb_color(node);
		if (child)
			rb_set_parent(child, parent);
		rb_change_child(node, child, parent, root);
		lowest = parent;
	}
	if (cb && lowest)
		cb->propagate(lowest, NULL);
	if (color == RB_BLACK)
		erase_fixup(child, parent, root, cb);
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	do_erase(node, root, NULL);
}

void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *cb)
{
	do_erase(node, root, cb);
}

void rb_replace_node(struct rb_node *victim, struct rb_node *new, struct rb_root *root)
{
	struct rb_node *parent = rb_parent(victim);

	*new = *victim;
	if (victim->rb_left)
		rb_set_parent(victim->rb_left, new);
	if (victim->rb_right)
		rb_set_parent(victim->rb_right, new);
	rb_change_child(victim, new, parent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_right)
		n = n->rb_right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return parent;
}
