/*
 * rbtree.h - red-black trees, with optional augmentation.
 *
 * The tree is intrusive: an rb_node is embedded in the user's structure and
 * the user does the search and the linking (rb_link_node), then asks the
 * tree to rebalance (rb_insert_color).  Color lives in the low bit of the
 * parent pointer.
 *
 * Augmented trees keep, in every node, a value computed from the node and
 * its two subtrees (vmalloc and the VMA tree keep "largest free gap in this
 * subtree").  The user supplies three callbacks:
 *   propagate(node, stop): recompute the value of node and its ancestors,
 *                          up to (not including) stop, or to the root;
 *   copy(old, new):        new takes old's value (new replaces old);
 *   rotate(old, new):      new became the parent of old in a rotation:
 *                          new takes old's value, old is recomputed.
 */
#ifndef KMM_RBTREE_H
#define KMM_RBTREE_H

#include <kmm/kernel.h>

struct rb_node {
	unsigned long __rb_parent_color;	/* parent pointer | color bit */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __aligned(sizeof(long));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_RED		0
#define RB_BLACK	1
#define RB_ROOT		(struct rb_root) { NULL, }
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) \
	({ __typeof__(ptr) ____p = (ptr); ____p ? rb_entry(____p, type, member) : NULL; })

#define rb_parent(r)	((struct rb_node *)((r)->__rb_parent_color & ~3UL))
#define rb_color(r)	((r)->__rb_parent_color & 1)
#define rb_is_red(r)	(!rb_color(r))
#define rb_is_black(r)	rb_color(r)

#define RB_EMPTY_ROOT(root)	((root)->rb_node == NULL)
/* A node that is not in any tree points at itself. */
#define RB_EMPTY_NODE(node)	((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node)	((node)->__rb_parent_color = (unsigned long)(node))

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

/* Link @node as a child at *@link of @parent; then call rb_insert_color(). */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->__rb_parent_color = (unsigned long)parent;	/* red */
	node->rb_left = node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);

/*
 * Augmented versions.  The node's own value need not be computed by the
 * caller: rb_insert_augmented() propagates from the new node to the root.
 */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *cb);
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *cb);

/* Put @new in @victim's place, without rebalancing; keys must compare equal. */
void rb_replace_node(struct rb_node *victim, struct rb_node *new, struct rb_root *root);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

#endif /* KMM_RBTREE_H */
