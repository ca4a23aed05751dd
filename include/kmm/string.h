/*
 * string.h - the string and memory functions the kernel uses, from lib/
 * (string.c).  Declared here so that mm/ includes no libc header; in the
 * files built freestanding they are lib's own (see __kmm_lib).
 */
#ifndef KMM_STRING_H
#define KMM_STRING_H

#include <kmm/compiler.h>
#include <kmm/types.h>

void *memcpy(void *dst, const void *src, size_t n) __kmm_lib(memcpy);
void *memmove(void *dst, const void *src, size_t n) __kmm_lib(memmove);
void *memset(void *s, int c, size_t n) __kmm_lib(memset);
int memcmp(const void *a, const void *b, size_t n) __kmm_lib(memcmp);
void *memchr(const void *s, int c, size_t n) __kmm_lib(memchr);
size_t strlen(const char *s) __kmm_lib(strlen);
size_t strnlen(const char *s, size_t n) __kmm_lib(strnlen);
int strcmp(const char *a, const char *b) __kmm_lib(strcmp);
int strncmp(const char *a, const char *b, size_t n) __kmm_lib(strncmp);
char *strchr(const char *s, int c) __kmm_lib(strchr);
char *strrchr(const char *s, int c) __kmm_lib(strrchr);
char *strstr(const char *h, const char *n) __kmm_lib(strstr);

/* Copy with truncation; always terminates.  Returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Return the first byte in [s, s+n) that differs from c, or NULL. */
void *memchr_inv(const void *s, int c, size_t n);

/* lib's own, under these names everywhere (tests compare them with the C library's). */
void *kmm_memcpy(void *dst, const void *src, size_t n);
void *kmm_memset(void *s, int c, size_t n);
void *kmm_memmove(void *dst, const void *src, size_t n);
int kmm_memcmp(const void *a, const void *b, size_t n);

#endif /* KMM_STRING_H */
