/*
 * fuzz/fuzz_trace.c - a trace file (machine section, accesses, expect and
 * compare lines) through replay_run, as `vpcitrap replay --final` runs it:
 * the machine-file parser (vpci_parser_line), the trace-line parser
 * (vt_trace_parse), event text parsing and formatting, the whole access path.
 *
 * Machine lines that name files (`dmar FILE`, `ivrs FILE`, `memmap DIR`)
 * must not open whatever path the fuzzer spells (/dev/stdin blocks, /dev/zero
 * is slow): they are rewritten to name the input's own table, the bytes
 * after a line "%%table" (length and checksum made right, signature set by
 * the line's kind), or a fixed two-entry memmap directory.
 *
 * Checks: the exit status is 0, 1 or 2 and agrees with the mismatch count;
 * an error names the file (CONTRACT §4); the counts add up; a second run
 * prints the same bytes (no state survives a run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tools/replay.h"
#include "harness.h"

const char fuzz_name[] = "fuzz_trace";

static struct fz_file trace, table[2];
static char memmap[64];
static char *text;
static size_t text_cap;

static void put_file(const char *dir, const char *name, const char *s)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (!(f = fopen(p, "w")) || fputs(s, f) < 0 || fclose(f))
		abort();
}

/* /sys/firmware/memmap style: one directory per entry with start, end, type. */
static void make_memmap(void)
{
	char d[96];

	snprintf(memmap, sizeof(memmap), "/tmp/vpcitrap-fuzz-memmap-XXXXXX");
	if (!mkdtemp(memmap))
		abort();
	snprintf(d, sizeof(d), "%s/0", memmap);
	mkdir(d, 0755);
	put_file(d, "start", "0x0\n"), put_file(d, "end", "0x9efff\n"), put_file(d, "type", "System RAM\n");
	snprintf(d, sizeof(d), "%s/1", memmap);
	mkdir(d, 0755);
	put_file(d, "start", "0xfec00000\n"), put_file(d, "end", "0xfec00fff\n"), put_file(d, "type", "Reserved\n");
}

void fuzz_init(void)
{
	if (fz_file_open(&trace, "trace") || fz_file_open(&table[0], "dmar") ||
	    fz_file_open(&table[1], "ivrs"))
		abort();
	make_memmap();
}

/* The table bytes as a DMAR (0) or IVRS (1) with the right length and checksum. */
static void set_tables(const uint8_t *buf, size_t len)
{
	uint8_t *t = malloc(len ? len : 1), sum;

	if (!t)
		abort();
	for (int k = 0; k < 2; k++) {
		memcpy(t, buf, len);
		if (len >= 36) {
			memcpy(t, k ? "IVRS" : "DMAR", 4);
			vt_le_put(t + 4, 4, (uint32_t)len);
			t[9] = sum = 0;
			for (size_t i = 0; i < len; i++)
				sum = (uint8_t)(sum + t[i]);
			t[9] = (uint8_t)-sum;
		}
		fz_file_set(&table[k], t, len);
	}
	free(t);
}

static void append(size_t *n, const char *s, size_t len)
{
	if (*n + len + 1 > text_cap) {
		text_cap = (*n + len + 1) * 2;
		if (!(text = realloc(text, text_cap)))
			abort();
	}
	memcpy(text + *n, s, len);
	*n += len;
}

/* Copy the trace, rewriting the machine lines that name files. */
static size_t rewrite(const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (size_t at = 0; at < len;) {
		const uint8_t *nl = memchr(buf + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (buf + at)) + 1 : len - at;
		char *line = strndup((const char *)buf + at, l), *t[3];
		int nt;

		if (!line)
			abort();
		/* Exactly two tokens name a file (the parser's own tokenizer decides). */
		nt = vt_tokenize(line, t, 3);
		if (nt == 2 && (!strcmp(t[0], "dmar") || !strcmp(t[0], "ivrs") || !strcmp(t[0], "memmap"))) {
			char repl[96];
			int r = snprintf(repl, sizeof(repl), "%s %s\n", t[0],
					 t[0][0] == 'm' ? memmap : table[t[0][0] == 'i'].path);
			append(&n, repl, (size_t)r);
		} else {
			append(&n, (const char *)buf + at, l);
		}
		free(line);
		at += l;
	}
	return n;
}

/* Replay is deterministic: a second run prints the same bytes and counts (no hidden state). */
static int run_twice(const struct replay_opts *o, struct replay_stats *st, struct vt_err *err)
{
	char *out[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 };
	struct replay_stats s2;
	struct vt_err e2 = { { 0 } };
	int rc[2];

	for (int k = 0; k < 2; k++) {
		FILE *f = open_memstream(&out[k], &len[k]);
		if (!f)
			abort();
		rc[k] = replay_run(o, f, k ? &s2 : st, k ? &e2 : err);
		fclose(f);
	}
	FZ_CHECK(rc[0] == rc[1] && len[0] == len[1] && !memcmp(out[0], out[1], len[0]) &&
		 !memcmp(st, &s2, sizeof(s2)) && !strcmp(err->msg, e2.msg),
		 "replay_run is not deterministic: exit %d then %d, %zu then %zu bytes of output", rc[0],
		 rc[1], len[0], len[1]);
	free(out[0]);
	free(out[1]);
	return rc[0];
}

int fuzz_one(const uint8_t *buf, size_t len)
{
	static const char mark[] = "\n%%table\n";
	const uint8_t *split = memmem(buf, len, mark, sizeof(mark) - 1);
	size_t tlen = split ? (size_t)(split - buf) + 1 : len;
	struct replay_opts o = { .final = true };
	struct replay_stats st;
	struct vt_err err = { { 0 } };
	int rc;

	set_tables(split ? split + sizeof(mark) - 1 : buf, split ? len - tlen - (sizeof(mark) - 2) : 0);
	tlen = rewrite(buf, tlen);
	o.trace = fz_file_set(&trace, text, tlen);
	rc = run_twice(&o, &st, &err);
	FZ_CHECK(rc >= 0 && rc <= 2, "replay_run returned %d", rc);
	if (fz_verbose)
		fprintf(stderr, "  exit %d: %s; %lu accesses, %lu mismatches, %lu maps\n", rc,
			rc == 2 ? err.msg : "ok", st.accesses, st.mismatches, st.maps);
	if (rc == 2) {
		FZ_CHECK(err.msg[0], "replay_run failed without a message");
		FZ_CHECK(!strncmp(err.msg, o.trace, strlen(o.trace)) || strstr(err.msg, "out of memory"),
			 "error message does not name the file: '%s'", err.msg);
		return 0;
	}
	FZ_CHECK((rc == 1) == (st.mismatches > 0), "exit %d with %lu mismatches", rc, st.mismatches);
	FZ_CHECK(st.accesses == st.reads + st.writes, "accesses %lu != reads %lu + writes %lu",
		 st.accesses, st.reads, st.writes);
	return 0;
}
