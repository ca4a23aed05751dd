/* err.h - pointers that carry an error number (ERR_PTR and friends). */
#ifndef KMM_ERR_H
#define KMM_ERR_H

#include <kmm/compiler.h>
#include <kmm/errno.h>
#include <kmm/types.h>

#define IS_ERR_VALUE(x) unlikely((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }

#endif /* KMM_ERR_H */
