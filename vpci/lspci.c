/*
 * vpci/lspci.c - lspci dumps (`lspci -xxx`, `-xxxx`, `-vvvxxxx`) as machines.
 *
 * The hex follows pciutils lib/dump.c (what `lspci -F` reads): a header
 * `BB:DD.F ` or `DDDD:BB:DD.F ` opens a function, `OFF: xx xx ...` rows fill
 * its config bytes, an empty line closes it, anything else is ignored.
 * libpci aborts the whole file on a line it cannot read; real dumps carry
 * stderr noise and over-long lines (tests/data/README-data.md §2), so we keep
 * what is unambiguous, count a warning and stop only where a value would
 * have to be guessed. BAR sizes cannot be expressed in that format: they come
 * from the `[size=...]` of the -v/-vvv text. See docs/lspci.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vpci.h"

/* libpci reads lines with fgets into 255 bytes: longer ones are fatal there. */
#define LP_LIBPCI_LINE 254
/* Bounds memory on hostile input; real machines have a few thousand at most. */
#define LP_MAX_FNS 16384

/* A `-v` size line (no "Region N:"): placed by matching its address. */
struct lp_pend {
	size_t fn;
	unsigned long line;
	uint64_t addr, size;
	bool io, have_addr;
};

struct lp_ctx {
	const char *file;
	unsigned long line;
	struct vpci_dump *d;
	size_t cap;
	bool open;                 /* d->fn[d->n - 1] takes hex rows and text */
	struct lp_pend *pend;
	size_t npend, pcap;
	struct vt_err *err;
};

static int lp_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Leading hex digits of s (at most max+1 are looked at), value in *v. */
static unsigned lp_hexrun(const char *s, unsigned max, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	while (n <= max && lp_hex(s[n]) >= 0)
		*v = *v << 4 | (uint64_t)lp_hex(s[n++]);
	return n;
}

static uint32_t lp_sbdf(const struct vpci_dump_fn *f)
{
	return VT_SBDF(f->seg, f->bus, f->devfn);
}

/*
 * `BB:DD.F ` or `DDDD:BB:DD.F ` (4 to 6 domain digits) with a space after
 * the function, as dump.c requires. 1: header; 0: not one; <0: a header
 * whose numbers no function can have (libpci would invent a device).
 */
static int lp_header(struct lp_ctx *c, const char *s, struct vpci_dump_fn *f)
{
	uint64_t dom = 0, bus, dev;
	unsigned n = lp_hexrun(s, 6, &dom);

	if (n >= 4 && n <= 6 && s[n] == ':')
		s += n + 1;
	else
		dom = 0;
	/* dump.c reads the function with %d: "0a:00.f" is no header there either. */
	if (lp_hexrun(s, 2, &bus) != 2 || s[2] != ':' || lp_hexrun(s + 3, 2, &dev) != 2 ||
	    s[5] != '.' || s[6] < '0' || s[6] > '9' || s[7] != ' ')
		return 0;
	if (dom > 0xffff || dev > 0x1f || s[6] > '7')
		return vt_err_at(c->err, EINVAL, c->file, c->line,
				 "device header %.*s: domain, device or function out of range",
				 8, s);
	f->seg = (uint16_t)dom;
	f->bus = (uint8_t)bus;
	f->devfn = VT_DEVFN(dev, s[6] - '0');
	return 1;
}

static int lp_add_fn(struct lp_ctx *c, const struct vpci_dump_fn *hdr)
{
	struct vpci_dump *d = c->d;
	struct vpci_dump_fn *f;

	if (d->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		if (d->n >= LP_MAX_FNS)
			return vt_err_at(c->err, E2BIG, c->file, c->line,
					 "more than %d functions", LP_MAX_FNS);
		f = realloc(d->fn, cap * sizeof(*f));
		if (!f)
			return vt_err_at(c->err, ENOMEM, c->file, c->line, "out of memory");
		d->fn = f;
		c->cap = cap;
	}
	f = &d->fn[d->n++];
	memset(f, 0, sizeof(*f));
	/* Bytes never given read as all ones, as a master abort would. */
	memset(f->cfg, 0xff, sizeof(f->cfg));
	f->seg = hdr->seg;
	f->bus = hdr->bus;
	f->devfn = hdr->devfn;
	f->line = c->line;
	c->open = true;
	return 0;
}

/*
 * `OFF: xx xx ...` (2 to 8 offset digits): 1 if it was one, 0 if not.
 * Bytes up to anything else are kept and the rest counted as a warning;
 * a byte beyond 4096 has no place to go and is an error.
 */
static int lp_hexrow(struct lp_ctx *c, const char *s)
{
	struct vpci_dump_fn *f = &c->d->fn[c->d->n - 1];
	uint64_t off;
	unsigned n = lp_hexrun(s, 8, &off);

	if (n < 2 || n > 8 || s[n] != ':' || s[n + 1] != ' ')
		return 0;
	s += n + 2;
	while (lp_hex(s[0]) >= 0 && lp_hex(s[1]) >= 0 && (!s[2] || s[2] == ' ')) {
		if (off >= VPCI_CFG_SIZE)
			return vt_err_at(c->err, ERANGE, c->file, c->line,
					 "config byte at 0x%llx: at most 4096 bytes per function",
					 (unsigned long long)off);
		f->cfg[off++] = (uint8_t)(lp_hex(s[0]) << 4 | lp_hex(s[1]));
		if (off > f->cfg_len)
			f->cfg_len = (unsigned)off;
		s += s[2] ? 3 : 2;
	}
	if (*s)
		c->d->nwarn++;
	return 1;
}

/* "[size=64K]" as lspci's show_size() prints it; 0 if absent or unusable. */
static uint64_t lp_size(struct lp_ctx *c, const char *s)
{
	const char *p = strstr(s, "[size=");
	uint64_t v = 0;
	unsigned shift = 0;

	if (!p)
		return 0;
	for (p += 6; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case 'K': shift = 10; p++; break;
	case 'M': shift = 20; p++; break;
	case 'G': shift = 30; p++; break;
	case 'T': shift = 40; p++; break;
	}
	/* A BAR decodes a power of two (PCI 3.0 §6.2.5.1); a window need not. */
	if (*p != ']' || !v || (v & (v - 1)) || v > (UINT64_MAX >> shift))
		goto bad;
	return v << shift;
bad:
	c->d->nwarn++;
	return 0;
}

static int lp_set_size(struct lp_ctx *c, struct vpci_dump_fn *f, unsigned bar, uint64_t size)
{
	if (f->bar_size[bar] && f->bar_size[bar] != size)
		return vt_err_at(c->err, EINVAL, c->file, c->line,
				 "%s size 0x%llx contradicts 0x%llx given before",
				 bar == VT_BAR_ROM ? "ROM" : "BAR",
				 (unsigned long long)size, (unsigned long long)f->bar_size[bar]);
	f->bar_size[bar] = size;
	return 0;
}

static int lp_pend_add(struct lp_ctx *c, const char *s, bool io, uint64_t size)
{
	struct lp_pend *p;
	unsigned n;

	if (c->npend == c->pcap) {
		size_t cap = c->pcap ? c->pcap * 2 : 16;

		p = realloc(c->pend, cap * sizeof(*p));
		if (!p)
			return vt_err_at(c->err, ENOMEM, c->file, c->line, "out of memory");
		c->pend = p;
		c->pcap = cap;
	}
	p = &c->pend[c->npend++];
	p->fn = c->d->n - 1;
	p->line = c->line;
	p->size = size;
	p->io = io;
	n = lp_hexrun(s, 16, &p->addr);
	/* `<unassigned>`, `<ignored>`: nothing to match the registers with. */
	p->have_addr = n >= 1 && n <= 16;
	return 0;
}

/*
 * One tab-indented line of -v/-vvv text. Only a function's own BARs carry
 * sizes: `Region N: ...` (-vv and up), `Memory at` / `I/O ports at` (-v,
 * no index) and `Expansion ROM at`; bridge windows are a deeper indent or
 * another word, so they never match.
 */
static int lp_text(struct lp_ctx *c, const char *s)
{
	struct vpci_dump_fn *f = &c->d->fn[c->d->n - 1];
	uint64_t size, idx;
	unsigned n;

	f->have_sizes = true;
	if (!strncmp(s, "[virtual] ", 10))
		s += 10;
	if (!strncmp(s, "Expansion ROM at ", 17)) {
		size = lp_size(c, s);
		return size ? lp_set_size(c, f, VT_BAR_ROM, size) : 0;
	}
	if (!strncmp(s, "Region ", 7)) {
		n = lp_hexrun(s + 7, 2, &idx);
		if (n != 1 || s[8] != ':' || (size = lp_size(c, s)) == 0)
			return 0;
		if (idx >= VT_BAR_ROM) {
			c->d->nwarn++;
			return 0;
		}
		return lp_set_size(c, f, (unsigned)idx, size);
	}
	if (!strncmp(s, "Memory at ", 10) && (size = lp_size(c, s)) != 0)
		return lp_pend_add(c, s + 10, false, size);
	if (!strncmp(s, "I/O ports at ", 13) && (size = lp_size(c, s)) != 0)
		return lp_pend_add(c, s + 13, true, size);
	return 0;
}

static int lp_line(struct lp_ctx *c, const char *s)
{
	struct vpci_dump_fn hdr;
	int r = lp_header(c, s, &hdr);

	if (r < 0)
		return r;
	if (r)
		return lp_add_fn(c, &hdr);
	if (!*s) {
		c->open = false;
		return 0;
	}
	if (!c->open)
		return 0;
	if (s[0] == '\t' && s[1] != '\t' && s[1] != ' ')
		return lp_text(c, s + 1);
	if (lp_hex(s[0]) < 0)
		return 0;
	r = lp_hexrow(c, s);
	/* Hex digits that make no row: stderr noise cut into the hex. */
	if (r == 0)
		c->d->nwarn++;
	return r < 0 ? r : 0;
}

/* Type-0 headers have six BARs, bridges two, CardBus bridges one. */
static unsigned lp_nbars(const struct vpci_dump_fn *f)
{
	if (f->cfg_len <= 0x0e)
		return 0;
	switch (f->cfg[0x0e] & 0x7f) {
	case 0: return 6;
	case 1: return 2;
	case 2: return 1;
	default: return 0;
	}
}

static uint32_t lp_reg(const struct vpci_dump_fn *f, unsigned bar)
{
	unsigned off = 0x10 + 4 * bar;

	/* lspci shows a register that reads all ones as 0. */
	if (off + 4 > f->cfg_len || vt_le_get(f->cfg + off, 4) == 0xffffffffu)
		return 0;
	return vt_le_get(f->cfg + off, 4);
}

static bool lp_is_mem64(const struct vpci_dump_fn *f, unsigned bar)
{
	uint32_t r = lp_reg(f, bar);

	return !(r & 1) && ((r >> 1) & 3) == 2;
}

/* Place a `-v` size line on the one BAR whose register holds its address. */
static void lp_resolve(struct vpci_dump *d, struct vpci_dump_fn *f, const struct lp_pend *p)
{
	unsigned nb = lp_nbars(f), found = VPCI_NBARS, hits = 0;

	for (unsigned i = 0; i < nb && p->have_addr; i++) {
		uint32_t r = lp_reg(f, i);
		uint64_t a = r & 1 ? r & ~3u : r & ~0xfu;
		unsigned lo = i;

		if (lp_is_mem64(f, i) && i + 1 < nb)
			a |= (uint64_t)lp_reg(f, ++i) << 32;
		if (r && (bool)(r & 1) == p->io && a == p->addr) {
			found = lo;
			hits++;
		}
	}
	if (hits == 1 && (!f->bar_size[found] || f->bar_size[found] == p->size))
		f->bar_size[found] = p->size;
	else
		d->nwarn++;
}

/*
 * Sizes stay with the register lspci names a BAR by: the lower one of a
 * 64-bit pair (CONTRACT §1). A size on a register the header does not have
 * cannot belong to a BAR.
 */
static void lp_normalize(struct vpci_dump *d, struct vpci_dump_fn *f)
{
	unsigned nb = lp_nbars(f);

	if (f->cfg_len <= 0x0e)
		return;
	for (unsigned i = 0; i < VT_BAR_ROM; i++) {
		if (i >= nb && f->bar_size[i]) {
			d->nwarn++;
			f->bar_size[i] = 0;
		}
		if (i + 1 >= nb || !lp_is_mem64(f, i))
			continue;
		/* The upper half's register holds address bits, not a type. */
		if (f->bar_size[++i]) {
			if (f->bar_size[i - 1] && f->bar_size[i - 1] != f->bar_size[i])
				d->nwarn++;
			else
				f->bar_size[i - 1] = f->bar_size[i];
			f->bar_size[i] = 0;
		}
	}
}

static int lp_cmp_sbdf(const void *a, const void *b)
{
	const struct vpci_dump_fn *const *x = a, *const *y = b;
	uint32_t p = lp_sbdf(*x), q = lp_sbdf(*y);

	if (p != q)
		return p < q ? -1 : 1;
	return *x < *y ? -1 : *x > *y;
}

/* Functions sorted by SBDF (then file order), for duplicates and lookups. */
static struct vpci_dump_fn **lp_sorted(struct vpci_dump *d)
{
	struct vpci_dump_fn **v = malloc((d->n ? d->n : 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		v[i] = &d->fn[i];
	qsort(v, d->n, sizeof(*v), lp_cmp_sbdf);
	return v;
}

static int lp_check_dups(struct lp_ctx *c)
{
	struct vpci_dump_fn **v = lp_sorted(c->d);
	int r = 0;
	char b[16];

	if (!v)
		return vt_err_at(c->err, ENOMEM, c->file, 0, "out of memory");
	for (size_t i = 1; i < c->d->n && !r; i++)
		if (lp_sbdf(v[i]) == lp_sbdf(v[i - 1]))
			r = vt_err_at(c->err, EINVAL, c->file, v[i]->line,
				      "function %s listed twice (first at line %lu)",
				      vt_fmt_sbdf(lp_sbdf(v[i]), b), v[i - 1]->line);
	free(v);
	return r;
}

/* Read the whole file; pending -v size lines are left in c->pend. */
static int lp_parse(struct lp_ctx *c, const char *path)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	if (!fp)
		return vt_err_at(c->err, errno, path, 0, "cannot open: %s", strerror(errno));
	c->file = path;
	while (!r && (len = getline(&buf, &cap, fp)) > 0) {
		c->line++;
		/* libpci rejects these two; their content is still plain. */
		if (buf[len - 1] == '\n')
			buf[--len] = 0;
		else
			c->d->nwarn++;
		if (len >= LP_LIBPCI_LINE)
			c->d->nwarn++;
		if (len && buf[len - 1] == '\r')
			buf[--len] = 0;
		r = lp_line(c, buf);
	}
	if (!r && ferror(fp))
		r = vt_err_at(c->err, EIO, path, c->line, "read error");
	free(buf);
	if (fp != stdin)
		fclose(fp);
	return r ? r : lp_check_dups(c);
}

bool vpci_dump_detect(const char *path)
{
	struct vpci_dump d = { 0 };
	struct lp_ctx c = { .d = &d };
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (!fp)
		return false;
	/* The first line at the margin decides; lspci's stderr may precede it. */
	while (!r && getline(&line, &cap, fp) > 0) {
		struct vpci_dump_fn hdr;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#' || isspace((unsigned char)line[0]) ||
		    !strncmp(line, "WARNING", 7) || !strncmp(line, "pcilib:", 7) ||
		    !strncmp(line, "lspci:", 6))
			continue;
		r = lp_header(&c, line, &hdr) != 0 ? 1 : -1;
	}
	free(line);
	fclose(fp);
	return r > 0;
}

void vpci_dump_free(struct vpci_dump *d)
{
	if (!d)
		return;
	free(d->fn);
	memset(d, 0, sizeof(*d));
}

int vpci_dump_parse(const char *path, struct vpci_dump *out, struct vt_err *err)
{
	struct lp_ctx c = { .d = out, .err = err };
	int r;

	memset(out, 0, sizeof(*out));
	r = lp_parse(&c, path);
	for (size_t i = 0; !r && i < c.npend; i++)
		lp_resolve(out, &out->fn[c.pend[i].fn], &c.pend[i]);
	for (size_t i = 0; !r && i < out->n; i++)
		lp_normalize(out, &out->fn[i]);
	free(c.pend);
	if (r)
		vpci_dump_free(out);
	return r;
}

static int lp_cmp_key(const void *k, const void *e)
{
	uint32_t a = *(const uint32_t *)k, b = lp_sbdf(*(const struct vpci_dump_fn *const *)e);

	return a < b ? -1 : a > b;
}

/* Copy sizes of one function of the sizes file onto the dump's function. */
static int lp_apply(struct lp_ctx *c, struct vpci_dump *d, size_t si, struct vpci_dump_fn *f)
{
	const struct vpci_dump_fn *s = &c->d->fn[si];
	int r = 0;

	f->have_sizes |= s->have_sizes;
	for (unsigned b = 0; b < VPCI_NBARS && !r; b++) {
		c->line = s->line;
		if (s->bar_size[b])
			r = lp_set_size(c, f, b, s->bar_size[b]);
	}
	for (size_t i = 0; i < c->npend && !r; i++)
		if (c->pend[i].fn == si)
			lp_resolve(d, f, &c->pend[i]);
	if (!r)
		lp_normalize(d, f);
	return r;
}

int vpci_dump_sizes(const char *path, struct vpci_dump *d, struct vt_err *err)
{
	struct vpci_dump tmp = { 0 };
	struct lp_ctx c = { .d = &tmp, .err = err };
	struct vpci_dump_fn **v = NULL;
	int r = lp_parse(&c, path);

	if (!r && !(v = lp_sorted(d)))
		r = vt_err_at(err, ENOMEM, path, 0, "out of memory");
	for (size_t i = 0; !r && i < tmp.n; i++) {
		uint32_t key = lp_sbdf(&tmp.fn[i]);
		struct vpci_dump_fn **hit = bsearch(&key, v, d->n, sizeof(*v), lp_cmp_key);

		/* Functions the dump does not have are someone else's. */
		if (hit)
			r = lp_apply(&c, d, i, *hit);
	}
	if (!r)
		d->nwarn += tmp.nwarn;
	free(v);
	free(c.pend);
	vpci_dump_free(&tmp);
	return r;
}

