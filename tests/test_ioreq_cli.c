/*
 * tests/test_ioreq_cli.c - `vpcitrap serve --sim` and `vpcitrap snapshot`
 * as a user runs them: a real QEMU boot trace (imported by import-qemu)
 * served on 4 simulated vCPUs, its --record replayed by `vpcitrap replay`
 * to the same events; SIGTERM and SIGKILL mid-run; usage errors; the
 * 256-range limit; a host device through libpci (dump method); snapshots.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ioreq_test.h"

#define VPCITRAP TOP_BUILDDIR "/tools/vpcitrap"
#define QEMU_C2  TOP_SRCDIR "/tests/data/qemu/c2_q35_assign_busses_busreserve/trace.log.xz"
#define DUMP     TOP_SRCDIR "/tests/data/lspci/dell-latitude-e6430.txt"

static char *__attribute__((returns_nonnull)) slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;

	if (!m)
		abort();
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	if (f)
		fclose(f);
	return buf ? buf : strdup("");
}

static char *path_in_tmp(const char *name)
{
	static char ring[16][512];
	static unsigned next;
	char *p = ring[next++ % 16];

	snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
	return p;
}

/* Run a shell command line; its exit status, or -1 if it died. */
static int __attribute__((format(printf, 1, 2))) run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Event lines with their "N: " prefix dropped, keeping only lines numbered <= max (0: all). */
static char *events_of(const char *text, unsigned long max, bool keep_numbers)
{
	char *out = calloc(1, strlen(text) + 1), *o = out;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
		char *end;
		unsigned long n = strtoul(p, &end, 10);

		if (end != p && end[0] == ':' && (!max || n <= max) && strncmp(end, ": mismatch", 10)) {
			const char *from = keep_numbers ? p : end + 2;

			memcpy(o, from, l - (size_t)(from - p));
			o += l - (size_t)(from - p);
		}
		p += l;
	}
	return out;
}

static unsigned long lines(const char *text)
{
	return (unsigned long)ti_count(text, "\n");
}

static unsigned long summary_field(const char *text, const char *field)
{
	const char *s = strstr(text, "summary ");
	const char *f = s ? strstr(s, field) : NULL;

	return f ? strtoul(f + strlen(field), NULL, 10) : (unsigned long)-1;
}

static const char *c2_trace(void)
{
	static const char *path;

	if (!path) {
		path = path_in_tmp("c2.trace");
		TI_EQ(run("%s import-qemu %s -o %s", VPCITRAP, QEMU_C2, path), 0);
	}
	return path;
}

/* The main contract: serve --sim on a real boot, its recording replays to the same output. */
static void test_cli_qemu_trace_replays(void)
{
	const char *trace = c2_trace();
	const char *rec = path_in_tmp("c2.rec"), *sout = path_in_tmp("c2.serve.out"),
		   *serr = path_in_tmp("c2.serve.err"), *rout = path_in_tmp("c2.replay.out"),
		   *src = path_in_tmp("c2.src.out");
	int src_rc, rc;
	char *s, *r, *o, *a, *b, *want, *rc_text, buf[64];

	src_rc = run("%s replay %s > %s", VPCITRAP, trace, src);
	TU_CHECK(src_rc == 0 || src_rc == 1, "replay of the source trace: %d", src_rc);
	rc = run("%s serve --sim %s --vcpus 4 --record %s > %s 2> %s", VPCITRAP, trace, rec, sout, serr);
	TI_EQ(rc, src_rc); /* the guest finds the same disagreements replay does */
	TI_EQ(run("%s replay %s > %s", VPCITRAP, rec, rout), 0);
	s = slurp(sout);
	r = slurp(rout);
	o = slurp(src);
	a = slurp(serr);
	snprintf(buf, sizeof(buf), "%lu reads differed", summary_field(o, "mismatches="));
	TU_CHECK(strstr(a, buf) != NULL, "stderr lacks '%s': %s", buf, a);
	TU_CHECK(strstr(a, "vpcitrap: serving simulated domain 1 (4 vCPUs); claimed: ports 0xcf8-0xcff ecam") != NULL,
		 "no claims line: %.300s", a);
	TI_EQ(summary_field(r, "mismatches="), 0);
	TU_CHECK(summary_field(r, "renumbers=") > 0, "no renumbering in c2?");
	/* serve's output up to the end of the recording is replay's, line for line */
	rc_text = slurp(rec);
	b = events_of(s, lines(rc_text), true);
	want = events_of(r, 0, true);
	TU_CHECK(!strcmp(b, want), "serve and replay of its recording differ (%lu vs %lu lines)",
		 lines(b), lines(want));
	free(b);
	free(want);
	/* and the same events, in the same order, as replay of the source trace */
	b = events_of(s, lines(rc_text), false);
	free(rc_text);
	want = events_of(o, 0, false);
	TU_CHECK(!strcmp(b, want), "events differ from the source trace's (%lu vs %lu)", lines(b),
		 lines(want));
	free(b);
	free(want);
	/* the summary is replay's, after the teardown unmaps */
	b = strstr(s, "summary ");
	TU_CHECK(b && !strcmp(b, strstr(r, "summary ")), "summaries differ");
	TU_CHECK(ti_count(s, ": unmap ") > ti_count(r, ": unmap "), "no teardown unmaps");
	free(s);
	free(r);
	free(o);
	free(a);
}

static void test_cli_vcpus_same_events(void)
{
	const char *trace = c2_trace(), *o1 = path_in_tmp("v1.out"), *o8 = path_in_tmp("v8.out");
	char *a, *b, *ea, *eb;

	run("%s serve --sim %s --vcpus 1 > %s 2>/dev/null", VPCITRAP, trace, o1);
	run("%s serve --sim %s --vcpus 8 > %s 2>/dev/null", VPCITRAP, trace, o8);
	a = slurp(o1);
	b = slurp(o8);
	ea = events_of(a, 0, false);
	eb = events_of(b, 0, false);
	TU_CHECK(strlen(ea) > 1000 && !strcmp(ea, eb), "1 and 8 vCPUs differ");
	free(a);
	free(b);
	free(ea);
	free(eb);
}

/* The c2 boot played ten times over (~400k accesses, seconds on one vCPU): room for a signal. */
static const char *long_trace(void)
{
	static const char *path;
	char *text, *body;
	FILE *f;

	if (path)
		return path;
	path = path_in_tmp("long.trace");
	text = slurp(c2_trace());
	body = strstr(text, "\npio ");
	f = fopen(path, "w");
	if (!body || !f)
		abort();
	fwrite(text, 1, (size_t)(body + 1 - text), f);
	for (int rep = 0; rep < 10; rep++) /* accesses only: the expects belong to the first pass */
		for (char *p = body + 1; *p;) {
			char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);

			if (strncmp(p, "expect ", 7) && strncmp(p, "compare ", 8))
				fwrite(p, 1, l, f);
			p += l;
		}
	fclose(f);
	free(text);
	return path;
}

/*
 * --leave-ports on a PVH-like guest (no device model): the real boot is
 * served as before but for the three reads of 0xcf8 itself (Linux's conf1
 * probe), which nobody answers: all ones, as docs/serve.md warns.
 */
static void test_cli_leave_ports(void)
{
	const char *trace = c2_trace();
	const char *sout = path_in_tmp("lp.out"), *serr = path_in_tmp("lp.err"), *src = path_in_tmp("lp.src");
	char *e, *o, *p, want[64];
	unsigned long n = 0, src_mm;

	TU_CHECK(run("%s replay %s > %s", VPCITRAP, trace, src) <= 1, "replay of the source trace failed");
	o = slurp(src);
	src_mm = summary_field(o, "mismatches=");
	free(o);
	TI_EQ(run("%s serve --sim %s --vcpus 2 --leave-ports --quiet > %s 2> %s", VPCITRAP, trace, sout, serr), 1);
	e = slurp(serr);
	TU_CHECK(strstr(e, "claimed: no ports (--leave-ports) ecam") != NULL, "claims line: %.300s", e);
	for (p = e; (p = strstr(p, " read 0xffffffff, the trace says 0x80")); p++)
		n++;
	TU_CHECK(n >= 1, "no latch read-back differed: %.300s", e);
	snprintf(want, sizeof(want), "%lu reads differed", src_mm + n);
	TU_CHECK(strstr(e, want) != NULL, "only the latch read-backs may differ (%lu of them): %.400s", n, e);
	free(e);
}

/*
 * A run interrupted by a signal once its recording holds more than min_cfg
 * served accesses (`cfg` lines; waiting at most 20 s); the status of the
 * child. Counted in lines, not bytes: the machine section comes first and is
 * written in stdio blocks, so a size alone can be reached before any access
 * was served (seen under load).
 */
static int run_and_signal(int sig, const char *rec, const char *out, const char *err, size_t min_cfg)
{
	const char *trace = long_trace();
	pid_t pid;
	int st;

	unlink(rec);
	pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
			_exit(99);
		execl(VPCITRAP, "vpcitrap", "serve", "--sim", trace, "--vcpus", "1", "--record", rec,
		      (char *)NULL);
		_exit(98);
	}
	for (int i = 0; i < 2000; i++) {
		char *r;
		size_t n;

		if (waitpid(pid, &st, WNOHANG) == pid)
			return st; /* ended before the signal: the caller's checks say so */
		r = slurp(rec); /* "" while it does not exist */
		n = ti_count(r, "\ncfg ");
		free(r);
		if (n > min_cfg)
			break;
		usleep(10000);
	}
	kill(pid, sig);
	waitpid(pid, &st, 0);
	return st;
}

static void test_cli_sigterm(void)
{
	const char *rec = path_in_tmp("term.rec"), *out = path_in_tmp("term.out"),
		   *err = path_in_tmp("term.err");
	int st = run_and_signal(SIGTERM, rec, out, err, 200);
	char *o = slurp(out), *e = slurp(err), *last;

	/* interrupted: status 0 (not 1: the guest stopped, it did not disagree) */
	TU_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x: %s", st, e);
	TU_CHECK(strstr(e, "stopping") != NULL, "%s", e);
	last = strrchr(o, '\n');
	while (last && last > o && last[-1] != '\n')
		last--;
	TU_CHECK(last && !strncmp(last, "summary ", 8), "last line: %s", last ? last : "");
	TI_EQ(run("%s replay %s > /dev/null", VPCITRAP, rec), 0);
	free(o);
	free(e);
}

/* A kill loses at most the request in flight: the recording up to it replays clean. */
static void test_cli_sigkill_record(void)
{
	const char *rec = path_in_tmp("kill.rec"), *out = path_in_tmp("kill.out"),
		   *err = path_in_tmp("kill.err"), *cut = path_in_tmp("kill.cut");
	int st = run_and_signal(SIGKILL, rec, out, err, 200);
	char *r = slurp(rec), *nl;
	FILE *f;

	TU_CHECK(WIFSIGNALED(st), "not killed: 0x%x", st);
	nl = strrchr(r, '\n');
	if (nl)
		nl[1] = 0; /* a line cut in the middle is the request in flight */
	TU_CHECK(ti_count(r, "\ncfg ") > 100, "too little recorded before the kill");
	f = fopen(cut, "w");
	fputs(r, f);
	fclose(f);
	TI_EQ(run("%s replay %s > /dev/null", VPCITRAP, cut), 0);
	free(r);
}

static void test_cli_usage(void)
{
	const char *t = tu_write("one.trace", "pio r 0xcf8 4\n"), *e = path_in_tmp("usage.err");
	char *m;

	TI_EQ(run("%s serve 2> %s", VPCITRAP, e), 2);
	TI_EQ(run("%s serve --domid 0 2> %s", VPCITRAP, e), 2);
	m = slurp(e);
	TU_CHECK(strstr(m, "cannot serve its own domain") != NULL, "%s", m);
	free(m);
	TI_EQ(run("%s serve --sim %s 2> %s", VPCITRAP, t, e), 2);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --domid 3 2> %s", VPCITRAP, t, e), 2);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --host zz 2> %s", VPCITRAP, t, e), 2);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --rdm policy=bogus 2> %s", VPCITRAP, t, e), 2);
	TI_EQ(run("%s serve --sim /nonexistent.trace --vcpus 1 2> %s", VPCITRAP, e), 2);
	m = slurp(e);
	TU_CHECK(strstr(m, "/nonexistent.trace") != NULL, "%s", m);
	free(m);
	/* on this machine there is no hypervisor: a clear message, status 2 */
	TI_EQ(run("%s serve --domid 3 > /dev/null 2> %s", VPCITRAP, e), 2);
	m = slurp(e);
#ifdef HAVE_XEN
	TU_CHECK(strstr(m, "hypervisor interface") || strstr(m, "does not exist"), "%s", m);
#else
	TU_CHECK(strstr(m, "built without Xen") != NULL, "%s", m);
#endif
	free(m);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --quiet > %s 2>/dev/null", VPCITRAP, t, e), 0);
	m = slurp(e);
	TU_CHECK(!strncmp(m, "summary accesses=1 ", 19) && lines(m) == 1, "--quiet printed: %s", m);
	free(m);
}

static void test_cli_range_limit(void)
{
	char *text = calloc(1, 300 * 200);
	const char *mach, *t = tu_write("lim.trace", "pio r 0xcf8 4\n"), *e = path_in_tmp("lim.err");
	char *m;

	for (unsigned i = 0; i < 257; i++) {
		size_t n = strlen(text);

		snprintf(text + n, 300 * 200 - n,
			 "device %02x:%02x.0\n00: 34 12 %02x 00 00 00 00 00 00 00 00 02 00 00 00 00\n"
			 "10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
			 "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
			 "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
			 i / 32, i % 32, i & 0xff);
	}
	mach = tu_write("lim.machine", text);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --machine %s > /dev/null 2> %s", VPCITRAP, t, mach, e), 2);
	m = slurp(e);
	TU_CHECK(strstr(m, "257 pci claim ranges needed, Xen allows 256") != NULL, "%s", m);
	free(m);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --machine %s --claim-buses 0-8 > /dev/null 2> %s",
		  VPCITRAP, t, mach, e), 0);
	m = slurp(e);
	TU_CHECK(strstr(m, "pci 0000:00:00.0-0000:08:1f.7 (1 of 256 pci ranges)") != NULL, "%s", m);
	free(m);
	free(text);
}

/* --host through libpci's dump method: the guest reads the dump's bytes; the recording replays. */
static void test_cli_host_libpci(void)
{
	const char *t = tu_write("host.trace", "pio w 0xcf8 4 0x80002800\npio r 0xcfc 4 0x01668086\n"
					       "pio w 0xcf8 4 0x80002808\npio r 0xcfc 4 0x03000009\n"
					       "mmio r 0xb0000000 4\n"),
		   *rec = path_in_tmp("host.rec"), *e = path_in_tmp("host.err");
	char *r, *m;

	TI_EQ(run("%s serve --sim %s --vcpus 2 --host 00:02.0@00:05.0 -A dump -O dump.name=%s "
		  "--record %s > /dev/null 2> %s", VPCITRAP, t, DUMP, rec, e), 0);
	m = slurp(e);
	r = slurp(rec);
	TU_CHECK(strstr(r, "\ndevice 00:05.0\n00: 86 80 66 01 07 04 90 00 09 00 00 03") != NULL,
		 "recording lacks the host device: %.400s / %s", r, m);
	TU_CHECK(strstr(r, "cfg r 0000:00:05.0 0x0 4 0x1668086") != NULL, "%.600s", r);
	TI_EQ(run("%s replay %s > /dev/null", VPCITRAP, rec), 0);
	TI_EQ(run("%s serve --sim %s --vcpus 1 --host 00:09.0 -A dump -O dump.name=%s > /dev/null 2> %s",
		  VPCITRAP, t, DUMP, e), 2);
	free(m);
	m = slurp(e);
	TU_CHECK(strstr(m, "host function 0000:00:09.0: no such function") != NULL, "%s", m);
	free(m);
	free(r);
}

/* An lspci dump as --machine: the recording carries it and replays alone. */
static void test_cli_dump_machine(void)
{
	const char *t = tu_write("dump.trace", "cfg r 0000:00:02.0 0x0 4 0x01668086\n"
					       "cfg r 0000:01:00.0 0x0 4 0x0dfc10de\n"),
		   *rec = path_in_tmp("dump.rec");
	char *r;

	TI_EQ(run("%s serve --sim %s --vcpus 2 --machine %s --record %s > /dev/null 2>&1", VPCITRAP, t,
		  DUMP, rec), 0);
	r = slurp(rec);
	TU_CHECK(strstr(r, "\ndevice 00:01.0/00.0\n") != NULL, "dump not in the recording: %.300s", r);
	TI_EQ(run("%s replay %s > /dev/null", VPCITRAP, rec), 0);
	free(r);
}

static size_t machine_ndev(const char *path, struct vt_err *err, int *rc)
{
	struct vt_events ev;
	struct vpci_machine *m;
	struct map_record rec = { 0 };
	size_t n;

	vt_events_init(&ev);
	m = vpci_machine_create(&ev, &map_ops_record, &rec);
	*rc = vpci_machine_load(m, path, NULL, err);
	if (!*rc)
		*rc = vpci_machine_finish(m, err);
	n = vpci_machine_ndev(m);
	vpci_machine_destroy(m);
	map_record_reset(&rec);
	return n;
}

static void test_cli_snapshot_dump(void)
{
	const char *out = path_in_tmp("snap-dump.machine");
	struct vt_err err = { "" };
	struct vpci_dump d = { 0 };
	char *text;
	int rc;

	size_t live = 0;

	TI_EQ(run("%s snapshot -o %s -A dump -O dump.name=%s --memmap none --acpi none 2> %s",
		  VPCITRAP, out, DUMP, path_in_tmp("snap-dump.err")), 0);
	TI_EQ(vpci_dump_parse(DUMP, &d, &err), 0);
	TI_EQ(d.n, 22);
	for (size_t i = 0; i < d.n; i++) /* 01:00.1 reads all ones in this dump: skipped */
		live += vt_le_get(d.fn[i].cfg, 2) != 0xffff;
	vpci_dump_free(&d);
	TI_EQ(live, 21);
	TI_EQ(machine_ndev(out, &err, &rc), live);
	TU_CHECK(rc == 0, "snapshot does not load: %s", err.msg);
	text = slurp(out);
	/* the dGPU behind root port 00:01.0 gets a path through it */
	TU_CHECK(strstr(text, "\ndevice 00:01.0/00.0\n") != NULL, "%.300s", text);
	free(text);
}

static void test_cli_snapshot_host(void)
{
	const char *out = path_in_tmp("snap-host.machine");
	struct vt_err err = { "" };
	size_t want = 0;
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	char *text;
	int rc;

	if (!dir || getuid() != 0) {
		if (dir)
			closedir(dir);
		fprintf(stderr, "\n  (no /sys/bus/pci or not root: host snapshot not checked) ");
		return;
	}
	while ((de = readdir(dir)))
		want += de->d_name[0] != '.';
	closedir(dir);
	TI_EQ(run("%s snapshot -o %s", VPCITRAP, out), 0);
	TI_EQ(machine_ndev(out, &err, &rc), want);
	TU_CHECK(rc == 0, "host snapshot does not load: %s", err.msg);
	text = slurp(out);
	if (access("/sys/firmware/memmap/0", R_OK) == 0)
		TU_CHECK(strstr(text, "\nram 0x") != NULL, "no ram lines");
	free(text);
}

CU_TestInfo ti_cli_tests[] = {
	{ "QEMU boot (c2) on 4 vCPUs: recording replays the same", test_cli_qemu_trace_replays },
	{ "1 and 8 vCPUs: the same events", test_cli_vcpus_same_events },
	{ "--leave-ports: the boot served but for the latch read-backs", test_cli_leave_ports },
	{ "SIGTERM mid-run: clean exit, recording replays", test_cli_sigterm },
	{ "SIGKILL mid-run: recording replays", test_cli_sigkill_record },
	{ "usage errors, no hypervisor, --quiet", test_cli_usage },
	{ "257 devices: refused at start; --claim-buses", test_cli_range_limit },
	{ "--host via libpci (dump method)", test_cli_host_libpci },
	{ "lspci dump as --machine: recording self-contained", test_cli_dump_machine },
	{ "snapshot of an lspci dump", test_cli_snapshot_dump },
	{ "snapshot of this host", test_cli_snapshot_host },
	CU_TEST_INFO_NULL,
};
