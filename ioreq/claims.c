/*
 * ioreq/claims.c - what the server asks Xen to send it, kept in step with
 * the machine.
 *
 * Xen turns a 0xcfc-0xcff access into IOREQ_TYPE_PCI_CONFIG and sends it
 * only to the server that claimed that SBDF (ioreq_server_select(): the
 * PCI rangeset holds SBDFs); an SBDF nobody claimed reads all ones. So the
 * claims are: ports 0xcf8-0xcff (the latch, and data cycles while the
 * enable bit is clear; not with --leave-ports, for a guest whose device
 * model owns them: Xen latches 0xcf8 on its own), the ECAM window (Xen
 * 4.17 does not decode MMCFG for ioreq servers: those arrive as
 * IOREQ_TYPE_COPY), every device's
 * current SBDF, and the --claim-buses ranges for buses that may appear.
 * A bridge's bus numbers move the SBDFs behind it: a renumber event marks
 * the claims dirty and they are resynced before the request is answered,
 * so the guest's next access already reaches us. Unclaims go first, as
 * they free rangeset entries (each kind holds at most 256).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

void ioreq_claims_init(struct ioreq_claims *c, const struct ioreq_claim_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	for (int k = 0; k < IOREQ_CLAIM_KINDS; k++)
		ioreq_rs_init(&c->cur[k], 0);
	ioreq_rs_init(&c->buses, 0);
}

void ioreq_claims_free(struct ioreq_claims *c)
{
	for (int k = 0; k < IOREQ_CLAIM_KINDS; k++)
		ioreq_rs_free(&c->cur[k]);
	ioreq_rs_free(&c->buses);
}

int ioreq_claims_add_buses(struct ioreq_claims *c, const struct vt_range *buses, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int rc;

		if (buses[i].last > 0xff || buses[i].base > buses[i].last)
			return -EINVAL;
		rc = ioreq_rs_add(&c->buses, VT_SBDF(0, buses[i].base, 0), VT_SBDF(0, buses[i].last, 0xff));
		if (rc)
			return rc;
	}
	return 0;
}

/* What the machine wants claimed now. */
static int claims_wanted(struct ioreq_server *s, struct ioreq_rs want[IOREQ_CLAIM_KINDS])
{
	int rc;

	rc = s->claims.leave_ports ? 0 : ioreq_rs_add(&want[IOREQ_CLAIM_PORT], TRAP_PORT_ADDR, TRAP_PORT_DATA + 3);
	if (!rc && s->trap.ecam)
		rc = ioreq_rs_add(&want[IOREQ_CLAIM_MMIO], s->trap.ecam_base, s->trap.ecam_end - 1);
	if (!rc)
		rc = ioreq_rs_copy(&want[IOREQ_CLAIM_PCI], &s->claims.buses);
	for (size_t i = 0; !rc && i < vpci_machine_ndev(s->m); i++) {
		uint32_t sbdf;

		if (vpci_dev_sbdf(vpci_machine_dev(s->m, i), &sbdf))
			rc = ioreq_rs_add(&want[IOREQ_CLAIM_PCI], sbdf, sbdf);
	}
	return rc;
}

/* Apply a \ b through op (map or unmap), keeping cur in step with what succeeded. */
static int claims_apply(struct ioreq_server *s, enum ioreq_claim_kind k, const struct ioreq_rs *a,
			const struct ioreq_rs *b, bool map)
{
	struct ioreq_claims *c = &s->claims;
	struct ioreq_rs d;
	int rc, first_rc = 0;

	ioreq_rs_init(&d, 0);
	rc = ioreq_rs_subtract(a, b, &d);
	for (size_t i = 0; !rc && i < d.n; i++) {
		const struct vt_range *r = &d.r[i];
		int e = 0;

		if (c->ops)
			e = map ? c->ops->map(c->ctx, k, r->base, r->last)
				: c->ops->unmap(c->ctx, k, r->base, r->last);
		if (!e)
			e = map ? ioreq_rs_add(&c->cur[k], r->base, r->last)
				: ioreq_rs_remove(&c->cur[k], r->base, r->last);
		if (e) {
			s->st.claim_errors++;
			ioreq_logf(s->log, "cannot %s %s 0x%llx-0x%llx: %s", map ? "claim" : "release",
				   ioreq_claim_name(k), (unsigned long long)r->base,
				   (unsigned long long)r->last, strerror(-e));
			if (!first_rc)
				first_rc = e;
		}
	}
	ioreq_rs_free(&d);
	return rc ? rc : first_rc;
}

static int claims_check_limit(struct ioreq_server *s, const struct ioreq_rs want[IOREQ_CLAIM_KINDS],
			      struct vt_err *err)
{
	for (int k = 0; k < IOREQ_CLAIM_KINDS; k++) {
		if (want[k].n <= IOREQ_MAX_RANGES)
			continue;
		if (err)
			vt_errf(err, ENOSPC,
				"%zu %s claim ranges needed, Xen allows %d per ioreq server"
				" (MAX_NR_IO_RANGES)%s",
				want[k].n, ioreq_claim_name((enum ioreq_claim_kind)k), IOREQ_MAX_RANGES,
				k == IOREQ_CLAIM_PCI ? ": claim whole buses with --claim-buses" : "");
		else
			ioreq_logf(s->log, "%zu %s claim ranges needed, Xen allows %d: some will fail",
				   want[k].n, ioreq_claim_name((enum ioreq_claim_kind)k),
				   IOREQ_MAX_RANGES);
		return -ENOSPC;
	}
	return 0;
}

int ioreq_claims_sync(struct ioreq_server *s, bool at_start, struct vt_err *err)
{
	struct ioreq_rs want[IOREQ_CLAIM_KINDS];
	int rc, k;

	for (k = 0; k < IOREQ_CLAIM_KINDS; k++)
		ioreq_rs_init(&want[k], 0);
	rc = claims_wanted(s, want);
	if (rc)
		goto out;
	rc = claims_check_limit(s, want, err);
	if (rc && at_start)
		goto out;
	if (!at_start)
		s->st.claim_moves++;
	s->claims.dirty = false;
	rc = 0;
	for (k = 0; k < IOREQ_CLAIM_KINDS; k++) {
		int e = claims_apply(s, (enum ioreq_claim_kind)k, &s->claims.cur[k], &want[k], false);

		rc = rc ? rc : e;
	}
	for (k = 0; k < IOREQ_CLAIM_KINDS; k++) {
		int e = claims_apply(s, (enum ioreq_claim_kind)k, &want[k], &s->claims.cur[k], true);

		rc = rc ? rc : e;
	}
	s->claims.started = true;
	if (rc && err)
		vt_errf(err, -rc, "claiming failed: %s", strerror(-rc));
out:
	for (k = 0; k < IOREQ_CLAIM_KINDS; k++)
		ioreq_rs_free(&want[k]);
	return rc;
}

int ioreq_server_unclaim(struct ioreq_server *s)
{
	struct ioreq_rs none;
	int rc = 0;

	ioreq_rs_init(&none, 0);
	for (int k = IOREQ_CLAIM_KINDS - 1; k >= 0; k--) {
		int e = claims_apply(s, (enum ioreq_claim_kind)k, &s->claims.cur[k], &none, false);

		rc = rc ? rc : e;
	}
	s->claims.started = false;
	return rc;
}

void ioreq_server_claims(const struct ioreq_server *s, enum ioreq_claim_kind kind,
			 void (*fn)(void *ctx, uint64_t first, uint64_t last), void *ctx)
{
	const struct ioreq_rs *rs = &s->claims.cur[kind];

	for (size_t i = 0; i < rs->n; i++)
		fn(ctx, rs->r[i].base, rs->r[i].last);
}

/* Appends to buf at *pos, never past len. */
static void claims_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void claims_put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

int ioreq_server_describe(const struct ioreq_server *s, char *buf, size_t len)
{
	const struct ioreq_rs *cur = s->claims.cur;
	size_t pos = 0;
	char a[16], b[16];

	claims_put(buf, len, &pos, "claimed:");
	if (s->claims.leave_ports)
		claims_put(buf, len, &pos, " no ports (--leave-ports)");
	for (size_t i = 0; i < cur[IOREQ_CLAIM_PORT].n; i++)
		claims_put(buf, len, &pos, " ports 0x%llx-0x%llx",
			   (unsigned long long)cur[IOREQ_CLAIM_PORT].r[i].base,
			   (unsigned long long)cur[IOREQ_CLAIM_PORT].r[i].last);
	for (size_t i = 0; i < cur[IOREQ_CLAIM_MMIO].n; i++)
		claims_put(buf, len, &pos, " ecam 0x%llx-0x%llx",
			   (unsigned long long)cur[IOREQ_CLAIM_MMIO].r[i].base,
			   (unsigned long long)cur[IOREQ_CLAIM_MMIO].r[i].last);
	claims_put(buf, len, &pos, " pci");
	for (size_t i = 0; i < cur[IOREQ_CLAIM_PCI].n; i++) {
		const struct vt_range *r = &cur[IOREQ_CLAIM_PCI].r[i];

		vt_fmt_sbdf((uint32_t)r->base, a);
		vt_fmt_sbdf((uint32_t)r->last, b);
		if (r->base == r->last)
			claims_put(buf, len, &pos, " %s", a);
		else
			claims_put(buf, len, &pos, " %s-%s", a, b);
	}
	claims_put(buf, len, &pos, " (%zu of %d pci ranges)", cur[IOREQ_CLAIM_PCI].n,
		   IOREQ_MAX_RANGES);
	if (pos >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return 0;
}

int ioreq_claim_pci_each(uint64_t first, uint64_t last, bool map,
			 int (*one)(void *ctx, uint32_t sbdf, bool map), void *ctx)
{
	int first_rc = 0;

	for (uint64_t x = first; x <= last; x++) {
		int rc = one(ctx, (uint32_t)x, map);

		if (!rc)
			continue;
		if (!map) {
			/* Release the rest anyway: teardown must not stop halfway. */
			first_rc = first_rc ? first_rc : rc;
			continue;
		}
		while (x-- > first)
			one(ctx, (uint32_t)x, false);
		return rc;
	}
	return first_rc;
}
