/*
 * ioreq/private.h - helpers shared inside ioreq/ only.
 */
#ifndef VT_IOREQ_PRIVATE_H
#define VT_IOREQ_PRIVATE_H

#include "ioreq.h"

/*
 * A set of inclusive ranges kept merged and sorted, like Xen's rangeset
 * (xen/common/rangeset.c): adding merges with overlapping and adjacent
 * ranges, removing may split one, and an optional limit on the number of
 * ranges makes an operation that would exceed it fail with -ENOMEM and
 * change nothing (Xen: rangeset_limit, MAX_NR_IO_RANGES).
 */
struct ioreq_rs {
	struct vt_range *r;
	size_t n, cap;
	size_t limit; /* 0: none */
};

void ioreq_rs_init(struct ioreq_rs *rs, size_t limit);
void ioreq_rs_free(struct ioreq_rs *rs);
void ioreq_rs_clear(struct ioreq_rs *rs);
int ioreq_rs_add(struct ioreq_rs *rs, uint64_t first, uint64_t last);
int ioreq_rs_remove(struct ioreq_rs *rs, uint64_t first, uint64_t last);
bool ioreq_rs_contains(const struct ioreq_rs *rs, uint64_t first, uint64_t last);
bool ioreq_rs_overlaps(const struct ioreq_rs *rs, uint64_t first, uint64_t last);
/* Units in the set that lie in [first, last]. */
uint64_t ioreq_rs_weight(const struct ioreq_rs *rs, uint64_t first, uint64_t last);
/* out = a \ b (out is cleared first; no limit applies). */
int ioreq_rs_subtract(const struct ioreq_rs *a, const struct ioreq_rs *b, struct ioreq_rs *out);
int ioreq_rs_copy(struct ioreq_rs *dst, const struct ioreq_rs *src);

/* ---- the server core (server.c, claims.c) ---- */

#define IOREQ_EV_TEXT   192 /* one formatted event */
#define IOREQ_LOG_QUOTA 20  /* refusals logged in full before going quiet */

struct ioreq_claims {
	const struct ioreq_claim_ops *ops;
	void *ctx;
	struct ioreq_rs cur[IOREQ_CLAIM_KINDS]; /* what the backend holds now */
	struct ioreq_rs buses;                  /* --claim-buses, as SBDF ranges */
	bool dirty;                             /* a renumber event was seen */
	bool started;
	bool leave_ports;                       /* --leave-ports: no port claims */
};

struct ioreq_server {
	struct vpci_machine *m;
	struct vt_events *ev;
	struct trap trap;
	bool trap_ready;
	FILE *out, *record, *log;
	unsigned long line;        /* lines of the recording so far */
	bool in_request;
	char (*evtext)[IOREQ_EV_TEXT]; /* events of the request in flight */
	size_t nev, evcap;
	struct ioreq_claims claims;
	struct ioreq_stats st;
	unsigned long quiet_from;  /* refusals beyond the quota are counted only */
};

void ioreq_claims_init(struct ioreq_claims *c, const struct ioreq_claim_ops *ops, void *ctx);
void ioreq_claims_free(struct ioreq_claims *c);
int ioreq_claims_add_buses(struct ioreq_claims *c, const struct vt_range *buses, unsigned n);
/* Bring the backend's claims to what the machine wants now; err may be NULL. */
int ioreq_claims_sync(struct ioreq_server *s, bool at_start, struct vt_err *err);

/*
 * Claim or release SBDFs first..last one at a time (xendevicemodel's
 * map_pcidev takes one function); a failed claim releases the ones this
 * call made, so the operation is all or nothing.
 */
int ioreq_claim_pci_each(uint64_t first, uint64_t last, bool map,
			 int (*one)(void *ctx, uint32_t sbdf, bool map), void *ctx);

/* The log of the server core (opts->log or stderr). */
void ioreq_logf(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names for messages. */
const char *ioreq_claim_name(enum ioreq_claim_kind kind);

#endif
