/* tests/core_util.c - helpers shared by the core's CUnit suites. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_util.h"

int tu_main(CU_SuiteInfo *suites)
{
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "suite registration failed: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_number_of_suites_failed())
		failures++;
	CU_cleanup_registry();
	tu_tmp_cleanup();
	return failures ? 1 : 0;
}

void tu_check(bool ok, unsigned line, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ok) {
		CU_assertImplementation(CU_TRUE, line, "", file, "", CU_FALSE);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
}

static void tu_ev_sink(void *ctx, const struct vt_event *e)
{
	struct tu_ev *t = ctx;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->text = realloc(t->text, t->cap * sizeof(*t->text));
		t->line = realloc(t->line, t->cap * sizeof(*t->line));
		if (!t->text || !t->line)
			abort();
	}
	vt_event_format(e, t->text[t->n], sizeof(t->text[0]));
	t->line[t->n] = e->line;
	t->n++;
}

void tu_ev_init(struct tu_ev *t)
{
	memset(t, 0, sizeof(*t));
	vt_events_init(&t->ev);
	vt_events_subscribe(&t->ev, tu_ev_sink, t);
}

void tu_ev_clear(struct tu_ev *t)
{
	t->n = 0;
}

void tu_ev_free(struct tu_ev *t)
{
	free(t->text);
	free(t->line);
	t->text = NULL;
	t->line = NULL;
	t->n = t->cap = 0;
}

const char *tu_ev_str(const struct tu_ev *t)
{
	static char buf[1 << 16];
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < t->n && o < sizeof(buf) - 256; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " | " : "", t->text[i]);
	return buf;
}

size_t tu_ev_count(const struct tu_ev *t, const char *prefix)
{
	size_t n = 0, l = strlen(prefix);

	for (size_t i = 0; i < t->n; i++)
		n += !strncmp(t->text[i], prefix, l);
	return n;
}

bool tu_ev_has(const struct tu_ev *t, const char *text)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->text[i], text))
			return true;
	return false;
}

void tu_put(struct vpci_dev_desc *d, unsigned reg, unsigned size, uint32_t val)
{
	vt_le_put(d->cfg + reg, size, val);
}

void tu_desc(struct vpci_dev_desc *d, const char *path, uint16_t vendor, uint16_t device,
	     uint8_t hdr_type)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->cfg_len = 256;
	tu_put(d, 0x00, 2, vendor);
	tu_put(d, 0x02, 2, device);
	tu_put(d, 0x08, 4, hdr_type == 1 ? 0x06040000 : 0x02000001); /* bridge / ethernet */
	d->cfg[0x0e] = hdr_type;
	d->file = "desc";
	d->line = 1;
}

void tu_bridge(struct vpci_dev_desc *d, const char *path, uint8_t pri, uint8_t sec, uint8_t sub)
{
	tu_desc(d, path, 0x8086, 0x2448, 1);
	d->cfg[0x18] = pri;
	d->cfg[0x19] = sec;
	d->cfg[0x1a] = sub;
}

void tu_desc_text(const struct vpci_dev_desc *d, char *buf, size_t len)
{
	size_t o = strlen(buf);

#define OUT(...) (o += (size_t)snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__))
	OUT("device %s%s\n", d->path,
	    d->rdm_policy == VT_POLICY_RELAXED ? " rdm_policy=relaxed" :
	    d->rdm_policy == VT_POLICY_STRICT ? " rdm_policy=strict" : "");
	for (unsigned row = 0; row < d->cfg_len; row += 16) {
		OUT("%02x:", row);
		for (unsigned i = 0; i < 16; i++)
			OUT(" %02x", d->cfg[row + i]);
		OUT("\n");
	}
	for (unsigned i = 0; i < 6; i++)
		if (d->bar_size[i])
			OUT("bar %u size 0x%llx\n", i, (unsigned long long)d->bar_size[i]);
	if (d->bar_size[VT_BAR_ROM])
		OUT("rom size 0x%llx\n", (unsigned long long)d->bar_size[VT_BAR_ROM]);
#undef OUT
}

int tu_machine_text(struct vpci_machine *m, const char *file, const char *text, struct vt_err *err)
{
	struct vpci_parser *p = vpci_parser_create(m);
	char *copy = strdup(text), *q = copy;
	unsigned long ln = 0;
	int rc = 0;

	if (!p || !copy)
		abort();
	/* Split by hand so that empty lines keep their numbers. */
	while (q && !rc) {
		char *nl = strchr(q, '\n');
		if (!nl && !*q)
			break; /* after the last newline */
		if (nl)
			*nl = 0;
		ln++;
		rc = vpci_parser_line(p, file, ln, q, err);
		if (rc == 0)
			rc = vt_err_at(err, EINVAL, file, ln, "not a machine line");
		rc = rc < 0 ? rc : 0;
		q = nl ? nl + 1 : NULL;
	}
	if (!rc)
		rc = vpci_parser_end(p, err);
	vpci_parser_destroy(p);
	free(copy);
	return rc;
}

static char tmpdir[256];

const char *tu_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(tmpdir, sizeof(tmpdir), "%s/vpcitrap-test-XXXXXX", base);
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			abort();
		}
	}
	return tmpdir;
}

const char *tu_write(const char *name, const char *text)
{
	static char ring[8][512];
	static unsigned next;
	char *path = ring[next++ % 8];
	FILE *f;

	snprintf(path, 512, "%s/%s", tu_tmpdir(), name);
	if (!(f = fopen(path, "w")) || fputs(text, f) == EOF || fclose(f)) {
		perror(path);
		abort();
	}
	return path;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tu_tmp_cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = 0;
}

uint64_t tu_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}
