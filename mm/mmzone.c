/*
 * mmzone.c - walking nodes and zones.
 */
#include <kmm/mm.h>
#include "mm/internal.h"

struct pglist_data *first_online_pgdat(void)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (node_online(nid))
			return NODE_DATA(nid);
	return NULL;
}

struct pglist_data *next_online_pgdat(struct pglist_data *pgdat)
{
	for (int nid = pgdat->node_id + 1; nid < MAX_NUMNODES; nid++)
		if (node_online(nid))
			return NODE_DATA(nid);
	return NULL;
}

/* The next zone of the node, or the first zone of the next online node. */
struct zone *next_zone(struct zone *zone)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	if (zone < pgdat->node_zones + MAX_NR_ZONES - 1)
		return zone + 1;
	pgdat = next_online_pgdat(pgdat);
	return pgdat ? pgdat->node_zones : NULL;
}
