/*
 * mapper/platform.c - the host's memory map and ACPI reserved-memory tables.
 *
 * The memmap layout is Linux's (drivers/firmware/memmap.c): a directory
 * per firmware entry, numbered from 0, with start and end (inclusive) as
 * 0x-prefixed hex and type as text, each one line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"

#define PLATFORM_ATTR_MAX 128 /* longest memmap attribute we accept */

enum map_region platform_memmap_kind(const char *type)
{
	return strcmp(type, "System RAM") == 0 ? MAP_REGION_RAM : MAP_REGION_RESERVED;
}

void platform_ranges_free(struct platform_ranges *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/* One attribute file of an entry, trailing newline and blanks removed. */
static int memmap_attr(const char *dir, const char *entry, const char *attr, char *out,
		       struct vt_err *err)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, entry, attr);
	f = fopen(path, "r");
	if (!f) {
		int e = errno;
		vt_errf(err, e, "%s: %s", path, strerror(e));
		return -e;
	}
	n = fread(out, 1, PLATFORM_ATTR_MAX, f);
	bool bad = ferror(f) || n == PLATFORM_ATTR_MAX;
	fclose(f);
	if (bad) {
		vt_errf(err, EINVAL, "%s: %s", path, n == PLATFORM_ATTR_MAX ? "too long" : "read error");
		return -EINVAL;
	}
	while (n > 0 && isspace((unsigned char)out[n - 1]))
		n--;
	out[n] = '\0';
	if (memchr(out, '\0', n)) {
		vt_errf(err, EINVAL, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	return 0;
}

static int memmap_number(const char *dir, const char *entry, const char *attr, uint64_t *v,
			 struct vt_err *err)
{
	char buf[PLATFORM_ATTR_MAX + 1];
	int rc = memmap_attr(dir, entry, attr, buf, err);

	if (rc < 0)
		return rc;
	if (vt_parse_u64(buf, v) < 0) {
		vt_errf(err, EINVAL, "%s/%s/%s: '%s' is not a number", dir, entry, attr, buf);
		return -EINVAL;
	}
	return 0;
}

static int ranges_push(struct platform_ranges *l, const struct platform_range *r)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct platform_range *n = realloc(l->r, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->r = n;
		l->cap = cap;
	}
	l->r[l->n++] = *r;
	return 0;
}

/* One numbered entry: start, end (inclusive), type. */
static int memmap_entry(const char *dir, const char *entry, struct platform_ranges *out,
			struct vt_err *err)
{
	char type[PLATFORM_ATTR_MAX + 1];
	struct platform_range r;
	int rc;

	if ((rc = memmap_number(dir, entry, "start", &r.range.base, err)) < 0 ||
	    (rc = memmap_number(dir, entry, "end", &r.range.last, err)) < 0 ||
	    (rc = memmap_attr(dir, entry, "type", type, err)) < 0)
		return rc;
	/* Linux prints end = start + size - 1: an empty entry ends just before it starts. */
	if (r.range.base != 0 && r.range.last == r.range.base - 1)
		return 0;
	if (r.range.last < r.range.base) {
		vt_errf(err, EINVAL, "%s/%s/end: 0x%llx is below start 0x%llx", dir, entry,
			(unsigned long long)r.range.last, (unsigned long long)r.range.base);
		return -EINVAL;
	}
	r.kind = platform_memmap_kind(type);
	if (ranges_push(out, &r) < 0) {
		vt_errf(err, ENOMEM, "%s: out of memory", dir);
		return -ENOMEM;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct platform_range *x = a, *y = b;

	if (x->range.base != y->range.base)
		return x->range.base < y->range.base ? -1 : 1;
	return x->range.last < y->range.last ? -1 : x->range.last > y->range.last;
}

int platform_memmap_load(const char *dir, struct platform_ranges *out, struct vt_err *err)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!dir)
		dir = PLATFORM_MEMMAP_DIR;
	d = opendir(dir);
	if (!d) {
		int e = errno;
		vt_errf(err, e, "%s: %s", dir, strerror(e));
		return -e;
	}
	/* readdir order is the file system's; the map is sorted afterwards. */
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (all_digits(de->d_name))
			rc = memmap_entry(dir, de->d_name, out, err);
	closedir(d);
	if (rc < 0) {
		platform_ranges_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->r, out->n, sizeof(*out->r), range_cmp);
	return 0;
}

/* One table: absent is fine, anything else wrong is an error. */
static int acpi_one(const char *dir, const char *name, struct acpi_rdm_list *out,
		    struct vt_err *err)
{
	bool dmar = strcmp(name, "DMAR") == 0;
	struct acpi_rdm_list l;
	char path[4096];
	uint8_t *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	rc = acpi_file_read(path, &buf, &len, err);
	if (rc < 0)
		return rc;
	/* The parser checks the signature, so an IVRS saved as DMAR is refused. */
	rc = dmar ? acpi_dmar_parse(buf, len, &l, err) : acpi_ivrs_parse(buf, len, &l, err);
	free(buf);
	if (rc < 0) {
		if (err) {
			char msg[sizeof(err->msg)];
			memcpy(msg, err->msg, sizeof(msg));
			vt_errf(err, -rc, "%s: %s", path, msg);
		}
		return rc;
	}
	rc = acpi_rdm_list_append(out, &l);
	if (rc < 0) {
		acpi_rdm_list_free(&l);
		vt_errf(err, ENOMEM, "%s: out of memory", path);
	}
	return rc;
}

int platform_acpi_load(const char *dir, struct acpi_rdm_list *out, struct vt_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!dir)
		dir = PLATFORM_ACPI_DIR;
	rc = acpi_one(dir, "DMAR", out, err);
	if (rc == 0)
		rc = acpi_one(dir, "IVRS", out, err);
	if (rc < 0)
		acpi_rdm_list_free(out);
	return rc;
}
