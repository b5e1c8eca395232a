/*
 * mapper/acpi.c - binary DMAR (Intel VT-d spec, chapter 8) and IVRS (AMD
 * IOMMU spec 48882, section 5.2) parsing.
 *
 * Trust flows from the outside in: the buffer bounds the table length, the
 * table length bounds every structure, every structure bounds its device
 * scopes. Each field is read only after the bound of its container has been
 * checked, so a truncated or lying table is an error naming the offset of the
 * structure that lies, never a read past the end. Structures that cannot
 * hold reserved memory are skipped, but only once their length is proven.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define ACPI_HDR_LEN  36 /* ACPI 5.2.6: the header every SDT starts with */
#define DMAR_HDR_LEN  48 /* VT-d 8.1: + host address width, flags, 10 reserved */
#define IVRS_HDR_LEN  48 /* AMD IOMMU 5.2.1: + IVinfo, 8 reserved */
#define ACPI_FILE_MAX (16u << 20) /* far beyond any real table; bounds a read of /dev/zero */

/* VT-d 8.3.1: type, length, flags, reserved, enumeration id, start bus. */
#define DMAR_SCOPE_HDR 6

/* VT-d 8.2: remapping structure types; minimum lengths from 8.3-8.9. */
struct dmar_kind {
	const char *name;
	uint16_t min_len;   /* fixed part */
	bool scoped;        /* device scopes follow the fixed part */
};
static const struct dmar_kind dmar_kinds[] = {
	{ "DRHD", 16, true },  /* 8.3 */
	{ "RMRR", 24, true },  /* 8.4 */
	{ "ATSR", 8, true },   /* 8.5 */
	{ "RHSA", 20, false }, /* 8.6 */
	{ "ANDD", 8, false },  /* 8.7: the rest is the object name */
	{ "SATC", 8, true },   /* 8.8 */
	{ "SIDP", 8, true },   /* 8.9 (VT-d 4.1) */
};
#define DMAR_TYPE_RMRR 1

/* IVRS sub-table types (AMD IOMMU 5.2.2, 5.2.3). */
#define IVHD_10 0x10
#define IVHD_11 0x11
#define IVHD_40 0x40
#define IVMD_ALL    0x20
#define IVMD_SELECT 0x21
#define IVMD_RANGE  0x22
#define IVMD_LEN    32

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return vt_le_get(p, 4);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

__attribute__((format(printf, 4, 5)))
static int acpi_bad(struct vt_err *err, const char *sig, size_t off, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	vt_errf(err, EINVAL, "%s offset 0x%zx: %s", sig, off, what);
	return -EINVAL;
}

/* Fuzzed signatures end up in messages: keep them printable. */
static void sig_printable(const uint8_t *p, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[4] = '\0';
}

/*
 * ACPI 5.2.6: signature, length, and a checksum making all bytes of the
 * table sum to zero. The buffer must hold exactly the table: a length that
 * disagrees with the buffer either way is a lie about one of them.
 */
static int acpi_header_check(const uint8_t *buf, size_t len, const char *sig, size_t hdr_len,
			     struct vt_err *err)
{
	char got[5];
	uint8_t sum = 0;

	if (len < 4 || memcmp(buf, sig, 4) != 0) {
		if (len < 4)
			return acpi_bad(err, sig, len, "truncated: %zu bytes, no signature", len);
		sig_printable(buf, got);
		return acpi_bad(err, sig, 0, "signature is '%s', not %s", got, sig);
	}
	if (len < hdr_len)
		return acpi_bad(err, sig, len, "truncated: %zu bytes, the %s header needs %zu",
				len, sig, hdr_len);
	uint32_t tlen = rd32(buf + 4);
	if (tlen < hdr_len)
		return acpi_bad(err, sig, 4, "table length %u is shorter than the %zu-byte header",
				tlen, hdr_len);
	if (tlen > len)
		return acpi_bad(err, sig, len, "truncated: table length is %u, only %zu bytes present",
				tlen, len);
	if (tlen < len)
		return acpi_bad(err, sig, tlen, "%zu bytes after the table's end (table length %u)",
				len - tlen, tlen);
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + buf[i]);
	if (sum != 0)
		return acpi_bad(err, sig, 9, "checksum 0x%02x is wrong: the table sums to 0x%02x, not 0",
				buf[9], sum);
	return 0;
}

/*
 * Common to both tables' sub-structures (VT-d 8.2, AMD 5.2.2): a length at
 * byte 2 that must cover its own fixed part and stay inside the table.
 */
static int sub_len_check(const uint8_t *buf, size_t tlen, size_t off, const char *sig,
			 const char *name, size_t min_len, size_t *slen, struct vt_err *err)
{
	if (tlen - off < 4)
		return acpi_bad(err, sig, off, "%zu bytes left, too few for a structure header",
				tlen - off);
	*slen = rd16(buf + off + 2);
	if (*slen > tlen - off)
		return acpi_bad(err, sig, off, "%s length %zu runs past the table's end (%zu bytes left)",
				name, *slen, tlen - off);
	if (*slen < min_len)
		return acpi_bad(err, sig, off, "%s length %zu is shorter than its %zu-byte header",
				name, *slen, min_len);
	return 0;
}

static int rdm_push(struct acpi_rdm_list *l, const struct acpi_rdm *r)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct acpi_rdm *n = realloc(l->rdm, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->rdm = n;
		l->cap = cap;
	}
	l->rdm[l->n++] = *r;
	return 0;
}

void acpi_rdm_list_free(struct acpi_rdm_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rdm[i].scope);
	free(l->rdm);
	memset(l, 0, sizeof(*l));
}

int acpi_rdm_list_append(struct acpi_rdm_list *dst, struct acpi_rdm_list *src)
{
	if (dst->n + src->n > dst->cap) {
		struct acpi_rdm *n = realloc(dst->rdm, (dst->n + src->n) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		dst->rdm = n;
		dst->cap = dst->n + src->n;
	}
	if (src->n)
		memcpy(dst->rdm + dst->n, src->rdm, src->n * sizeof(*src->rdm));
	dst->n += src->n;
	free(src->rdm); /* the scopes now belong to dst */
	memset(src, 0, sizeof(*src));
	return 0;
}

/* VT-d 8.3.1: one scope entry at off; its length was checked by the caller. */
static int dmar_scope_fill(const uint8_t *s, size_t off, uint16_t seg, struct acpi_scope *out,
			   struct vt_err *err)
{
	size_t nhops = (s[1] - DMAR_SCOPE_HDR) / 2;

	if (nhops > ACPI_PATH_MAX)
		return acpi_bad(err, "DMAR", off, "device scope path of %zu hops, more than %d supported",
				nhops, ACPI_PATH_MAX);
	out->type = s[0];
	out->segment = seg;
	out->bus = s[5];
	out->nhops = (uint8_t)nhops;
	for (size_t i = 0; i < nhops; i++) {
		uint8_t dev = s[6 + 2 * i], fn = s[7 + 2 * i];
		/* 8.3.1.1: a path entry names a PCI device (0-31) and function (0-7). */
		if (dev > 0x1f || fn > 7)
			return acpi_bad(err, "DMAR", off + 6 + 2 * i,
					"device scope path entry %02x.%02x is not a PCI dev.fn", dev, fn);
		out->devfn[i] = VT_DEVFN(dev, fn);
	}
	return 0;
}

/*
 * Walk the device scopes in [off, end) of one structure (VT-d 8.3.1):
 * length = 6 + 2 * path entries, at least one entry, and inside the
 * structure (not merely inside the table). With out, fill them too.
 * Returns the number of scopes or -EINVAL.
 */
static int dmar_scopes(const uint8_t *buf, size_t off, size_t end, uint16_t seg,
		       struct acpi_scope *out, struct vt_err *err)
{
	int n = 0;

	while (off < end) {
		if (end - off < 2)
			return acpi_bad(err, "DMAR", off, "device scope header cut by its structure's end");
		size_t slen = buf[off + 1];
		if (slen < DMAR_SCOPE_HDR + 2 || slen % 2)
			return acpi_bad(err, "DMAR", off,
					"device scope length %zu is not 6 + 2 per path entry", slen);
		if (slen > end - off)
			return acpi_bad(err, "DMAR", off,
					"device scope length %zu runs past its structure's end (%zu bytes left)",
					slen, end - off);
		if (out && dmar_scope_fill(buf + off, off, seg, &out[n], err) < 0)
			return -EINVAL;
		n++;
		off += slen;
	}
	return n;
}

/* VT-d 8.4: reserved, segment, base, limit (inclusive), device scopes. */
static int dmar_rmrr(const uint8_t *buf, size_t off, size_t slen, struct acpi_rdm_list *out,
		     struct vt_err *err)
{
	const uint8_t *p = buf + off;
	struct acpi_rdm r = { .segment = rd16(p + 6), .offset = (uint32_t)off };

	r.range.base = rd64(p + 8);
	r.range.last = rd64(p + 16);
	if (r.range.last < r.range.base)
		return acpi_bad(err, "DMAR", off, "RMRR limit 0x%llx is below its base 0x%llx",
				(unsigned long long)r.range.last, (unsigned long long)r.range.base);
	int n = dmar_scopes(buf, off + 24, off + slen, r.segment, NULL, err);
	if (n < 0)
		return n;
	r.scope = calloc(n ? (size_t)n : 1, sizeof(*r.scope));
	if (!r.scope)
		return -ENOMEM;
	r.nscope = (size_t)n;
	int rc = dmar_scopes(buf, off + 24, off + slen, r.segment, r.scope, err);
	if (rc >= 0)
		rc = rdm_push(out, &r);
	if (rc < 0)
		free(r.scope);
	return rc < 0 ? rc : 0;
}

static int dmar_walk(const uint8_t *buf, size_t tlen, struct acpi_rdm_list *out,
		     struct vt_err *err)
{
	for (size_t off = DMAR_HDR_LEN, slen; off < tlen; off += slen) {
		uint16_t type = tlen - off >= 2 ? rd16(buf + off) : 0xffff;
		const struct dmar_kind *k = type < VT_ARRAY_SIZE(dmar_kinds) ? &dmar_kinds[type] : NULL;
		char name[32];

		if (k)
			snprintf(name, sizeof(name), "%s", k->name);
		else
			snprintf(name, sizeof(name), "structure type %u", type);
		/* Unknown (future) types are skipped by length, as VT-d 8.2 asks. */
		if (sub_len_check(buf, tlen, off, "DMAR", name, k ? k->min_len : 4, &slen, err) < 0)
			return -EINVAL;
		if (type == DMAR_TYPE_RMRR) {
			int rc = dmar_rmrr(buf, off, slen, out, err);
			if (rc < 0)
				return rc;
		} else if (k && k->scoped &&
			   dmar_scopes(buf, off + k->min_len, off + slen, 0, NULL, err) < 0) {
			return -EINVAL;
		}
	}
	return 0;
}

int acpi_dmar_parse(const uint8_t *buf, size_t len, struct acpi_rdm_list *out, struct vt_err *err)
{
	memset(out, 0, sizeof(*out));
	int rc = acpi_header_check(buf, len, "DMAR", DMAR_HDR_LEN, err);
	if (rc == 0)
		rc = dmar_walk(buf, len, out, err);
	if (rc < 0) {
		if (rc == -ENOMEM)
			vt_errf(err, ENOMEM, "DMAR: out of memory");
		acpi_rdm_list_free(out);
	}
	return rc;
}

/*
 * AMD IOMMU 5.2.3: type, flags, length, device id, aux data, reserved,
 * start, length. Linux reads a PCI segment at byte 8 (struct ivmd_header,
 * multi-segment support); older tables have it reserved, i.e. 0.
 */
static int ivrs_ivmd(const uint8_t *p, size_t off, struct acpi_rdm_list *out, struct vt_err *err)
{
	struct acpi_rdm r = {
		.offset = (uint32_t)off, .ivmd_type = p[0], .ivmd_flags = p[1], .segment = rd16(p + 8),
	};
	uint64_t start = rd64(p + 16), size = rd64(p + 24);

	switch (r.ivmd_type) {
	case IVMD_ALL:
		r.ivmd_dev_first = 0;
		r.ivmd_dev_last = 0xffff;
		break;
	case IVMD_SELECT:
		r.ivmd_dev_first = r.ivmd_dev_last = rd16(p + 4);
		break;
	default: /* IVMD_RANGE: device ids DeviceID..AuxData */
		r.ivmd_dev_first = rd16(p + 4);
		r.ivmd_dev_last = rd16(p + 6);
		if (r.ivmd_dev_last < r.ivmd_dev_first)
			return acpi_bad(err, "IVRS", off, "IVMD device range 0x%04x-0x%04x is backwards",
					r.ivmd_dev_first, r.ivmd_dev_last);
	}
	/* An empty block reserves nothing (Linux maps nothing for it either). */
	if (size == 0)
		return 0;
	if (start + (size - 1) < start)
		return acpi_bad(err, "IVRS", off, "IVMD block 0x%llx + 0x%llx wraps past 2^64",
				(unsigned long long)start, (unsigned long long)size);
	r.range.base = start;
	r.range.last = start + (size - 1);
	return rdm_push(out, &r);
}

static int ivrs_walk(const uint8_t *buf, size_t tlen, struct acpi_rdm_list *out,
		     struct vt_err *err)
{
	for (size_t off = IVRS_HDR_LEN, slen; off < tlen; off += slen) {
		uint8_t type = buf[off];
		size_t min_len = 4; /* unknown types: skipped by length, as Linux does */
		char name[32];

		if (type == IVHD_10)
			min_len = 24; /* 5.2.2.1 */
		else if (type == IVHD_11 || type == IVHD_40)
			min_len = 40; /* 5.2.2.2, 5.2.2.3 */
		else if (type >= IVMD_ALL && type <= IVMD_RANGE)
			min_len = IVMD_LEN;
		snprintf(name, sizeof(name), "%s type 0x%02x",
			 type >= IVMD_ALL && type <= IVMD_RANGE ? "IVMD" :
			 min_len > 4 ? "IVHD" : "sub-table", type);
		if (sub_len_check(buf, tlen, off, "IVRS", name, min_len, &slen, err) < 0)
			return -EINVAL;
		if (type >= IVMD_ALL && type <= IVMD_RANGE) {
			int rc = ivrs_ivmd(buf + off, off, out, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int acpi_ivrs_parse(const uint8_t *buf, size_t len, struct acpi_rdm_list *out, struct vt_err *err)
{
	memset(out, 0, sizeof(*out));
	int rc = acpi_header_check(buf, len, "IVRS", IVRS_HDR_LEN, err);
	if (rc == 0)
		rc = ivrs_walk(buf, len, out, err);
	if (rc < 0) {
		if (rc == -ENOMEM)
			vt_errf(err, ENOMEM, "IVRS: out of memory");
		acpi_rdm_list_free(out);
	}
	return rc;
}

int acpi_file_read(const char *path, uint8_t **buf, size_t *len, struct vt_err *err)
{
	size_t cap = 4096, n = 0, got;
	uint8_t *b = malloc(cap);
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (!f || !b) {
		rc = f ? -ENOMEM : -errno;
		vt_errf(err, -rc, "%s: %s", path, strerror(-rc));
		goto out;
	}
	do {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap *= 2);
			if (!nb) {
				rc = -ENOMEM;
				vt_errf(err, ENOMEM, "%s: out of memory", path);
				goto out;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got > 0 && n <= ACPI_FILE_MAX);
	if (ferror(f) || n > ACPI_FILE_MAX) {
		rc = ferror(f) ? -EIO : -EFBIG;
		vt_errf(err, -rc, "%s: %s", path, rc == -EIO ? "read error" : "larger than any ACPI table");
	}
out:
	if (f)
		fclose(f);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}

int acpi_table_load(const char *path, struct acpi_rdm_list *out, struct vt_err *err)
{
	uint8_t *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = acpi_file_read(path, &buf, &len, err);
	if (rc < 0)
		return rc;
	if (len >= 4 && memcmp(buf, "DMAR", 4) == 0)
		rc = acpi_dmar_parse(buf, len, out, err);
	else if (len >= 4 && memcmp(buf, "IVRS", 4) == 0)
		rc = acpi_ivrs_parse(buf, len, out, err);
	else
		rc = acpi_bad(err, "table", 0, "signature is neither DMAR nor IVRS");
	free(buf);
	if (rc < 0 && err) {
		char msg[sizeof(err->msg)];
		memcpy(msg, err->msg, sizeof(msg));
		vt_errf(err, -rc, "%s: %s", path, msg);
	}
	return rc;
}

char *acpi_scope_format(const struct acpi_scope *s, char *buf)
{
	int n = 0;

	if (s->segment)
		n += sprintf(buf, "%04x:", s->segment);
	n += sprintf(buf + n, "%02x", s->bus);
	for (unsigned i = 0; i < s->nhops && i < ACPI_PATH_MAX; i++)
		n += sprintf(buf + n, "%s%02x.%x", i ? "/" : ":", s->devfn[i] >> 3, s->devfn[i] & 7);
	return buf;
}

static int ivmd_bdf(char *buf, uint16_t seg, uint16_t id)
{
	if (seg)
		return sprintf(buf, "%04x:%02x:%02x.%x", seg, id >> 8, (id >> 3) & 0x1f, id & 7);
	return sprintf(buf, "%02x:%02x.%x", id >> 8, (id >> 3) & 0x1f, id & 7);
}

char *acpi_ivmd_scope_format(const struct acpi_rdm *r, char *buf)
{
	if (r->ivmd_type == IVMD_ALL) {
		if (r->segment)
			sprintf(buf, "%04x:all", r->segment);
		else
			strcpy(buf, "all");
		return buf;
	}
	int n = ivmd_bdf(buf, r->segment, r->ivmd_dev_first);
	if (r->ivmd_type == IVMD_RANGE) {
		buf[n++] = '-';
		ivmd_bdf(buf + n, r->segment, r->ivmd_dev_last);
	}
	return buf;
}

char *acpi_ivmd_flags_format(uint8_t flags, char *buf)
{
	static const char *const names[] = { "unity", "ir", "iw", "exclusion" };
	int n = 0;

	for (unsigned i = 0; i < VT_ARRAY_SIZE(names); i++)
		if (flags & (1u << i))
			n += sprintf(buf + n, "%s%s", n ? "," : "", names[i]);
	if (flags & 0xf0)
		n += sprintf(buf + n, "%s0x%02x", n ? "," : "", flags & 0xf0);
	if (n == 0)
		strcpy(buf, "none");
	return buf;
}
