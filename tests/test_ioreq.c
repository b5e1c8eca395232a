/*
 * tests/test_ioreq.c - the ioreq module: range sets, the server core
 * (request types, refusals, events and the recording, claims and their
 * moves, the 256-range limit), and main() for all ioreq suites.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ioreq/private.h"
#include "ioreq_test.h"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */

const char *ti_machine_text(void)
{
	static char text[16384];
	struct vpci_dev_desc d;

	if (text[0])
		return text;
	strcpy(text, "ecam 0xb0000000 0x00-0x0f\n");
	tu_desc(&d, "00:00.0", 0x8086, 0x29c0, 0);
	tu_put(&d, 0x08, 4, 0x06000000);
	tu_desc_text(&d, text, sizeof(text));
	tu_desc(&d, "00:02.0", 0x8086, 0x10d3, 0);
	tu_put(&d, 0x10, 4, 0xe8000000);
	tu_put(&d, 0x18, 4, 0xd001);
	d.bar_size[0] = 0x20000;
	d.bar_size[2] = 0x20;
	tu_desc_text(&d, text, sizeof(text));
	tu_bridge(&d, "00:1c.0", 0, 1, 1);
	tu_put(&d, 0x00, 4, 0xa1108086);
	tu_desc_text(&d, text, sizeof(text));
	tu_desc(&d, "00:1c.0/00.0", 0x10ec, 0x8168, 0);
	tu_put(&d, 0x10, 4, 0xe001);
	tu_put(&d, 0x18, 4, 0xea000004);
	d.bar_size[0] = 0x100;
	d.bar_size[2] = 0x1000;
	tu_desc_text(&d, text, sizeof(text));
	return text;
}

int ti_core_open(struct ti_core *c, const char *machine, const struct map_ops *mops, void *mctx,
		 const struct ioreq_claim_ops *cops, void *cctx, const struct ioreq_opts *extra)
{
	struct ioreq_opts o = { 0 };
	struct vt_err err = { "" };
	int rc;

	memset(c, 0, sizeof(*c));
	vt_events_init(&c->ev);
	c->outf = open_memstream(&c->out, &c->outlen);
	c->recf = open_memstream(&c->rec, &c->reclen);
	c->m = vpci_machine_create(&c->ev, mops, mctx);
	if (extra)
		o = *extra;
	o.out = c->outf;
	o.record = c->recf;
	c->srv = c->m ? ioreq_server_create(c->m, cops, cctx, &o) : NULL;
	if (!c->srv)
		return -ENOMEM;
	rc = tu_machine_text(c->m, "machine", machine, &err);
	if (!rc)
		rc = vpci_machine_finish(c->m, &err);
	if (!rc)
		rc = ioreq_server_claim(c->srv, &err);
	TU_CHECK(!rc, "machine/claims: %s", err.msg);
	return rc;
}

void ti_core_close(struct ti_core *c)
{
	ioreq_server_destroy(c->srv);
	vpci_machine_destroy(c->m);
	if (c->outf)
		fclose(c->outf);
	if (c->recf)
		fclose(c->recf);
	free(c->out);
	free(c->rec);
	memset(c, 0, sizeof(*c));
}

const char *ti_core_out(struct ti_core *c)
{
	fflush(c->outf);
	return c->out ? c->out : "";
}

const char *ti_core_rec(struct ti_core *c)
{
	fflush(c->recf);
	return c->rec ? c->rec : "";
}

struct ioreq ti_req(unsigned type, bool write, uint64_t addr, unsigned size, uint64_t data)
{
	struct ioreq r;

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)type;
	r.dir = write ? IOREQ_WRITE : IOREQ_READ;
	r.addr = addr;
	r.size = size;
	r.count = 1;
	r.data = data;
	r.state = STATE_IOREQ_INPROCESS;
	return r;
}

size_t ti_count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The 1-based line number of the first line equal to want, 0 if none. */
static unsigned long line_of(const char *text, const char *want)
{
	unsigned long ln = 1;
	size_t wl = strlen(want);

	for (const char *p = text; *p; ln++) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (l == wl && !memcmp(p, want, wl))
			return ln;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* A claim backend that writes what it is asked into a text log.       */

struct claim_log {
	char text[8192];
	int fail_map; /* -errno to return from map (0: succeed) */
};

static int log_op(void *ctx, const char *op, enum ioreq_claim_kind k, uint64_t a, uint64_t b)
{
	struct claim_log *l = ctx;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s %s 0x%llx-0x%llx\n", op, ioreq_claim_name(k),
		 (unsigned long long)a, (unsigned long long)b);
	return 0;
}

static int log_map(void *ctx, enum ioreq_claim_kind k, uint64_t a, uint64_t b)
{
	struct claim_log *l = ctx;

	if (l->fail_map)
		return l->fail_map;
	return log_op(ctx, "map", k, a, b);
}

static int log_unmap(void *ctx, enum ioreq_claim_kind k, uint64_t a, uint64_t b)
{
	return log_op(ctx, "unmap", k, a, b);
}

static const struct ioreq_claim_ops claim_log_ops = { "log", log_map, log_unmap };

static struct map_record mrec;

/* ------------------------------------------------------------------ */
/* The server core                                                     */

static struct claim_log cl;

static int core_open(struct ti_core *c, const char *machine, const struct ioreq_opts *o)
{
	memset(&cl, 0, sizeof(cl));
	map_record_reset(&mrec);
	return ti_core_open(c, machine, &map_ops_record, &mrec, &claim_log_ops, &cl, o);
}

static uint64_t handle(struct ti_core *c, unsigned type, bool write, uint64_t addr, unsigned size,
		       uint64_t data)
{
	struct ioreq r = ti_req(type, write, addr, size, data);

	ioreq_server_handle(c->srv, &r);
	return r.data;
}

#define SBDF_REQ(sbdf, reg) ((uint64_t)(sbdf) << 32 | (reg))

static void test_core_three_mechanisms(void)
{
	struct ti_core c;

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	handle(&c, IOREQ_TYPE_PIO, true, 0xcf8, 4, TI_CF8(0, 2, 0, 0));
	TI_EQ(handle(&c, IOREQ_TYPE_PIO, false, 0xcfc, 4, 0), 0x10d38086);
	TI_EQ(handle(&c, IOREQ_TYPE_PIO, false, 0xcfe, 2, 0), 0x10d3);
	TI_EQ(handle(&c, IOREQ_TYPE_PIO, false, 0xcf8, 4, 0), TI_CF8(0, 2, 0, 0));
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x100, 0), 4, 0), 0x816810ec);
	TI_EQ(handle(&c, IOREQ_TYPE_COPY, false, TI_ECAM_ADDR(0, 0x1c, 0, 0), 4, 0), 0xa1108086);
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x18, 0), 4, 0), 0xffffffff);
	TU_STREQ(ti_core_rec(&c), "compare sizing map unmap move renumber refuse warn\n"
				  "pio w 0xcf8 4 0x80001000\n"
				  "pio r 0xcfc 4 0x10d38086\n"
				  "pio r 0xcfe 2 0x10d3\n"
				  "pio r 0xcf8 4 0x80001000\n"
				  "cfg r 0000:01:00.0 0x0 4 0x816810ec\n"
				  "mmio r 0xb00e0000 4 0xa1108086\n"
				  "cfg r 0000:00:03.0 0x0 4 0xffffffff\n");
	TI_EQ(ioreq_server_stats(c.srv)->accesses, 7);
	TI_EQ(ioreq_server_stats(c.srv)->reads, 6);
	ti_core_close(&c);
}

static void test_core_events_numbered(void)
{
	struct ti_core c;
	char want[128];
	unsigned long ln;

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x10, 0), 4, 0);
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0x10, 4), 2, 3);
	ln = line_of(ti_core_rec(&c), "cfg w 0000:00:02.0 0x4 2 0x3");
	TI_EQ(ln, 3);
	TI_EQ(line_of(ti_core_rec(&c), "expect map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff"), 4);
	TI_EQ(line_of(ti_core_rec(&c), "expect map 0000:00:02.0 bar2 io 0xd000-0xd01f"), 5);
	snprintf(want, sizeof(want), "%lu: map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff\n"
		 "%lu: map 0000:00:02.0 bar2 io 0xd000-0xd01f\n", ln, ln);
	TU_STREQ(ti_core_out(&c), want);
	/* The next access is numbered after the expect lines. */
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0x10, 4), 2, 0);
	TI_EQ(line_of(ti_core_rec(&c), "cfg w 0000:00:02.0 0x4 2 0x0"), 6);
	TU_CHECK(strstr(ti_core_out(&c), "6: unmap 0000:00:02.0 bar0") != NULL, "%s", ti_core_out(&c));
	TI_EQ(mrec.maps, 2);
	TI_EQ(mrec.unmaps, 2);
	ti_core_close(&c);
}

struct bad_case {
	const char *what;
	struct ioreq r;
	uint64_t want; /* data after handling */
};

static void test_core_refusals(void)
{
	struct ti_core c;
	struct bad_case k[] = {
		{ "data_is_ptr read", ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 4, 0x1234000), 0x1234000 },
		{ "rep count 2", ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 4, 0), 0xffffffff },
		{ "rep count 0", ti_req(IOREQ_TYPE_COPY, false, TI_ECAM, 2, 0), 0xffff },
		{ "size 3", ti_req(IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x10, 0), 3, 0), 0xffffff },
		{ "size 8 ECAM", ti_req(IOREQ_TYPE_COPY, false, TI_ECAM, 8, 0), ~0ULL },
		{ "size 0", ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 0, 7), ~0ULL },
		{ "size 16", ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 16, 7), ~0ULL },
		{ "register past 4 KiB", ti_req(IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x10, 0xffe), 4, 0), 0xffffffff },
		{ "port past 0xffff", ti_req(IOREQ_TYPE_PIO, false, 0x10000, 1, 0), 0xff },
		{ "timeoffset", ti_req(IOREQ_TYPE_TIMEOFFSET, false, 0, 4, 0), 0xffffffff },
		{ "type 0xff", ti_req(0xff, false, 0, 4, 0), 0xffffffff },
		{ "write data_is_ptr", ti_req(IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0x10, 4), 2, 0x1000), 0x1000 },
	};

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	k[0].r.data_is_ptr = 1;
	k[1].r.count = 2;
	k[2].r.count = 0;
	k[11].r.data_is_ptr = 1;
	for (size_t i = 0; i < VT_ARRAY_SIZE(k); i++) {
		ioreq_server_handle(c.srv, &k[i].r);
		TU_CHECK(k[i].r.data == k[i].want, "%s: data 0x%llx want 0x%llx", k[i].what,
			 (unsigned long long)k[i].r.data, (unsigned long long)k[i].want);
	}
	TI_EQ(ioreq_server_stats(c.srv)->refused, VT_ARRAY_SIZE(k));
	TI_EQ(ioreq_server_stats(c.srv)->accesses, 0);
	TU_STREQ(ti_core_rec(&c), "compare sizing map unmap move renumber refuse warn\n");
	TI_EQ(mrec.maps, 0); /* the refused command write changed nothing */
	/* still serving */
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x10, 0), 2, 0), 0x8086);
	ti_core_close(&c);
}

static void test_core_invalidate(void)
{
	struct ti_core c;
	struct ioreq r;

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	r = ti_req(IOREQ_TYPE_INVALIDATE, true, 0, 4, ~0ULL); /* as send_invalidate_ioreq() */
	ioreq_server_handle(c.srv, &r);
	TI_EQ(ioreq_server_stats(c.srv)->invalidates, 1);
	TI_EQ(ioreq_server_stats(c.srv)->refused, 0);
	TI_EQ(ioreq_server_stats(c.srv)->requests, 1);
	TU_STREQ(ti_core_rec(&c), "compare sizing map unmap move renumber refuse warn\n");
	ti_core_close(&c);
}

static void test_core_claims(void)
{
	struct ti_core c;
	char buf[512];

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	TU_STREQ(cl.text, "map port 0xcf8-0xcff\n"
			    "map mmio 0xb0000000-0xb0ffffff\n"
			    "map pci 0x0-0x0\n"
			    "map pci 0x10-0x10\n"
			    "map pci 0xe0-0xe0\n"
			    "map pci 0x100-0x100\n");
	ioreq_server_describe(c.srv, buf, sizeof(buf));
	TU_STREQ(buf, "claimed: ports 0xcf8-0xcff ecam 0xb0000000-0xb0ffffff pci 0000:00:00.0 "
		      "0000:00:02.0 0000:00:1c.0 0000:01:00.0 (4 of 256 pci ranges)");
	cl.text[0] = 0;
	TI_EQ(ioreq_server_unclaim(c.srv), 0);
	TU_STREQ(cl.text, "unmap pci 0x0-0x0\nunmap pci 0x10-0x10\nunmap pci 0xe0-0xe0\n"
			    "unmap pci 0x100-0x100\nunmap mmio 0xb0000000-0xb0ffffff\n"
			    "unmap port 0xcf8-0xcff\n");
	ti_core_close(&c);
}

static void test_core_renumber_moves_claims(void)
{
	struct ti_core c;

	if (core_open(&c, ti_machine_text(), NULL))
		return;
	cl.text[0] = 0;
	/* primary 0, secondary 5, subordinate 5 in one dword write */
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0xe0, 0x18), 4, 0x050500);
	TU_STREQ(cl.text, "unmap pci 0x100-0x100\nmap pci 0x500-0x500\n");
	TU_CHECK(strstr(ti_core_out(&c), ": renumber 0000:00:1c.0 secondary 01->05 subordinate 01->05") != NULL,
		 "%s", ti_core_out(&c));
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x500, 0), 4, 0), 0x816810ec);
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x100, 0), 4, 0), 0xffffffff);
	TI_EQ(ioreq_server_stats(c.srv)->claim_moves, 1);
	/* a write that moves nothing does not resync */
	cl.text[0] = 0;
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0xe0, 0x3c), 1, 0x0b);
	TU_STREQ(cl.text, "");
	/* secondary past subordinate: the device is unreachable, its claim goes */
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0xe0, 0x19), 1, 0x07);
	TU_STREQ(cl.text, "unmap pci 0x500-0x500\n");
	ti_core_close(&c);
}

static void test_core_claim_buses(void)
{
	struct vt_range buses[] = { { 2, 3 } };
	struct ioreq_opts o = { .claim_buses = buses, .nclaim_buses = 1 };
	struct ti_core c;

	if (core_open(&c, ti_machine_text(), &o))
		return;
	TU_CHECK(strstr(cl.text, "map pci 0x200-0x3ff\n") != NULL, "%s", cl.text);
	cl.text[0] = 0;
	handle(&c, IOREQ_TYPE_PCI_CONFIG, true, SBDF_REQ(0xe0, 0x18), 4, 0x020200);
	/* 02:00.0 lies in the claimed buses: only the old claim goes */
	TU_STREQ(cl.text, "unmap pci 0x100-0x100\n");
	TI_EQ(handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x200, 0), 2, 0), 0x10ec);
	ti_core_close(&c);
}

/* 257 functions no two adjacent: more PCI ranges than Xen allows one server. */
static char *many_text(void)
{
	size_t len = 300 * 2048;
	char *t = calloc(1, len);
	struct vpci_dev_desc d;

	for (unsigned i = 0; i < 257; i++) {
		char path[16];

		snprintf(path, sizeof(path), "%02x:%02x.0", i / 32, i % 32);
		tu_desc(&d, path, 0x1234, (uint16_t)i, 0);
		d.cfg_len = 64;
		tu_desc_text(&d, t, len);
	}
	return t;
}

static void test_core_range_limit(void)
{
	struct vt_range all[] = { { 0, 8 } };
	struct ioreq_opts o = { .claim_buses = all, .nclaim_buses = 1 };
	struct vt_events ev;
	struct vt_err err = { "" };
	struct vpci_machine *m;
	struct ioreq_server *s;
	char *text = many_text();

	vt_events_init(&ev);
	m = vpci_machine_create(&ev, &map_ops_record, &mrec);
	memset(&cl, 0, sizeof(cl));
	s = ioreq_server_create(m, &claim_log_ops, &cl, NULL);
	TI_EQ(tu_machine_text(m, "many", text, &err), 0);
	TI_EQ(vpci_machine_finish(m, &err), 0);
	TI_EQ(ioreq_server_claim(s, &err), -ENOSPC);
	TU_CHECK(strstr(err.msg, "257 pci claim ranges needed, Xen allows 256") &&
		 strstr(err.msg, "--claim-buses"), "%s", err.msg);
	TU_STREQ(cl.text, ""); /* checked before any call */
	ioreq_server_destroy(s);
	vpci_machine_destroy(m);

	vt_events_init(&ev);
	m = vpci_machine_create(&ev, &map_ops_record, &mrec);
	s = ioreq_server_create(m, &claim_log_ops, &cl, &o);
	tu_machine_text(m, "many", text, &err);
	vpci_machine_finish(m, &err);
	TI_EQ(ioreq_server_claim(s, &err), 0);
	TU_STREQ(cl.text, "map port 0xcf8-0xcff\nmap pci 0x0-0x8ff\n");
	ioreq_server_destroy(s);
	vpci_machine_destroy(m);
	free(text);
}

/* Events of vpci_machine_finish (line 0) are printed, never recorded (replay makes them again). */
static void test_core_line0(void)
{
	char *text = strdup(ti_machine_text());
	char *cmd = strstr(text, "device 00:02.0\n");
	struct ti_core c;

	/* 00:02.0 decodes memory from the start: command byte at 0x04 of row 00 */
	cmd = strstr(cmd, "\n00: ") + 1 + 3 + 4 * 3;
	memcpy(cmd, " 02", 3);
	if (core_open(&c, text, NULL))
		goto out;
	TU_STREQ(ti_core_out(&c), "0: map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff\n");
	TU_STREQ(ti_core_rec(&c), "compare sizing map unmap move renumber refuse warn\n");
	handle(&c, IOREQ_TYPE_PCI_CONFIG, false, SBDF_REQ(0x10, 4), 2, 0);
	TU_STREQ(ti_core_rec(&c), "compare sizing map unmap move renumber refuse warn\n"
				  "cfg r 0000:00:02.0 0x4 2 0x2\n");
	TU_STREQ(ti_core_out(&c), "0: map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff\n");
	/* teardown: unmap events one past the recording, not recorded */
	TI_EQ(ioreq_server_release(c.srv), 1);
	TU_STREQ(ti_core_out(&c), "0: map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff\n"
				  "3: unmap 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff\n");
	TI_EQ(ti_count(ti_core_rec(&c), "expect unmap"), 0);
	ti_core_close(&c);
out:
	free(text);
}

CU_TestInfo ti_core_tests[] = {
	{ "PIO cf8/cfc, PCI_CONFIG, ECAM COPY", test_core_three_mechanisms },
	{ "events numbered by the recording's lines", test_core_events_numbered },
	{ "refusals: defined results, nothing recorded", test_core_refusals },
	{ "INVALIDATE answered, not recorded", test_core_invalidate },
	{ "claims: ports, ECAM, SBDFs; release", test_core_claims },
	{ "renumbering moves the claims", test_core_renumber_moves_claims },
	{ "--claim-buses claims ahead", test_core_claim_buses },
	{ "256-range limit checked at start", test_core_range_limit },
	{ "line-0 events; teardown unmaps", test_core_line0 },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "ioreq: range sets", NULL, NULL, NULL, NULL, ti_rs_tests },
	{ "ioreq: server core", NULL, NULL, NULL, NULL, ti_core_tests },
	{ "ioreq: simulated hypervisor", NULL, NULL, NULL, NULL, ti_sim_tests },
	{ "ioreq: trace-driven guest", NULL, NULL, NULL, NULL, ti_trace_tests },
	{ "ioreq: Xen backend over libxensim", NULL, NULL, NULL, NULL, ti_xen_tests },
	{ "ioreq: vpcitrap serve/snapshot", NULL, NULL, NULL, NULL, ti_cli_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	int rc = tu_main(suites);

	tu_tmp_cleanup();
	return rc;
}
