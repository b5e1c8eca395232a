/*
 * tests/test_replay.c - `vpcitrap replay` (tools/replay.c, compiled in):
 * events and summary text, --final, --quiet, exit codes, expect / compare,
 * mismatches, errors naming file and line, and streaming in constant memory.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tools/replay.c"
#include "core_util.h"

/* ---- fixtures --------------------------------------------------------- */

/*
 * The machine: 00:02.0 with BAR0 32-bit 4 KiB at 0xfe000000, BAR1 I/O 32 at
 * 0xc000, BAR2 64-bit 1 MiB at 0x800000000 (command = `cmd`); a bridge
 * 00:1c.0 to bus 1 with 01:00.0 (1af4:1041) behind; ECAM at 0xe0000000.
 */
static const char *machine_text(uint16_t cmd, const char *extra)
{
	static char buf[8192];
	struct vpci_dev_desc d;

	snprintf(buf, sizeof(buf), "# test machine\nram 0x0-0x7fffffff\necam 0xe0000000 0-0xff\n%s",
		 extra ? extra : "");
	tu_desc(&d, "00:02.0", 0x8086, 0x10d3, 0);
	tu_put(&d, 0x04, 2, cmd);
	tu_put(&d, 0x10, 4, 0xfe000000);
	tu_put(&d, 0x14, 4, 0xc001);
	tu_put(&d, 0x18, 4, 0x0000000c);
	tu_put(&d, 0x1c, 4, 0x8);
	d.cfg_len = 64;
	d.bar_size[0] = 0x1000;
	d.bar_size[1] = 0x20;
	d.bar_size[2] = 0x100000;
	tu_desc_text(&d, buf, sizeof(buf));
	tu_bridge(&d, "00:1c.0", 0, 1, 1);
	d.cfg_len = 64;
	tu_desc_text(&d, buf, sizeof(buf));
	tu_desc(&d, "00:1c.0/00.0", 0x1af4, 0x1041, 0);
	tu_put(&d, 0x10, 4, 0xfd000000);
	d.bar_size[0] = 0x1000;
	d.cfg_len = 64;
	tu_desc_text(&d, buf, sizeof(buf));
	return buf;
}

struct run {
	int rc;
	char *out;
	struct vt_err err;
	struct replay_stats st;
};

static char *last_out;

/* Replay `trace` (written to a file) with options; output kept until the next run. */
static struct run run_opts(const char *trace, const char *machine, struct replay_opts o)
{
	struct run r = { 0 };
	size_t len = 0;
	FILE *f;

	free(last_out);
	last_out = NULL;
	f = open_memstream(&r.out, &len);
	CU_ASSERT_FATAL(f != NULL);
	o.trace = tu_write("t.trace", trace);
	if (machine)
		o.machine = tu_write("m.txt", machine);
	r.rc = replay_run(&o, f, &r.st, &r.err);
	fclose(f);
	last_out = r.out;
	return r;
}

static struct run run(const char *trace, const char *machine)
{
	return run_opts(trace, machine, (struct replay_opts){ 0 });
}

static const char *tpath(void)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/t.trace", tu_tmpdir());
	return p;
}

#define TU_OUT(r, want)                                                                       \
	tu_check(!strcmp((r).out, (want)), __LINE__, __FILE__, "output:\n%s--- want:\n%s", (r).out, \
		 (want))

/* ---- events and summary ------------------------------------------------ */

static const char trace_a[] =
	"pio w 0xcf8 4 0x80001010\n"              /* 1 */
	"pio w 0xcfc 4 0xffffffff\n"              /* 2 */
	"pio r 0xcfc 4 0xfffff000\n"              /* 3 */
	"pio w 0xcfc 4 0xfe000000\n"              /* 4 */
	"pio w 0xcf8 4 0x80001004\n"              /* 5 */
	"pio w 0xcfc 2 0x3\n"                     /* 6 */
	"cfg w 0000:00:02.0 0x10 4 0xfd800000\n"  /* 7 */
	"mmio r 0xe0100000 4 0x10411af4\n"        /* 8 */
	"cfg w 0000:00:1c.0 0x18 4 0x00020200\n"  /* 9 */
	"mmio r 0xe0200000 4 0x10411af4\n"        /* 10 */
	"mmio r 0xe0100000 4 0xffffffff\n"        /* 11 */
	"# a comment\n"                           /* 12 */
	"\n"                                      /* 13 */
	"cfg r 0000:00:02.0 0x4 2 0x0003\n";      /* 14 */

static const char events_a[] =
	"2: sizing 0000:00:02.0 bar0\n"
	"6: map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
	"6: map 0000:00:02.0 bar1 io 0xc000-0xc01f\n"
	"6: map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
	"7: move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
	"7: unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
	"7: map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
	"9: renumber 0000:00:1c.0 secondary 01->02 subordinate 01->02\n";

static const char summary_a[] =
	"summary accesses=12 reads=5 writes=7 mismatches=0 maps=4 unmaps=1 refusals=0 renumbers=1\n";

static const char final_a[] =
	"mapped 0000:00:02.0 bar1 io 0xc000-0xc01f\n"
	"mapped 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
	"mapped 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n";

static void test_events_summary(void)
{
	char want[4096];
	struct run r;

	/* Machine from --machine. */
	r = run(trace_a, machine_text(0, NULL));
	snprintf(want, sizeof(want), "%s%s", events_a, summary_a);
	TU_OUT(r, want);
	TU_EQ(r.rc, 0);
	CU_ASSERT(r.st.accesses == 12 && r.st.reads == 5 && r.st.writes == 7 && r.st.maps == 4 &&
		  r.st.unmaps == 1 && r.st.renumbers == 1 && r.st.mismatches == 0);

	/* The same machine as the trace's own machine section: line numbers shift. */
	char trace[16384];
	const char *mt = machine_text(0, NULL);
	unsigned shift = 0;
	for (const char *p = mt; *p; p++)
		shift += *p == '\n';
	snprintf(trace, sizeof(trace), "%s%s", mt, trace_a);
	r = run(trace, NULL);
	TU_EQ(r.rc, 0);
	char *o = want;
	for (const char *p = events_a; *p;) {
		unsigned long n = strtoul(p, (char **)&p, 10);
		const char *nl = strchr(p, '\n');
		o += sprintf(o, "%lu%.*s", n + shift, (int)(nl - p + 1), p);
		p = nl + 1;
	}
	strcpy(o, summary_a);
	TU_OUT(r, want);

	/* --final: the mapped set sorted by base, before the summary. */
	r = run_opts(trace_a, machine_text(0, NULL), (struct replay_opts){ .final = true });
	snprintf(want, sizeof(want), "%s%s%s", events_a, final_a, summary_a);
	TU_OUT(r, want);
	/* --quiet: only problems, and the summary. */
	r = run_opts(trace_a, machine_text(0, NULL), (struct replay_opts){ .quiet = true, .final = true });
	snprintf(want, sizeof(want), "%s%s", final_a, summary_a);
	TU_OUT(r, want);
	/* silent: nothing at all, the statistics still kept. */
	r = run_opts(trace_a, machine_text(0, NULL), (struct replay_opts){ .silent = true, .final = true });
	TU_OUT(r, "");
	CU_ASSERT(r.rc == 0 && r.st.accesses == 12 && r.st.maps == 4);

	/* The machine's initial state: events on line 0, mapped from the start. */
	r = run("cfg r 0000:00:02.0 0x4 2 0x2\n", machine_text(2, NULL));
	TU_OUT(r, "0: map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "0: map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		  "summary accesses=1 reads=1 writes=0 mismatches=0 maps=2 unmaps=0 refusals=0 renumbers=0\n");
	/* An empty trace: a summary of nothing. */
	r = run("", machine_text(0, NULL));
	TU_OUT(r, "summary accesses=0 reads=0 writes=0 mismatches=0 maps=0 unmaps=0 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 0);
}

static void test_refusals(void)
{
	struct run r;
	const char *m = machine_text(0, "rmrr 0xfe000000-0xfe000fff 00:02.0\nreserved 0xfd800000-0xfd8fffff\n");

	r = run("cfg w 0000:00:02.0 0x4 2 0x2\n"
		"cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		"cfg w 0000:00:02.0 0x10 4 0xfc000000\n", m);
	TU_OUT(r, "1: refuse 0000:00:02.0 bar0 0xfe000000-0xfe000fff rmrr 0xfe000000-0xfe000fff policy=strict\n"
		  "1: map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		  "2: move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
		  "2: refuse 0000:00:02.0 bar0 0xfd800000-0xfd800fff reserved 0xfd800000-0xfd8fffff policy=strict\n"
		  "3: move 0000:00:02.0 bar0 0xfd800000 -> 0xfc000000\n"
		  "3: map 0000:00:02.0 bar0 mem 0xfc000000-0xfc000fff\n"
		  "summary accesses=3 reads=0 writes=3 mismatches=0 maps=2 unmaps=0 refusals=2 renumbers=0\n");
	/* --rdm relaxed: the RMRR warns and maps; reserved memory still refuses. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n", m,
		     (struct replay_opts){ .rdm = "strategy=host,policy=relaxed", .quiet = true, .final = true });
	TU_OUT(r, "mapped 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "mapped 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		  "summary accesses=1 reads=0 writes=1 mismatches=0 maps=2 unmaps=0 refusals=0 renumbers=0\n");
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n", m, (struct replay_opts){ .rdm = "policy=relaxed" });
	CU_ASSERT(strstr(r.out, "1: warn 0000:00:02.0 bar0 0xfe000000-0xfe000fff rmrr 0xfe000000-0xfe000fff "
				"policy=relaxed\n1: map 0000:00:02.0 bar0 mem") != NULL);
}

/* ---- mismatches and exit codes ---------------------------------------- */

static void test_mismatch(void)
{
	struct run r;

	r = run("pio w 0xcf8 4 0x80001000\n"
		"pio r 0xcfc 4 0x10d38087\n"           /* wrong device id */
		"pio r 0xcfe 2 0x10d3\n"
		"mmio r 0xe0100002 2 0x1042\n"
		"cfg r 0000:00:02.0 0x10 4 0xfe000000\n"
		"cfg r 0000:00:02.0 0x10 1 0x100\n"    /* value wider than the access: compared masked */
		"cfg r 0000:00:03.0 0x0 4 0x0\n"       /* nobody there */
		"pio r 0xcf8 4 0x80001004\n"           /* the latch itself */
		"pio w 0xcf8 4 0x00001000\n"
		"pio r 0xcfc 1 0x86\n",                /* enable bit off */
		machine_text(0, NULL));
	TU_OUT(r, "2: mismatch 0000:00:02.0 reg 0x0 size 4 expected 0x10d38087 got 0x10d38086\n"
		  "4: mismatch 0000:01:00.0 reg 0x2 size 2 expected 0x1042 got 0x1041\n"
		  "7: mismatch 0000:00:03.0 reg 0x0 size 4 expected 0x0 got 0xffffffff\n"
		  "8: mismatch 0000:00:00.0 reg 0xcf8 size 4 expected 0x80001004 got 0x80001000\n"
		  "10: mismatch 0000:00:00.0 reg 0xcfc size 1 expected 0x86 got 0xff\n"
		  "summary accesses=10 reads=8 writes=2 mismatches=5 maps=0 unmaps=0 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 1);
	TU_EQ(r.st.mismatches, 5);
	/* Reads without a value are not compared. */
	r = run("cfg r 0000:00:03.0 0x0 4\npio r 0xcfc 4\n", machine_text(0, NULL));
	TU_EQ(r.rc, 0);
}

static void test_exit_codes(void)
{
	struct run r;
	struct replay_opts o = { 0 };
	struct vt_err err;
	FILE *devnull = fopen("/dev/null", "w");

	r = run("cfg r 0000:00:02.0 0x0 2 0x8086\n", machine_text(0, NULL));
	TU_EQ(r.rc, 0);
	r = run("cfg r 0000:00:02.0 0x0 2 0x8087\n", machine_text(0, NULL));
	TU_EQ(r.rc, 1);
	r = run("cfg r 0000:00:02.0 0x0 2 0x8087\ncfg r 0000:00:02.0 0x0 5\n", machine_text(0, NULL));
	TU_EQ(r.rc, 2); /* bad input wins over mismatches */
	/* A missing trace, a missing machine, a bad --rdm: 2 with a message. */
	o.trace = "/nonexistent/t.trace";
	TU_EQ(replay_run(&o, devnull, NULL, &err), 2);
	TU_CHECK(strstr(err.msg, "/nonexistent/t.trace") == err.msg, "message '%s'", err.msg);
	o.trace = tu_write("ok.trace", "cfg r 0000:00:02.0 0x0 2\n");
	o.machine = "/nonexistent/m.txt";
	TU_EQ(replay_run(&o, devnull, NULL, &err), 2);
	TU_CHECK(strstr(err.msg, "/nonexistent/m.txt") != NULL, "message '%s'", err.msg);
	o.machine = NULL;
	o.rdm = "policy=sloppy";
	TU_EQ(replay_run(&o, devnull, NULL, &err), 2);
	TU_CHECK(strstr(err.msg, "policy=sloppy") != NULL, "message '%s'", err.msg);
	fclose(devnull);
}

/* ---- expect and compare ----------------------------------------------- */

static void test_expect(void)
{
	const char *m = machine_text(0, NULL);
	struct run r;
	struct replay_opts q = { .quiet = true };

	/* Every event expected, in any order: nothing to say. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "expect map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
		     "expect move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
		     "expect unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "cfg r 0000:00:02.0 0x0 4\n",
		     m, q);
	TU_OUT(r, "summary accesses=3 reads=1 writes=2 mismatches=0 maps=3 unmaps=1 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 0);

	/* An expected event that did not happen, and one that happened unexpected. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "expect map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		     "expect move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
		     "expect unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfd900000-0xfd900fff\n"
		     "cfg r 0000:00:02.0 0x0 4\n",
		     m, q);
	TU_OUT(r, "7: missing map 0000:00:02.0 bar0 mem 0xfd900000-0xfd900fff\n"
		  "4: unexpected map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
		  "summary accesses=3 reads=1 writes=2 mismatches=2 maps=3 unmaps=1 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 1);

	/* The last access's leftovers are reported at the end. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "expect map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n",
		     m, q);
	TU_OUT(r, "1: unexpected map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "summary accesses=1 reads=0 writes=1 mismatches=1 maps=2 unmaps=0 refusals=0 renumbers=0\n");

	/* One event expected twice: the second is missing. */
	r = run_opts("cfg w 0000:00:02.0 0x10 4 0xffffffff\n"
		     "expect sizing 0000:00:02.0 bar0\n"
		     "expect sizing 0000:00:02.0 bar0\n",
		     m, q);
	TU_OUT(r, "3: missing sizing 0000:00:02.0 bar0\n"
		  "summary accesses=1 reads=0 writes=1 mismatches=1 maps=0 unmaps=0 refusals=0 renumbers=0\n");

	/* Expectations belong to the access before them, not to a later one. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "cfg r 0000:00:02.0 0x0 4\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n",
		     m, q);
	TU_OUT(r, "3: missing map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "summary accesses=2 reads=1 writes=1 mismatches=1 maps=2 unmaps=0 refusals=0 renumbers=0\n");

	/* Without a compare line, kinds are compared from the first expect line on. */
	r = run_opts("cfg w 0000:00:02.0 0x4 2 0x2\n"        /* before: not compared */
		     "cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		     "expect move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
		     "cfg w 0000:00:02.0 0x10 4 0xffffffff\n",  /* after: sizing, unmap unexpected */
		     m, q);
	TU_OUT(r, "2: unexpected unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "2: unexpected map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
		  "4: unexpected sizing 0000:00:02.0 bar0\n"
		  "4: unexpected unmap 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n"
		  "summary accesses=3 reads=0 writes=3 mismatches=4 maps=3 unmaps=2 refusals=0 renumbers=0\n");

	/* The machine's initial state is no access's doing: never unexpected. */
	r = run_opts("cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		     "expect move 0000:00:02.0 bar0 0xfe000000 -> 0xfd800000\n"
		     "expect unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n",
		     machine_text(2, NULL), q);
	TU_OUT(r, "summary accesses=1 reads=0 writes=1 mismatches=0 maps=3 unmaps=1 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 0);

	/* Renumber and refuse events are expectable too. */
	r = run_opts("cfg w 0000:00:1c.0 0x18 4 0x00030300\n"
		     "expect renumber 0000:00:1c.0 secondary 01->03 subordinate 01->03\n"
		     "cfg w 0000:03:00.0 0x4 2 0x2\n"
		     "expect refuse 0000:03:00.0 bar0 0xfd000000-0xfd000fff rmrr 0xfd000000-0xfd000fff policy=strict\n",
		     machine_text(0, "rmrr 0xfd000000-0xfd000fff\n"), q);
	TU_OUT(r, "summary accesses=2 reads=0 writes=2 mismatches=0 maps=0 unmaps=0 refusals=1 renumbers=1\n");
}

static void test_compare(void)
{
	const char *m = machine_text(0, NULL);
	struct run r;
	struct replay_opts q = { .quiet = true };

	/* compare map unmap: sizing and moves are not compared; maps are, even with no expect line. */
	r = run_opts("compare map unmap\n"
		     "cfg w 0000:00:02.0 0x10 4 0xffffffff\n"
		     "cfg w 0000:00:02.0 0x10 4 0xfe000000\n"
		     "cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "cfg w 0000:00:02.0 0x10 4 0xfd800000\n"
		     "expect unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		     "expect map 0000:00:02.0 bar0 mem 0xfd800000-0xfd800fff\n",
		     m, q);
	TU_OUT(r, "4: unexpected map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		  "summary accesses=4 reads=0 writes=4 mismatches=1 maps=3 unmaps=1 refusals=0 renumbers=0\n");
	TU_EQ(r.rc, 1);
	/* A compare line in the machine section applies from the start. */
	char trace[16384];
	snprintf(trace, sizeof(trace), "compare sizing\n%scfg w 0000:00:02.0 0x10 4 0xffffffff\n"
		 "cfg w 0000:00:02.0 0x4 2 0x2\n", m);
	r = run_opts(trace, NULL, q);
	CU_ASSERT(strstr(r.out, ": unexpected sizing 0000:00:02.0 bar0\nsummary") != NULL);
	TU_EQ(r.st.mismatches, 1);
	/* A later compare line changes the kinds from there on. */
	r = run_opts("compare sizing\n"
		     "cfg w 0000:00:02.0 0x4 2 0x2\n"
		     "compare map\n"
		     "cfg w 0000:00:02.0 0x4 2 0x0\n"
		     "cfg w 0000:00:02.0 0x4 2 0x2\n",
		     m, q);
	TU_OUT(r, "5: unexpected map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n"
		  "5: unexpected map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n"
		  "summary accesses=3 reads=0 writes=3 mismatches=2 maps=4 unmaps=2 refusals=0 renumbers=0\n");
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors(void)
{
	static const struct { const char *trace, *msg; } c[] = {
		{ "cfg r 0000:00:02.0 0x0 4\npio r 0xcfc 3\n", ":2: bad size '3' (1, 2 or 4)" },
		{ "cfg r 0000:00:02.0 0x0 4\npio x 0xcfc 4\n", ":2: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "cfg r 0000:00:02.0 0x0 4\npio r 0x10000 4\n", ":2: bad port '0x10000'" },
		{ "cfg r 0000:00:02.0 0x0 4\npio w 0xcfc 4\n", ":2: a write needs a VALUE" },
		{ "cfg r 0000:00:02.0 0x0 4\npio r 0xcfc 4 0x100000000\n", ":2: bad value '0x100000000'" },
		{ "cfg r 0000:00:02.0 0x0 4\nmmio r zz 4\n", ":2: bad address 'zz'" },
		{ "cfg r 0000:00:02.0 0x0 4\nmmio r 0xe0000000\n", ":2: expected 'mmio r|w ADDR SIZE [VALUE]'" },
		{ "cfg r 0000:00:02.0 0x0 4\ncfg r 00:02.8 0x0 4\n", ":2: bad SBDF '00:02.8'" },
		{ "cfg r 0000:00:02.0 0x0 4\ncfg r 00:02.0 0x1000 4\n", ":2: bad register '0x1000'" },
		{ "cfg r 0000:00:02.0 0x0 4\ncfg r 00:02.0 0x0\n", ":2: expected 'cfg r|w SBDF REG SIZE [VALUE]'" },
		{ "cfg r 0000:00:02.0 0x0 4\nexpect map 0000:00:02.0 bar0 mem\n", ":2: bad event in expect line" },
		{ "cfg r 0000:00:02.0 0x0 4\nexpect\n", ":2: bad event in expect line" },
		{ "cfg r 0000:00:02.0 0x0 4\ncompare\n", ":2: compare needs event kinds" },
		{ "cfg r 0000:00:02.0 0x0 4\ncompare maps\n", ":2: unknown event kind 'maps'" },
		{ "cfg r 0000:00:02.0 0x0 4\npio r 0xcfc 4 1 2 3 4 5 6 7 8 9 10 11 12 13\n", ":2: too many fields" },
		{ "# c\nexpect sizing 0000:00:02.0 bar0\n", ":2: 'expect' before any access" },
		{ "cfg r 0000:00:02.0 0x0 4\n\nram 0x0-0xfff\n",
		  ":3: not a trace line (machine lines must come before the first access)" },
		{ "cfg r 0000:00:02.0 0x0 4\nfrobnicate\n",
		  ":2: not a trace line (machine lines must come before the first access)" },
		/* The machine section of the trace. */
		{ "frobnicate\ncfg r 0000:00:02.0 0x0 4\n", ":1: unknown line" },
		{ "device 00:05.0\n00: zz\n", ":2: bad byte 'zz'" },
		{ "ram 0x1000\n", ":1: expected 'ram BASE-LAST'" },
		{ "rdm policy=none\n", ":1: expected 'rdm strategy=host,policy=strict|relaxed'" },
		{ "device 00:05.0\n00: 00 00\ncfg r 0000:00:05.0 0x0 4\n",
		  ":1: device 00:05.0: fewer than 64 config bytes" },
		{ "ram 0x0-0xfff\ndevice 00:1d.0/00.0\n"
		  "00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "cfg r 0000:00:02.0 0x0 4\n",
		  ":2: device 00:1d.0/00.0: no device 00:1d.0 above it" },
		{ "ram 0x0-0xfff\ndevice 00:1d.0/00.0\n"
		  "00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		  "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
		  ":2: device 00:1d.0/00.0: no device 00:1d.0 above it" }, /* a machine and no access */
	};
	char want[512];

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		struct run r = run(c[i].trace, machine_text(0, NULL));
		snprintf(want, sizeof(want), "%s%s", tpath(), c[i].msg);
		TU_CHECK(r.rc == 2, "case %zu: rc %d", i, r.rc);
		TU_CHECK(!strcmp(r.err.msg, want), "case %zu: message '%s', want '%s'", i, r.err.msg, want);
	}
	/* Errors of a --machine file name it. */
	char m[16384];
	snprintf(m, sizeof(m), "%sbar 9 size 0x1000\n", machine_text(0, NULL));
	struct run r = run("cfg r 0000:00:02.0 0x0 4\n", m);
	unsigned lines = 0;
	for (const char *p = m; *p; p++)
		lines += *p == '\n';
	snprintf(want, sizeof(want), "%s/m.txt:%u: expected 'bar N size SIZE' with N 0..5", tu_tmpdir(), lines);
	TU_EQ(r.rc, 2);
	TU_STREQ(r.err.msg, want);
}

/* ---- streaming -------------------------------------------------------- */

static void test_streaming(void)
{
	const unsigned long nlines = 2000000;
	const char *mt = machine_text(0, NULL);
	char path[512], outpath[512];
	FILE *f;
	pid_t pid;
	int status;
	struct rusage ru;

	snprintf(path, sizeof(path), "%s/big.trace", tu_tmpdir());
	snprintf(outpath, sizeof(outpath), "%s/big.out", tu_tmpdir());
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(mt, f);
	unsigned long n = 0;
	for (const char *p = mt; *p; p++)
		n += *p == '\n';
	/* Reads, writes with events, expect lines and comments: every path of the loop. */
	bool pad = false;
	for (unsigned long i = 0; n < nlines; i++) {
		pad |= i % 8 == 0 && n + 8 > nlines; /* whole cycles, then comments to the end */
		switch (pad ? 8 : i % 8) {
		case 0: fputs("pio w 0xcf8 4 0x80001004\n", f); break;
		case 1: fputs("pio w 0xcfc 2 0x2\n", f); break;
		case 2: fputs("expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n", f); break;
		case 3: fputs("expect map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n", f); break;
		case 4: fputs("cfg w 0000:00:02.0 0x4 2 0x0\n", f); break;
		case 5: fputs("expect unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff\n", f); break;
		case 6: fputs("expect unmap 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff\n", f); break;
		case 7: fputs("mmio r 0xe0010000 4 0x10d38086 # read\n", f); break;
		default: fputs("# padding\n", f); break;
		}
		n++;
	}
	CU_ASSERT_FATAL(fclose(f) == 0);

	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct replay_opts o = { .trace = path };
		struct vt_err err;
		FILE *out = fopen(outpath, "w");
		int rc = out ? replay_run(&o, out, NULL, &err) : 3;
		if (rc == 2)
			fprintf(out, "error: %s\n", err.msg);
		fclose(out);
		_exit(rc);
	}
	CU_ASSERT_FATAL(wait4(pid, &status, 0, &ru) == pid);
	TU_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "replay of %lu lines: status 0x%x", nlines, status);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's quarantine keeps freed memory resident: the bound means nothing there. */
	fprintf(stderr, "\n    (AddressSanitizer build: RSS bound not checked)");
#else
	TU_CHECK(ru.ru_maxrss < 16 * 1024, "peak RSS %ld KiB for %lu lines", ru.ru_maxrss, nlines);
#endif
	fprintf(stderr, "\n    (2M-line replay: peak RSS %ld KiB)  ", ru.ru_maxrss);

	/* The output: four events a cycle, and the summary last. */
	char line[512], last[512] = "";
	unsigned long nout = 0;
	f = fopen(outpath, "r");
	CU_ASSERT_FATAL(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		strcpy(last, line);
		nout++;
	}
	fclose(f);
	unsigned long cycles = nlines / 8;
	TU_CHECK(!strncmp(last, "summary accesses=", 17), "last line '%s'", last);
	TU_CHECK(strstr(last, " mismatches=0 ") != NULL, "last line '%s'", last);
	TU_CHECK(strtoul(last + 17, NULL, 10) > 4 * (cycles - 8), "last line '%s'", last);
	TU_CHECK(nout > 4 * (cycles - 8), "%lu output lines", nout);
	remove(path);
	remove(outpath);
}

static CU_TestInfo text_tests[] = {
	{ "events, summary, --final, --quiet", test_events_summary },
	{ "refusals and --rdm", test_refusals },
	{ "mismatches", test_mismatch },
	{ "exit codes 0/1/2", test_exit_codes },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo expect_tests[] = {
	{ "expect: met, missing, unexpected", test_expect },
	{ "compare lines", test_compare },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
	{ "every malformed line names file and line", test_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo stream_tests[] = {
	{ "2 million lines in constant memory", test_streaming },
	CU_TEST_INFO_NULL,
};

static int cleanup(void)
{
	free(last_out);
	last_out = NULL;
	return 0;
}

static CU_SuiteInfo suites[] = {
	{ "replay: output", NULL, cleanup, NULL, NULL, text_tests },
	{ "replay: expect and compare", NULL, cleanup, NULL, NULL, expect_tests },
	{ "replay: errors", NULL, cleanup, NULL, NULL, error_tests },
	{ "replay: streaming", NULL, cleanup, NULL, NULL, stream_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
