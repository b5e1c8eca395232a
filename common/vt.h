/*
 * common/vt.h - small shared helpers: ranges, numbers, line reading, errors.
 *
 * Everything above common/ (mapper, vpci, traps, ioreq, tools) may use this;
 * it uses nothing of theirs.
 */
#ifndef VT_H
#define VT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VT_PAGE_SHIFT    12
#define VT_PAGE_SIZE     (1ULL << VT_PAGE_SHIFT)

/* An inclusive range [base, last]; CONTRACT §1 prints it as BASE-LAST. */
struct vt_range {
	uint64_t base;
	uint64_t last;
};

static inline bool vt_range_overlaps(const struct vt_range *a, const struct vt_range *b)
{
	return a->base <= b->last && b->base <= a->last;
}

/* SBDF packing: segment << 16 | bus << 8 | dev << 3 | fn (Xen's layout). */
#define VT_SBDF(seg, bus, devfn) (((uint32_t)(seg) << 16) | ((uint32_t)(bus) << 8) | (devfn))
#define VT_SBDF_SEG(s)           ((uint16_t)((s) >> 16))
#define VT_SBDF_BUS(s)           ((uint8_t)((s) >> 8))
#define VT_SBDF_DEVFN(s)         ((uint8_t)(s))
#define VT_DEVFN(dev, fn)        ((uint8_t)(((dev) << 3) | (fn)))

/*
 * Errors of set-up and parsing: a message naming file and line. Functions
 * that fill one return a negative errno.
 */
struct vt_err {
	char msg[512];
};
int vt_errf(struct vt_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: msg" (LINE omitted when 0). */
int vt_err_at(struct vt_err *err, int errnum, const char *file, unsigned long line,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Numbers: 0x-prefixed hex or decimal; the whole string must be used. */
int vt_parse_u64(const char *s, uint64_t *out);
/* Plain hex without prefix (lspci style), 1..16 digits. */
int vt_parse_hex(const char *s, uint64_t *out);
/* BASE-LAST, both numbers as vt_parse_u64; last >= base. */
int vt_parse_range(const char *s, struct vt_range *r);
/* SSSS:BB:DD.F or BB:DD.F (hex). */
int vt_parse_sbdf(const char *s, uint32_t *sbdf);
/* Formatting helpers; buffers of at least 16 / 48 bytes. */
char *vt_fmt_sbdf(uint32_t sbdf, char *buf);
char *vt_fmt_range(const struct vt_range *r, char *buf);
/*
 * The same text appended at p, without NUL; each returns the end. vt_put_hex:
 * lowercase hex, at least `width` digits (zero padded); vt_put_0x: "0x" and
 * the digits; vt_put_sbdf: SSSS:BB:DD.F; vt_put_range: 0xBASE-0xLAST.
 */
char *vt_put_hex(char *p, uint64_t v, unsigned width);
char *vt_put_0x(char *p, uint64_t v);
char *vt_put_sbdf(char *p, uint32_t sbdf);
char *vt_put_range(char *p, const struct vt_range *r);

/*
 * Split a line into whitespace-separated tokens in place; '#' starts a
 * comment. Returns the number of tokens (at most max; more is -E2BIG).
 */
int vt_tokenize(char *line, char **tok, int max);

/* A line reader that counts lines and streams in constant memory. */
struct vt_lines {
	FILE *f;
	const char *name;  /* for error messages */
	unsigned long line;
	char *buf;
	size_t cap;
	bool own;
};
int vt_lines_open(struct vt_lines *lr, const char *path, struct vt_err *err);
void vt_lines_from(struct vt_lines *lr, FILE *f, const char *name);
/* Next line without its newline (and without a trailing \r); NULL at EOF. */
char *vt_lines_next(struct vt_lines *lr);
void vt_lines_close(struct vt_lines *lr);

/* Little-endian access to config bytes. */
static inline uint32_t vt_le_get(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return (uint32_t)p[0] | (uint32_t)p[1] << 8;
	default: return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	}
}
static inline void vt_le_put(uint8_t *p, unsigned size, uint32_t v)
{
	/* Unrolled per size, so a constant size becomes one store (store merging). */
	switch (size) {
	case 4:
		p[3] = (uint8_t)(v >> 24);
		p[2] = (uint8_t)(v >> 16);
		/* fall through */
	case 2:
		p[1] = (uint8_t)(v >> 8);
		/* fall through */
	case 1:
		p[0] = (uint8_t)v;
		break;
	default:
		for (unsigned i = 0; i < size; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		break;
	}
}
/*
 * The bytes of a 1- to 4-byte access (4 and more: all ones). A table rather
 * than a shift and a branch per size: the guest access path costs the same
 * whatever the size (docs/performance.md).
 */
static inline uint32_t vt_size_mask(unsigned size)
{
	static const uint32_t m[8] = { 0, 0xff, 0xffff, 0xffffff, ~0u, ~0u, ~0u, ~0u };

	return size < 8 ? m[size] : ~0u;
}
/* A config access is 1, 2 or 4 bytes: every valid size takes the same branches. */
static inline bool vt_size_valid(unsigned size)
{
	return size - 1 < 4 && size != 3;
}

#endif
