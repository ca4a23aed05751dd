/*
 * values.c - what a script variable holds, its fields, and gfp masks as
 * text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include "tools/kmm/script.h"

static const struct {
	const char *name;
	unsigned int mask;
} gfp_names[] = {
	{ "GFP_NOWAIT", GFP_NOWAIT }, { "GFP_ATOMIC", GFP_ATOMIC }, { "GFP_NOIO", GFP_NOIO },
	{ "GFP_NOFS", GFP_NOFS }, { "GFP_KERNEL", GFP_KERNEL }, { "GFP_TEMPORARY", GFP_TEMPORARY },
	{ "GFP_USER", GFP_USER }, { "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE }, { "GFP_IOFS", GFP_IOFS },
	{ "GFP_THISNODE", GFP_THISNODE }, { "GFP_DMA", GFP_DMA }, { "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_DMA", __GFP_DMA }, { "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 }, { "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_WAIT", __GFP_WAIT }, { "__GFP_HIGH", __GFP_HIGH }, { "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS }, { "__GFP_COLD", __GFP_COLD }, { "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_REPEAT", __GFP_REPEAT }, { "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY }, { "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ZERO", __GFP_ZERO }, { "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_HARDWALL", __GFP_HARDWALL }, { "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
};

/* "GFP_KERNEL|__GFP_ZERO", "0xd0", or "GFP_KERNEL|0x8000". */
int gfp_parse(const char *s, unsigned int *out)
{
	unsigned int mask = 0;
	char buf[256], *tok, *save = NULL;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *end;
		unsigned long v;
		size_t i;

		for (i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++)
			if (!strcmp(tok, gfp_names[i].name))
				break;
		if (i < sizeof(gfp_names) / sizeof(gfp_names[0])) {
			mask |= gfp_names[i].mask;
			continue;
		}
		v = strtoul(tok, &end, 0);
		if (end == tok || *end || v > __GFP_BITS_MASK)
			return -1;
		mask |= v;
	}
	*out = mask;
	return 0;
}

int value_field(struct runtime *rt, const struct value *v, const char *field, long long *out,
		char *err, size_t errlen)
{
	switch (v->kind) {
	case VAL_PAGE:
		if (!strcmp(field, "ok")) {
			*out = v->page != NULL;
			return 0;
		}
		if (!v->page) {
			snprintf(err, errlen, "the allocation failed: there is no page");
			return -1;
		}
		if (!strcmp(field, "pfn"))
			*out = page_to_pfn(v->page);
		else if (!strcmp(field, "order"))
			*out = v->order;
		else if (!strcmp(field, "pages"))
			*out = 1LL << v->order;
		else if (!strcmp(field, "zone"))
			*out = page_zonenum(v->page);
		else if (!strcmp(field, "node"))
			*out = page_to_nid(v->page);
		else if (!strcmp(field, "count"))
			*out = page_count(v->page);
		else if (!strcmp(field, "flags"))
			*out = v->page->flags & ((1UL << NR_PAGEFLAGS) - 1);
		else if (!strcmp(field, "phys"))
			*out = page_to_phys(v->page);
		else
			goto unknown;
		return 0;
	case VAL_POOL:
		if (!strcmp(field, "blocks")) {
			*out = v->nr_blocks;
		} else if (!strcmp(field, "pages")) {
			long long p = 0;

			for (size_t i = 0; i < v->nr_blocks; i++)
				p += v->blocks[i].page ? 1LL << v->blocks[i].order : 0;
			*out = p;
		} else {
			goto unknown;
		}
		return 0;
	case VAL_NUM:
		if (!strcmp(field, "value")) {
			*out = v->num;
			return 0;
		}
		goto unknown;
	case VAL_PTR:
	case VAL_CACHE:
	case VAL_OBJPOOL:
		return slab_value_field(v, field, out, err, errlen);
	default:
		break;
	}
unknown:
	snprintf(err, errlen, "no field '%s' here", field);
	return -1;
}

void value_format(const struct value *v, char *buf, size_t size)
{
	switch (v->kind) {
	case VAL_NUM:
		snprintf(buf, size, "%lld", v->num);
		break;
	case VAL_PAGE:
		if (v->page)
			snprintf(buf, size, "pfn 0x%lx order %u", page_to_pfn(v->page), v->order);
		else
			snprintf(buf, size, "NULL");
		break;
	case VAL_POOL:
		snprintf(buf, size, "pool of %zu blocks", v->nr_blocks);
		break;
	case VAL_PTR:
		if (v->ptr)
			snprintf(buf, size, "%llx", (unsigned long long)kaddr_to_linux(v->ptr));
		else
			snprintf(buf, size, "NULL");
		break;
	case VAL_CACHE:
		snprintf(buf, size, "%s", v->cache ? kmem_cache_name(v->cache) : "NULL");
		break;
	case VAL_OBJPOOL:
		snprintf(buf, size, "pool of %zu objects", v->nr_objs);
		break;
	default:
		snprintf(buf, size, "(nothing)");
	}
}
