/*
 * types.h - the kernel's basic types.
 *
 * kmm runs on a 64-bit host; "unsigned long" is 64 bits whatever the
 * simulated architecture.  Where the simulated architecture's width matters
 * (addresses shown to the user, structure sizes used in geometry), the
 * arch layer says so explicitly (see arch/x86/layout.h).
 */
#ifndef KMM_TYPES_H
#define KMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef u64 phys_addr_t;	/* offset into simulated RAM */
typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;	/* allocation flags, see gfp.h */
typedef long ssize_t;
typedef int pid_t;

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif /* KMM_TYPES_H */
