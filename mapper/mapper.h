/*
 * mapper/mapper.h - the 1:1 mapping set of one target domain.
 *
 * The mapper knows ranges, not PCI. Its caller (vpci) tells it, for every
 * BAR, the range that BAR currently wants mapped (or none); the mapper
 * checks conflicts against RAM, reserved ranges and RMRRs, applies the RDM
 * policy, keeps per-page reference counts so that two BARs sharing a page
 * never unmap each other, and calls its backend with coalesced, page
 * granular (memory) or port granular (I/O) map and unmap requests: conflict
 * checks before any backend call, unmap before remap.
 *
 * Every structure here costs O(log n) per operation in the number of ranges.
 */
#ifndef VT_MAPPER_H
#define VT_MAPPER_H

#include "../common/event.h"
#include "../common/vt.h"

struct mapper;

/*
 * A backend: what actually changes the target's address space. first and nr
 * are frame numbers (memory) or port numbers (I/O); gfn == mfn always. Calls
 * are coalesced to one per contiguous run and split only at max_nr (0: no
 * limit). Return 0 or -errno; a failure is reported and the pages are
 * considered unmapped.
 */
struct map_ops {
	const char *name;
	int (*map)(void *ctx, enum vt_space space, uint64_t first, uint64_t nr);
	int (*unmap)(void *ctx, enum vt_space space, uint64_t first, uint64_t nr);
	uint64_t max_nr;
};

/* The recording backend: keeps a log of calls (tests, replay). */
struct map_call {
	bool map;
	enum vt_space space;
	uint64_t first, nr;
};
struct map_record {
	struct map_call *call;
	size_t n, cap;
	bool keep;           /* false: count only, keep no log (replay) */
	unsigned long maps, unmaps;
};
extern const struct map_ops map_ops_record;
void map_record_reset(struct map_record *rec);

/* Kinds of platform ranges. */
enum map_region {
	MAP_REGION_RAM,
	MAP_REGION_RESERVED,
	MAP_REGION_RMRR,       /* an RMRR the platform identity-maps for this domain */
	MAP_REGION_RMRR_OTHER, /* an RMRR checked (strategy=host) but of a device this
				  domain does not have: the platform does not map it here */
};

/*
 * Per BAR state, owned by the caller (embedded in its BAR), opaque to it.
 * Zero-initialise before first use.
 */
struct map_slot {
	bool active;          /* mapped (wholly or, relaxed, around RMRR pages) */
	bool refused;         /* wants `want` but a conflict refuses it */
	enum vt_space space;
	struct vt_range want; /* valid when active || refused */
};

/* Who a slot belongs to, for events and the per-device RDM policy. */
struct map_owner {
	uint32_t sbdf;
	uint8_t bar;
	enum vt_policy policy; /* VT_POLICY_DEFAULT: the global one */
};

struct mapper *map_create(const struct map_ops *ops, void *ctx, struct vt_events *ev);
void map_destroy(struct mapper *m);

/*
 * Platform ranges, added before any slot is set (map_seal() ends that
 * phase). The pages of a MAP_REGION_RMRR are identity mapped by the
 * platform (Xen does it for the devices of the domain they name): the
 * mapper never unmaps them, since an unmap would remove the platform's
 * mapping whatever it pointed to; a relaxed BAR over them maps them through
 * the backend once (identity over identity is harmless, and it makes the
 * BAR reachable where the platform did not map them, e.g. without an
 * IOMMU). A MAP_REGION_RMRR_OTHER is mapped and unmapped like any page.
 */
int map_region_add(struct mapper *m, enum map_region kind, const struct vt_range *r);
int map_seal(struct mapper *m);
void map_set_policy(struct mapper *m, enum vt_policy global);
enum vt_policy map_get_policy(const struct mapper *m);

/*
 * Make the slot map `want` (NULL: nothing). Emits unmap/map/refuse/warn
 * events and calls the backend for what changed. Never fails: a backend
 * error is counted (map_backend_errors) and the slot left unmapped.
 */
void map_slot_set(struct mapper *m, struct map_slot *slot, const struct map_owner *who,
		  enum vt_space space, const struct vt_range *want);

/* All conflicts of a memory range, in address order; returns how many (<= max stored). */
struct map_conflict {
	enum vt_conflict kind;
	struct vt_range range;
};
size_t map_conflicts(const struct mapper *m, const struct vt_range *r, enum vt_policy policy,
		     struct map_conflict *out, size_t max);

/* Introspection for tests, fuzz invariants and --final. */
unsigned long map_backend_errors(const struct mapper *m);
/* Reference count of a page/port as the refcount tree holds it (pins included). */
uint64_t map_refcount(const struct mapper *m, enum vt_space space, uint64_t unit);
/* Is any unit of [first,last] mapped through the backend (ref > 0 and not pinned)? */
bool map_is_mapped(const struct mapper *m, enum vt_space space, uint64_t unit);
/* Walk the platform ranges (RAM, reserved, RMRR) in address order. */
void map_region_walk(const struct mapper *m,
		     void (*fn)(void *ctx, enum map_region kind, const struct vt_range *r), void *ctx);
/* Walk the backend-mapped runs in order. */
void map_walk(const struct mapper *m, enum vt_space space,
	      void (*fn)(void *ctx, uint64_t first, uint64_t last, uint64_t refs), void *ctx);

#endif
