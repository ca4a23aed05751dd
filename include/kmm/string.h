/*
 * string.h - the string and memory functions the kernel uses.
 * Declared here so that mm/ includes no libc header.
 */
#ifndef KMM_STRING_H
#define KMM_STRING_H

#include <kmm/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *h, const char *n);

/* Copy with truncation; always terminates.  Returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Return the first byte in [s, s+n) that differs from c, or NULL. */
void *memchr_inv(const void *s, int c, size_t n);

#endif /* KMM_STRING_H */
