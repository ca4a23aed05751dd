/*
 * mm/util.c - small helpers on top of kmalloc: duplicating strings and
 * buffers, resizing, freeing with a wipe (2.6.34's mm/util.c).
 */
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include "hw/ram.h"

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	buf = kmalloc(len, gfp);
	if (buf)
		memcpy(buf, s, len);
	return buf;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	buf = kmalloc(len + 1, gfp);
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

/*
 * __krealloc - a buffer of @new_size holding @p's contents: @p itself if
 * its object is already large enough (objects never shrink), else a new
 * one; @p is not freed.  A size of 0 gives ZERO_SIZE_PTR.
 */
void *__krealloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t ks = 0;
	void *ret;

	if (!new_size)
		return ZERO_SIZE_PTR;
	if (p)
		ks = ksize(p);
	if (ks >= new_size)
		return (void *)p;
	ret = kmalloc(new_size, flags);
	if (ret && p)
		memcpy(ret, p, ks);
	return ret;
}

/* __krealloc, freeing @p when it moved; a size of 0 frees @p. */
void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	void *ret;

	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	ret = __krealloc(p, new_size, flags);
	if (ret && p != ret)
		kfree(p);
	return ret;
}

void kzfree(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	memset((void *)p, 0, ksize(p));
	kfree(p);
}

/* Zeroed by a hole punched in RAM's memfd where whole host pages allow (hw_ram_zero). */
void discard_page_contents(struct page *page, unsigned long nr)
{
	hw_ram_zero(page_to_phys(page), (u64)nr << PAGE_SHIFT);
}
