/*
 * cmd_pages.c - scenario commands for the page allocator:
 *
 *   p = alloc_pages [order=N] [gfp=FLAGS] [node=N] [cpu=N]
 *   free_pages $p [order=N] [cpu=N]      (a pool: [every=N] [offset=K] [random=PCT])
 *   drain [cpu=N|all]
 *   pool = fill [order=N] [gfp=FLAGS] [node=N] [leave=PAGES] [pages=PAGES]
 *   pool = fragment [pages=N] [movable=PCT] [free=movable|PCT]
 *   show $p
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/random.h>
#include <kmm/smp.h>
#include <kmm/vmstat.h>
#include "tools/kmm/script.h"
#include "tools/kmm/workload.h"

static int var_operand(struct runtime *rt, struct script_cmd *c, struct value **v)
{
	const char *w = c->argc && !c->argv[0].key ? c->argv[0].value : NULL;

	for (int i = 0; i < c->argc; i++)
		if (!c->argv[i].key) {
			w = c->argv[i].value;
			break;
		}
	if (!w || w[0] != '$')
		return rt_error(rt, c, "%s: need a variable ($name)", c->def->name);
	*v = rt_lookup(rt, w + 1);
	if (!*v)
		return rt_error(rt, c, "unknown variable %s", w);
	return 0;
}

static int cmd_alloc_pages(struct runtime *rt, struct script_cmd *c)
{
	long long order = 0, node = -1;
	unsigned int gfp = GFP_KERNEL;
	struct page *page;
	struct value *v;
	int prev;

	if (rt_kernel_cmd(rt, c) || rt_opt_number(rt, c, "order", &order) ||
	    rt_opt_number(rt, c, "node", &node) || rt_opt_gfp(rt, c, &gfp) ||
	    rt_enter_cpu(rt, c, &prev))
		return -1;
	if (order < 0 || order >= 64)
		return rt_error(rt, c, "order=%lld: out of range", order);
	if (node >= MAX_NUMNODES || (node >= 0 && !node_online(node)))
		return rt_error(rt, c, "node=%lld: the machine has no such node", node);
	page = alloc_pages_node((int)node, gfp, (unsigned int)order);
	kmm_set_cpu(prev);
	if (c->assign) {
		v = rt_assign(rt, c->assign);
		v->kind = VAL_PAGE;
		v->page = page;
		v->order = order;
	}
	return 0;
}

static int cmd_free_pages(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	long long order = -1, every = 0, offset = 0, random_pct = -1;
	int prev;

	if (rt_kernel_cmd(rt, c) || var_operand(rt, c, &v) ||
	    rt_opt_number(rt, c, "order", &order) || rt_opt_number(rt, c, "every", &every) ||
	    rt_opt_number(rt, c, "offset", &offset) ||
	    rt_opt_number(rt, c, "random", &random_pct) || rt_enter_cpu(rt, c, &prev))
		return -1;
	if (order >= MAX_ORDER)
		return rt_error(rt, c, "free_pages order=%lld: the largest order is %d", order,
				MAX_ORDER - 1);
	if (v->kind == VAL_PAGE) {
		if (!v->page)
			return rt_error(rt, c, "free_pages: %s holds no page (the allocation failed)",
					c->argv[0].value);
		__free_pages(v->page, order >= 0 ? order : v->order);
	} else if (v->kind == VAL_POOL) {
		wl_pool_free(v, every, offset, random_pct);
	} else {
		kmm_set_cpu(prev);
		return rt_error(rt, c, "free_pages: %s is not a page or a pool", c->argv[0].value);
	}
	kmm_set_cpu(prev);
	return 0;
}

static int cmd_drain(struct runtime *rt, struct script_cmd *c)
{
	char *s = rt_arg(rt, c, "cpu");
	long long cpu;
	int prev = 0;

	if (rt_kernel_cmd(rt, c)) {
		free(s);
		return -1;
	}
	if (!s || !strcmp(s, "all")) {
		drain_all_pages();
	} else {
		if (rt_number(rt, c, "cpu", s, &cpu)) {
			free(s);
			return -1;
		}
		prev = smp_processor_id();
		if (kmm_set_cpu((int)cpu)) {
			free(s);
			return rt_error(rt, c, "drain cpu=%lld: the machine has no such CPU", cpu);
		}
		drain_local_pages(NULL);
		kmm_set_cpu(prev);
	}
	free(s);
	return 0;
}

static int cmd_fill(struct runtime *rt, struct script_cmd *c)
{
	long long order = 0, node = -1, leave = 0, pages = -1;
	unsigned int gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct value *v;
	int prev;

	if (rt_kernel_cmd(rt, c) || rt_opt_number(rt, c, "order", &order) ||
	    rt_opt_number(rt, c, "node", &node) || rt_opt_number(rt, c, "leave", &leave) ||
	    rt_opt_number(rt, c, "pages", &pages) || rt_opt_gfp(rt, c, &gfp) ||
	    rt_enter_cpu(rt, c, &prev))
		return -1;
	if (order < 0 || order >= MAX_ORDER)
		return rt_error(rt, c, "fill: order=%lld out of range", order);
	v = rt_assign(rt, c->assign ? c->assign : "_fill");
	v->kind = VAL_POOL;
	wl_fill(v, gfp, order, node, leave, pages);
	kmm_set_cpu(prev);
	return 0;
}

static int cmd_fragment(struct runtime *rt, struct script_cmd *c)
{
	long long pages = -1, movable = 50, free_pct = -1;
	char *free_arg = rt_arg(rt, c, "free");
	struct value *v;
	int prev;

	if (free_arg && strcmp(free_arg, "movable") &&
	    rt_number(rt, c, "free", free_arg, &free_pct)) {
		free(free_arg);
		return -1;
	}
	free(free_arg);
	if (rt_kernel_cmd(rt, c) || rt_opt_number(rt, c, "pages", &pages) ||
	    rt_opt_number(rt, c, "movable", &movable) || rt_enter_cpu(rt, c, &prev))
		return -1;
	if (movable < 0 || movable > 100 || free_pct > 100)
		return rt_error(rt, c, "fragment: movable= and free= are percentages (free=movable frees the movable pages)");
	v = rt_assign(rt, c->assign ? c->assign : "_fragment");
	v->kind = VAL_POOL;
	wl_fragment(v, pages, movable, free_pct);
	kmm_set_cpu(prev);
	return 0;
}

static int cmd_show(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	char text[128];

	if (rt_kernel_cmd(rt, c) || var_operand(rt, c, &v))
		return -1;
	if (v->kind == VAL_PAGE && v->page) {
		struct page *p = v->page;

		fprintf(rt->out, "%s: pfn 0x%lx order %u node %d zone %s count %d mapcount %d flags 0x%lx\n",
			c->argv[0].value, page_to_pfn(p), v->order, page_to_nid(p),
			page_zone(p)->name, page_count(p), page_mapcount(p),
			p->flags & ((1UL << NR_PAGEFLAGS) - 1));
		return 0;
	}
	if (v->kind == VAL_PTR || v->kind == VAL_CACHE || v->kind == VAL_OBJPOOL) {
		slab_show(rt, c->argv[0].value, v);
		return 0;
	}
	value_format(v, text, sizeof(text));
	fprintf(rt->out, "%s: %s\n", c->argv[0].value, text);
	return 0;
}

static const char *const alloc_keys[] = { "order", "gfp", "node", "cpu", NULL };
static const char *const free_keys[] = { "order", "cpu", "every", "offset", "random", NULL };
static const char *const drain_keys[] = { "cpu", NULL };
static const char *const fill_keys[] = { "order", "gfp", "node", "leave", "pages", "cpu", NULL };
static const char *const frag_keys[] = { "pages", "movable", "free", "cpu", NULL };

const struct command_def page_commands[] = {
	{ "alloc_pages", "NAME = alloc_pages [order=N] [gfp=FLAGS] [node=N] [cpu=N]",
	  "allocate 2^order pages (NAME holds NULL if it fails)", alloc_keys, 0, 0,
	  .assigns = true, .run = cmd_alloc_pages },
	{ "free_pages", "free_pages $NAME [order=N] [cpu=N] | free_pages $POOL [every=N offset=K | random=PCT]",
	  "free a block (its own order unless order= says otherwise), or blocks of a pool",
	  free_keys, 1, 1, .run = cmd_free_pages },
	{ "drain", "drain [cpu=N|all]", "empty per-CPU page lists into the buddy allocator",
	  drain_keys, 0, 0, .run = cmd_drain },
	{ "fill", "POOL = fill [order=N] [gfp=FLAGS] [node=N] [leave=PAGES] [pages=PAGES]",
	  "allocate blocks until only leave= pages are free, pages= are taken, or allocation fails",
	  fill_keys, 0, 0, .assigns = true, .run = cmd_fill },
	{ "fragment", "POOL = fragment [pages=N] [movable=PCT] [free=movable|PCT]",
	  "allocate single pages, movable and unmovable mixed at random, then free the movable ones (default) or a random share",
	  frag_keys, 0, 0, .assigns = true, .run = cmd_fragment },
	{ "show", "show $NAME", "describe a variable (a page: pfn, order, zone, counts, flags; an object, a cache, a pool)",
	  NULL, 1, 1, .run = cmd_show },
	{ NULL },
};
