/* common/util.c - numbers, ranges, tokens, line reading, errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

int vt_errf(struct vt_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return errnum > 0 ? -errnum : errnum;
}

int vt_err_at(struct vt_err *err, int errnum, const char *file, unsigned long line,
	      const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err) {
		if (file && line)
			n = snprintf(err->msg, sizeof(err->msg), "%s:%lu: ", file, line);
		else if (file)
			n = snprintf(err->msg, sizeof(err->msg), "%s: ", file);
		if (n < 0 || (size_t)n >= sizeof(err->msg))
			n = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return errnum > 0 ? -errnum : errnum;
}

/* Hex digit value + 1 (0: not a hex digit): one lookup per character on the replay path. */
static const uint8_t hexdig1[256] = {
	['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(int c)
{
	return (int)hexdig1[c & 0xff] - 1;
}

int vt_parse_hex(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++, n++) {
		int h = hexval((unsigned char)*s);
		if (h < 0 || n >= 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return 0;
}

int vt_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return vt_parse_hex(s + 2, out);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int vt_parse_range(const char *s, struct vt_range *r)
{
	char buf[80];
	const char *dash;
	size_t n;

	dash = strchr(s, '-');
	if (!dash || (n = (size_t)(dash - s)) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (vt_parse_u64(buf, &r->base) || vt_parse_u64(dash + 1, &r->last))
		return -EINVAL;
	return r->last >= r->base ? 0 : -EINVAL;
}

/* Parse exactly `digits` hex digits (1..digits) from s up to a delimiter. */
static const char *hexfield(const char *s, unsigned maxdigits, char delim, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	while (*s && *s != delim) {
		int h = hexval((unsigned char)*s);
		if (h < 0 || ++n > maxdigits)
			return NULL;
		*v = *v << 4 | (uint64_t)h;
		s++;
	}
	if (n == 0 || *s != delim)
		return NULL;
	return s;
}

int vt_parse_sbdf(const char *s, uint32_t *sbdf)
{
	uint64_t seg = 0, bus, dev, fn;
	const char *p, *c1 = strchr(s, ':');

	if (!c1)
		return -EINVAL;
	if (strchr(c1 + 1, ':')) {
		if (!(p = hexfield(s, 4, ':', &seg)))
			return -EINVAL;
		s = p + 1;
	}
	if (!(p = hexfield(s, 2, ':', &bus)) || !(p = hexfield(p + 1, 2, '.', &dev)))
		return -EINVAL;
	if (!(p = hexfield(p + 1, 1, '\0', &fn)) || dev > 31 || fn > 7)
		return -EINVAL;
	*sbdf = VT_SBDF(seg, bus, VT_DEVFN(dev, fn));
	return 0;
}

/*
 * Hex digits without printf: replay prints an event line for every map,
 * unmap and move, and snprintf cost as much as the rest of the replay.
 */
char *vt_put_hex(char *p, uint64_t v, unsigned width)
{
	static const char digit[16] = "0123456789abcdef";
	unsigned n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
	while (n < width)
		*p++ = '0', width--;
	while (n--)
		*p++ = digit[(v >> (4 * n)) & 15];
	return p;
}

char *vt_put_0x(char *p, uint64_t v)
{
	*p++ = '0', *p++ = 'x';
	return vt_put_hex(p, v, 0);
}

char *vt_put_sbdf(char *p, uint32_t sbdf)
{
	p = vt_put_hex(p, VT_SBDF_SEG(sbdf), 4);
	*p++ = ':';
	p = vt_put_hex(p, VT_SBDF_BUS(sbdf), 2);
	*p++ = ':';
	p = vt_put_hex(p, VT_SBDF_DEVFN(sbdf) >> 3, 2);
	*p++ = '.';
	return vt_put_hex(p, VT_SBDF_DEVFN(sbdf) & 7, 1);
}

char *vt_put_range(char *p, const struct vt_range *r)
{
	p = vt_put_0x(p, r->base);
	*p++ = '-';
	return vt_put_0x(p, r->last);
}

char *vt_fmt_sbdf(uint32_t sbdf, char *buf)
{
	*vt_put_sbdf(buf, sbdf) = 0;
	return buf;
}

char *vt_fmt_range(const struct vt_range *r, char *buf)
{
	*vt_put_range(buf, r) = 0;
	return buf;
}

/* Character classes of the line grammar, one lookup per character (replay tokenises every line). */
#define CC_BLANK 1 /* ' ' \t \r \n: separate tokens */
#define CC_END   2 /* ends a token: a blank, '#' or NUL */
static const uint8_t cclass[256] = {
	[' '] = CC_BLANK | CC_END, ['\t'] = CC_BLANK | CC_END, ['\r'] = CC_BLANK | CC_END,
	['\n'] = CC_BLANK | CC_END, ['#'] = CC_END, [0] = CC_END,
};

int vt_tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (cclass[(unsigned char)*p] & CC_BLANK)
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -E2BIG;
		tok[n++] = p;
		while (!(cclass[(unsigned char)*p] & CC_END))
			p++;
		if (*p == '#') {
			*p = 0;
			break;
		}
		if (*p)
			*p++ = 0;
	}
	return n;
}

int vt_lines_open(struct vt_lines *lr, const char *path, struct vt_err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;

	if (!f)
		return vt_err_at(err, errno, path, 0, "cannot open: %s", strerror(errno));
	vt_lines_from(lr, f, strcmp(path, "-") ? path : "<stdin>");
	lr->own = f != stdin;
	return 0;
}

void vt_lines_from(struct vt_lines *lr, FILE *f, const char *name)
{
	memset(lr, 0, sizeof(*lr));
	lr->f = f;
	lr->name = name;
}

char *vt_lines_next(struct vt_lines *lr)
{
	ssize_t n = getline(&lr->buf, &lr->cap, lr->f);

	if (n < 0)
		return NULL;
	lr->line++;
	while (n > 0 && (lr->buf[n - 1] == '\n' || lr->buf[n - 1] == '\r'))
		lr->buf[--n] = 0;
	return lr->buf;
}

void vt_lines_close(struct vt_lines *lr)
{
	if (lr->own && lr->f)
		fclose(lr->f);
	free(lr->buf);
	memset(lr, 0, sizeof(*lr));
}
