/* mapper/record.c - the recording backend: a log of backend calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapper.h"

static int rec_call(void *ctx, bool map, enum vt_space space, uint64_t first, uint64_t nr)
{
	struct map_record *rec = ctx;

	if (map)
		rec->maps++;
	else
		rec->unmaps++;
	if (!rec->keep)
		return 0;
	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 64;
		struct map_call *c = realloc(rec->call, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		rec->call = c;
		rec->cap = cap;
	}
	rec->call[rec->n++] = (struct map_call){ map, space, first, nr };
	return 0;
}

static int rec_map(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	return rec_call(ctx, true, space, first, nr);
}

static int rec_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	return rec_call(ctx, false, space, first, nr);
}

const struct map_ops map_ops_record = {
	.name = "record",
	.map = rec_map,
	.unmap = rec_unmap,
	.max_nr = 0,
};

void map_record_reset(struct map_record *rec)
{
	free(rec->call);
	rec->call = NULL;
	rec->n = rec->cap = 0;
	rec->maps = rec->unmaps = 0;
}
