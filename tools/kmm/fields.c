/*
 * fields.c - reading one number out of a rendered view, for expect:
 *
 *   /proc/meminfo:MemFree                 "Key:   value kB" views
 *   /proc/vmstat:pgfree                   "key value" views
 *   /proc/zoneinfo:0:DMA32:present        node, zone, field of the zone block
 *   /proc/zoneinfo:0:DMA32:protection:1   the n-th protection value
 *   /proc/zoneinfo:0:DMA32:cpu1:count     a per-CPU pageset field
 *   /proc/buddyinfo:0:Normal:3            free blocks of order 3
 *   /proc/pagetypeinfo:0:Normal:Movable:3 free blocks of a type and order
 *   /proc/pagetypeinfo:0:Normal:blocks:Movable   pageblocks of a type
 *   /proc/slabinfo:size-64:active_objs    a column of a cache's line
 *   /proc/sys/vm/min_free_kbytes          (no field) the file's first number
 *
 * Reading the text the view produced, rather than the kernel's variables,
 * makes expect test exactly what a user sees.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/kmm/script.h"

#define MAX_PARTS 6

static int split_spec(char *spec, char **parts)
{
	int n = 0;

	for (char *p = strtok(spec, ":"); p && n < MAX_PARTS; p = strtok(NULL, ":"))
		parts[n++] = p;
	return n;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool parse_num(const char *p, long long *out)
{
	char *end;

	p = skip_ws(p);
	if (*p == '(')
		p++;
	if (!isdigit((unsigned char)*p) && *p != '-')
		return false;
	*out = strtoll(p, &end, 10);
	return end != p;
}

/* The line after @pos that starts (after blanks) with @prefix. */
static const char *find_line(const char *pos, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	while (pos && pos < end) {
		const char *s = skip_ws(pos);

		if (!strncmp(s, prefix, n))
			return s;
		pos = strchr(pos, '\n');
		if (pos)
			pos++;
	}
	return NULL;
}

/* The zone block "Node N, zone ZONE" of zoneinfo/buddyinfo; sets *end to its end. */
static const char *zone_block(const char *text, const char *node, const char *zone,
			      const char **end)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		char nodestr[32], zonestr[32];

		if (sscanf(p, "Node %31[^,], zone %31s", nodestr, zonestr) == 2 &&
		    !strcmp(nodestr, node) && !strcmp(zonestr, zone)) {
			const char *e = nl ? nl + 1 : p + strlen(p);

			while (*e && strncmp(e, "Node ", 5))
				e = strchr(e, '\n') ? strchr(e, '\n') + 1 : e + strlen(e);
			*end = e;
			return p;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* In a zoneinfo block, a line whose words before the number end with @key. */
static bool zoneinfo_key(const char *block, const char *end, const char *key, long long *out)
{
	size_t klen = strlen(key);

	for (const char *p = block; p && p < end;) {
		const char *nl = strchr(p, '\n');
		const char *lend = nl ? nl : p + strlen(p);
		const char *num = lend;

		/* The value is the last word of the line. */
		while (num > p && num[-1] != ' ')
			num--;
		if (num > p && isdigit((unsigned char)*num)) {
			const char *kend = num;

			while (kend > p && kend[-1] == ' ')
				kend--;
			if (kend > p && kend[-1] == ':')
				kend--;		/* "start_pfn:" */
			if ((size_t)(kend - p) >= klen && !strncmp(kend - klen, key, klen) &&
			    (kend - klen == p || kend[-klen - 1] == ' '))
				return parse_num(num, out);
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static int zoneinfo_field(const char *text, char **parts, int n, long long *out)
{
	const char *end, *b;

	if (n < 3 || !(b = zone_block(text, parts[0], parts[1], &end)))
		return -1;
	if (!strcmp(parts[2], "protection") && n == 4) {
		const char *l = find_line(b, end, "protection:");
		int idx = atoi(parts[3]);

		if (!l || !(l = strchr(l, '(')))
			return -1;
		l++;
		for (int i = 0; i < idx && l; i++) {
			l = strchr(l, ',');
			if (l)
				l++;
		}
		return l && parse_num(l, out) ? 0 : -1;
	}
	if (!strncmp(parts[2], "cpu", 3) && n == 4) {
		char cpu[32];
		const char *l;

		snprintf(cpu, sizeof(cpu), "cpu: %s", parts[2] + 3);
		l = find_line(b, end, cpu);
		if (!l)
			return -1;
		l = find_line(l, end, parts[3]);
		if (!l || !(l = strchr(l, ':')))
			return -1;
		return parse_num(l + 1, out) ? 0 : -1;
	}
	return zoneinfo_key(b, end, parts[2], out) ? 0 : -1;
}

/* Skip one word; true if it ended with a comma. */
static const char *skip_word(const char *p, bool *comma)
{
	p = skip_ws(p);
	while (*p && *p != ' ' && *p != '\n')
		p++;
	*comma = p[-1] == ',';
	return p;
}

/*
 * The @idx-th number after a table line's label: "Node N, zone ZONE" or
 * "Node N, zone ZONE, type TYPE".
 */
static int table_column(const char *line, int idx, long long *out)
{
	const char *p = strchr(line, ',');
	bool comma;

	if (!p || !(p = strstr(p, "zone")))
		return -1;
	p = skip_word(p + 4, &comma);		/* the zone name */
	if (comma) {
		p = skip_word(p, &comma);	/* "type" */
		p = skip_word(p, &comma);	/* the type name */
	}
	for (int i = 0; i <= idx; i++) {
		char *end;

		p = skip_ws(p);
		*out = strtoll(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return 0;
}

static const char *const mt_names[] = { "Unmovable", "Reclaimable", "Movable", "Reserve",
					"Isolate" };

static int pagetypeinfo_field(const char *text, char **parts, int n, long long *out)
{
	char want[96];
	const char *p;

	if (n != 4)
		return -1;
	if (!strcmp(parts[2], "blocks")) {
		int col = -1;

		for (int i = 0; i < 5; i++)
			if (!strcmp(parts[3], mt_names[i]))
				col = i;
		p = strstr(text, "Number of blocks type");
		snprintf(want, sizeof(want), "Node %s, zone %8s ", parts[0], parts[1]);
		p = p ? strstr(p, want) : NULL;
		return p && col >= 0 ? table_column(p, col, out) : -1;
	}
	snprintf(want, sizeof(want), "Node %4s, zone %8s, type %12s ", parts[0], parts[1], parts[2]);
	p = strstr(text, want);
	return p ? table_column(p, atoi(parts[3]), out) : -1;
}

static int slabinfo_field(const char *text, char **parts, int n, long long *out)
{
	static const char *const cols[] = { "active_objs", "num_objs", "objsize", "objperslab",
					    "pagesperslab", "limit", "batchcount", "sharedfactor",
					    "active_slabs", "num_slabs", "sharedavail" };
	size_t nl = strlen(parts[0]);

	if (n != 2)
		return -1;
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (!strncmp(p, parts[0], nl) && p[nl] == ' ') {
			int col = -1, k = -1;

			for (int i = 0; i < 11; i++)
				if (!strcmp(parts[1], cols[i]))
					col = i;
			if (col < 0)
				return -1;
			p += nl;
			while (p < (eol ? eol : p + strlen(p))) {
				char *end;
				long long v;

				p = skip_ws(p);
				if (*p == ':') {
					p++;
					p = skip_ws(p);
					while (*p && *p != ' ')
						p++;	/* "tunables", "slabdata" */
					continue;
				}
				v = strtoll(p, &end, 10);
				if (end == p)
					return -1;
				if (++k == col) {
					*out = v;
					return 0;
				}
				p = end;
			}
			return -1;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

int view_field(const char *text, const char *path, const char *spec, long long *out,
	       char *err, size_t errlen)
{
	char buf[256], *parts[MAX_PARTS];
	int n, r = -1;

	if (!spec || !*spec) {
		if (parse_num(text, out))
			return 0;
		snprintf(err, errlen, "%s does not start with a number", path);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	n = split_spec(buf, parts);
	if (!strcmp(path, "/proc/zoneinfo")) {
		r = zoneinfo_field(text, parts, n, out);
	} else if (!strcmp(path, "/proc/buddyinfo") && n == 3) {
		char want[64];
		const char *p;

		snprintf(want, sizeof(want), "Node %s, zone %8s ", parts[0], parts[1]);
		p = strstr(text, want);
		r = p ? table_column(p, atoi(parts[2]), out) : -1;
	} else if (!strcmp(path, "/proc/pagetypeinfo")) {
		r = pagetypeinfo_field(text, parts, n, out);
	} else if (!strcmp(path, "/proc/slabinfo")) {
		r = slabinfo_field(text, parts, n, out);
	} else if (n == 1) {
		/* "Key:  value" or "key value" lines. */
		size_t kl = strlen(parts[0]);

		for (const char *p = text; p && *p;) {
			if (!strncmp(p, parts[0], kl) && (p[kl] == ':' || p[kl] == ' ')) {
				r = parse_num(p + kl + (p[kl] == ':'), out) ? 0 : -1;
				break;
			}
			p = strchr(p, '\n');
			if (p)
				p++;
		}
	}
	if (r)
		snprintf(err, errlen, "%s has no field '%s'", path, spec);
	return r;
}
