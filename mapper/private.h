/* mapper/private.h - the mapper's internal structures. */
#ifndef VT_MAPPER_PRIVATE_H
#define VT_MAPPER_PRIVATE_H

#include "mapper.h"

/*
 * Reference counts over units (pages or ports), as a treap of disjoint
 * segments [first, last] with a count; units outside every segment have
 * count 0. `pin` counts the platform's own references (RMRR pages, which
 * the platform identity-maps): they never cause backend calls.
 */
struct refs_node {
	uint64_t first, last;
	uint64_t count;     /* all references, pins included */
	uint64_t pin;
	bool live;          /* mapped through the backend (by us) */
	uint32_t prio;
	struct refs_node *l, *r;
};

struct refs {
	struct refs_node *root;
	size_t nodes;
	uint32_t seed;
};

/* Called once per maximal run whose count went 0 -> >0 (up) or >0 -> 0. */
typedef void refs_fn(void *ctx, bool up, uint64_t first, uint64_t last);

void refs_init(struct refs *r);
void refs_free(struct refs *r);
/* Add delta (+1 / -1) over [first, last]; pin: a platform reference. */
void refs_add(struct refs *r, uint64_t first, uint64_t last, int delta, bool pin, refs_fn *fn,
	      void *ctx);
const struct refs_node *refs_find(const struct refs *r, uint64_t unit);
void refs_walk(const struct refs *r, void (*fn)(void *ctx, const struct refs_node *n), void *ctx);

/* Platform ranges: a static interval tree over a sorted array. */
struct region {
	struct vt_range range;
	enum map_region kind;
	bool pinned;        /* RMRR: its pages carry the platform's reference */
};
struct regions {
	struct region *r;
	uint64_t *maxlast;  /* implicit tree augmentation */
	size_t n, cap;
	bool sorted;
};
int regions_add(struct regions *rs, enum map_region kind, const struct vt_range *r);
void regions_build(struct regions *rs);
/* Calls fn for every region overlapping q, in address order. */
void regions_query(const struct regions *rs, const struct vt_range *q,
		   void (*fn)(void *ctx, const struct region *r), void *ctx);
void regions_free(struct regions *rs);

struct mapper {
	const struct map_ops *ops;
	void *ctx;
	struct vt_events *ev;
	struct regions regions;
	struct refs refs[2];   /* VT_SPACE_MEM (pages), VT_SPACE_IO (ports) */
	enum vt_policy policy;
	unsigned long backend_errors;
};

#endif
