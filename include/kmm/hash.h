/*
 * hash.h - multiplicative hashing of integers and pointers into 2^bits
 * buckets, and fixed-size hash tables of hlist buckets.
 *
 *   static DEFINE_HASHTABLE(objs, 6);             64 buckets
 *   hash_add(objs, &o->node, o->key);
 *   hash_for_each_possible(objs, o, node, key)
 *           if (o->key == key) ...
 *
 * The hash multiplies by the odd integer nearest 2^64 / phi and keeps the
 * top bits, where the product mixes every input bit (Knuth, TAOCP vol. 3,
 * 6.4); keys that differ only in high bits, such as page-aligned
 * addresses, still spread over the buckets.  2.6.34 multiplied by a sparse
 * "prime" (0x9e37fffffffc0001) that is cheap to compute with shifts but
 * sends page-aligned keys to two buckets of 64 — Linux 4.7 changed to this
 * constant, and so does kmm (tests/unit/test_lib.c measures the spread).
 */
#ifndef KMM_HASH_H
#define KMM_HASH_H

#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/types.h>

#define GOLDEN_RATIO_64		0x61c8864680b583ebULL

static inline u64 hash_64(u64 val, unsigned int bits)
{
	return bits ? (val * GOLDEN_RATIO_64) >> (64 - bits) : 0;
}

static inline unsigned long hash_long(unsigned long val, unsigned int bits)
{
	return hash_64(val, bits);
}

static inline unsigned long hash_ptr(const void *ptr, unsigned int bits)
{
	return hash_long((unsigned long)ptr, bits);
}

#define DEFINE_HASHTABLE(name, bits)						\
	struct hlist_head name[1 << (bits)] __state_zero
#define DECLARE_HASHTABLE(name, bits)	struct hlist_head name[1 << (bits)]

#define HASH_SIZE(name)		(sizeof(name) / sizeof((name)[0]))
#define HASH_BITS(name)		ilog2_const(HASH_SIZE(name))

static inline unsigned int ilog2_const(unsigned long n)
{
	return n > 1 ? 63 - __builtin_clzl(n) : 0;
}

static inline void __hash_init(struct hlist_head *ht, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		INIT_HLIST_HEAD(&ht[i]);
}
#define hash_init(ht)		__hash_init(ht, HASH_SIZE(ht))

#define hash_add(ht, node, key)							\
	hlist_add_head(node, &(ht)[hash_long((unsigned long)(key), HASH_BITS(ht))])

static inline void hash_del(struct hlist_node *node)
{
	hlist_del_init(node);
}

static inline bool hash_hashed(struct hlist_node *node)
{
	return !hlist_unhashed(node);
}

static inline bool __hash_empty(struct hlist_head *ht, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		if (!hlist_empty(&ht[i]))
			return false;
	return true;
}
#define hash_empty(ht)		__hash_empty(ht, HASH_SIZE(ht))

/* Every object whose key hashes to @key's bucket (compare the keys). */
#define hash_for_each_possible(ht, obj, member, key)				\
	hlist_for_each_entry(obj, &(ht)[hash_long((unsigned long)(key), HASH_BITS(ht))], member)

/* Every object in the table; @bkt is the bucket index. */
#define hash_for_each(ht, bkt, obj, member)					\
	for ((bkt) = 0; (bkt) < HASH_SIZE(ht); (bkt)++)				\
		hlist_for_each_entry(obj, &(ht)[bkt], member)

#define hash_for_each_safe(ht, bkt, tmp, obj, member)				\
	for ((bkt) = 0; (bkt) < HASH_SIZE(ht); (bkt)++)				\
		hlist_for_each_entry_safe(obj, tmp, &(ht)[bkt], member)

#endif /* KMM_HASH_H */
