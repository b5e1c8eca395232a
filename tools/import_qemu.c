/*
 * tools/import_qemu.c - `vpcitrap import-qemu LOG -o TRACE [-v]`.
 *
 * Turns a QEMU `-trace` log (shared/traces/qemu/README.md) into a
 * self-contained trace: two passes over the log (import_qemu.h), and a dry
 * run of the second between them when a function has an indirect register
 * window (import_qemu_window.c). LOG may be `-` for standard input (spooled
 * to a temporary file for the later passes) or end in .xz (read through
 * `xz -dc`). Exit 0, or 2 with FILE:LINE: on
 * anything the log does not explain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "import_qemu.h"

struct iq_input {
	FILE *f;
	bool pipe;   /* popen()ed: pclose and check xz's status */
	FILE *spool; /* stdin: the copy pass 1 writes, pass 2 reads */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int open_input(struct iq *q, struct iq_input *in)
{
	char cmd[4200], *p = cmd;
	struct stat st;

	in->pipe = false;
	if (!strcmp(q->file, "-")) {
		in->f = in->spool ? in->spool : stdin;
		if (in->spool)
			rewind(in->spool);
		return 0;
	}
	if (stat(q->file, &st))
		return iq_fail(q, "%s: %s", q->file, strerror(errno));
	if (!S_ISREG(st.st_mode)) /* two passes: a pipe would be spooled, use - */
		return iq_fail(q, "%s: not a regular file", q->file);
	if (!ends_with(q->file, ".xz")) {
		in->f = fopen(q->file, "r");
		return in->f ? 0 : iq_fail(q, "%s: %s", q->file, strerror(errno));
	}
	/* Single-quote the name for the shell popen runs. */
	p += sprintf(p, "xz -dc -- '");
	for (const char *s = q->file; *s && p < cmd + sizeof(cmd) - 8; s++)
		p += *s == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *s);
	strcpy(p, "'");
	in->f = popen(cmd, "r");
	in->pipe = true;
	return in->f ? 0 : iq_fail(q, "%s: cannot run xz: %s", q->file, strerror(errno));
}

static int close_input(struct iq *q, struct iq_input *in, int rc)
{
	if (in->pipe) {
		int st = pclose(in->f);

		if (!rc && (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)))
			rc = iq_fail(q, "%s: xz -dc failed", q->file);
	} else if (in->f != stdin && in->f != in->spool) {
		fclose(in->f);
	}
	in->f = NULL;
	return rc;
}

static int run_pass(struct iq *q, struct iq_input *in, int pass)
{
	int rc;

	q->pass = pass;
	if (open_input(q, in))
		return -1;
	if (pass == 1 && in->f == stdin) {
		in->spool = tmpfile();
		if (!in->spool)
			return iq_fail(q, "-: cannot spool: %s", strerror(errno));
	}
	rc = iq_pass(q, in->f, pass == 1 && in->f == stdin ? in->spool : NULL);
	return close_input(q, in, rc);
}

/* Every pass starts from reset: no latch, no access pending, no counts. */
static void start_pass(struct iq *q)
{
	q->cf8 = 0;
	q->cf8_set = q->rd_valid = q->linux_marked = false;
	q->acc.valid = false;
	q->ndbg = 0;
	q->accesses = q->reads = q->writes = q->absent = q->expects = 0;
	q->ambiguous = q->offset_quirks = 0;
}

/*
 * Between the passes: finish every function; if some have an indirect
 * window, a dry run of pass 2 learns their registers. Then every function
 * is back at reset for pass 2.
 */
static int between_passes(struct iq *q, struct iq_input *in)
{
	bool windows = false;
	int rc;

	if (!q->ndev)
		return iq_fail(q, "%s: no pci_cfg_read or pci_cfg_write line: "
			       "not a log of QEMU's PCI trace events", q->file);
	for (unsigned i = 0; i < q->ndev; i++) {
		if (iq_dev_finish(q, q->dev[i]))
			return -1;
		iq_dev_rewind(q->dev[i]);
		windows |= q->dev[i]->win != NULL;
	}
	if (windows) {
		start_pass(q);
		q->dry = true;
		rc = run_pass(q, in, 2);
		q->dry = false;
		if (rc)
			return rc;
		for (unsigned i = 0; i < q->ndev; i++) {
			iq_win_finish(q->dev[i]);
			iq_dev_rewind(q->dev[i]);
		}
	}
	start_pass(q);
	return 0;
}

static void report(const struct iq *q)
{
	fprintf(stderr, "%s: %u functions, %lu accesses (%lu reads, %lu writes, %lu reads of "
		"no function), %lu expects\n", q->file, q->ndev, q->accesses, q->reads, q->writes,
		q->absent, q->expects);
	if (q->ambiguous || q->offset_quirks)
		fprintf(stderr, "%s: %lu ambiguous routings, %lu offsets decoded QEMU's way\n",
			q->file, q->ambiguous, q->offset_quirks);
	for (unsigned i = 0; i < q->ndev; i++) {
		const struct iq_dev *d = q->dev[i];

		fprintf(stderr, "  %-18s %-16s len %4u masks %2u volatile bits %3lu model misses "
			"%lu (header %lu)", d->path, d->type, d->cfg_len, d->nmask, d->volatile_bits,
			d->predicted_mm, d->predicted_mm_hdr);
		if (d->predicted_mm)
			fprintf(stderr, " first @0x%x line %lu", d->first_mm_off, d->first_mm_line);
		if (d->win)
			fprintf(stderr, "; window 0x%x/0x%x: %u registers, volatile bits %lu",
				d->win->sel, d->win->data, d->win->ngiven, d->win->volatile_bits);
		fputc('\n', stderr);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: vpcitrap import-qemu LOG -o TRACE [-v]\n"
			"  LOG: a QEMU -trace log (plain, .xz, or - for standard input)\n");
	return 2;
}

static int import(struct iq *q, const char *out)
{
	struct iq_input in = { 0 };
	bool to_stdout = !strcmp(out, "-"), regular = false;
	struct stat st;
	int rc = run_pass(q, &in, 1);

	if (!rc)
		rc = between_passes(q, &in);
	if (!rc) {
		q->out = to_stdout ? stdout : fopen(out, "w");
		if (!q->out)
			rc = iq_fail(q, "%s: %s", out, strerror(errno));
		/* Only a regular file is removed on failure (not /dev/null). */
		regular = q->out && !fstat(fileno(q->out), &st) && S_ISREG(st.st_mode);
	}
	if (!rc) {
		iq_emit_machine(q);
		rc = run_pass(q, &in, 2);
	}
	if (q->out && !to_stdout && fclose(q->out) && !rc)
		rc = iq_fail(q, "%s: %s", out, strerror(errno));
	if (q->out && to_stdout && fflush(stdout) && !rc)
		rc = iq_fail(q, "-: %s", strerror(errno));
	if (rc && regular && !to_stdout)
		unlink(out);
	if (in.spool)
		fclose(in.spool);
	return rc;
}

int cmd_import_qemu(int argc, char **argv)
{
	const char *log = NULL, *out = NULL;
	struct iq *q;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			continue;
		else if (!log && (argv[i][0] != '-' || !argv[i][1]))
			log = argv[i];
		else
			return usage();
	}
	if (!log || !out)
		return usage();
	q = calloc(1, sizeof(*q));
	if (!q) {
		fprintf(stderr, "import-qemu: out of memory\n");
		return 2;
	}
	q->file = log;
	q->name = strrchr(log, '/') ? strrchr(log, '/') + 1 : log;
	q->nroots = 1; /* root bus 0; others appear as the log reaches them */
	for (int i = 1; i < argc; i++)
		q->verbose |= !strcmp(argv[i], "-v");
	rc = import(q, out);
	if (rc)
		fprintf(stderr, "%s\n", q->err);
	else if (q->verbose)
		report(q);
	for (unsigned i = 0; i < q->ndev; i++) {
		free(q->dev[i]->win);
		free(q->dev[i]);
	}
	free(q);
	return rc ? 2 : 0;
}
