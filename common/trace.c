/* common/trace.c - trace access lines (CONTRACT §5). */
#include <errno.h>
#include <string.h>

#include "trace.h"

static int parse_size(const char *s, uint8_t *size)
{
	uint64_t v;

	if (vt_parse_u64(s, &v) || (v != 1 && v != 2 && v != 4 && v != 8))
		return -EINVAL;
	*size = (uint8_t)v;
	return 0;
}

/* pio/mmio/cfg r|w ... */
static int parse_access(char **t, int n, struct vt_rec *rec, const char *file, unsigned long ln,
			struct vt_err *err)
{
	int fixed = rec->kind == VT_REC_CFG ? 5 : 4;
	uint64_t v;

	if (n < fixed || n > fixed + 1 || (strcmp(t[1], "r") && strcmp(t[1], "w")))
		return vt_err_at(err, EINVAL, file, ln, "expected '%s r|w %sSIZE [VALUE]'", t[0],
				 rec->kind == VT_REC_CFG ? "SBDF REG " :
				 rec->kind == VT_REC_PIO ? "PORT " : "ADDR ");
	rec->write = t[1][0] == 'w';
	if (rec->kind == VT_REC_CFG) {
		uint32_t sbdf;
		if (vt_parse_sbdf(t[2], &sbdf))
			return vt_err_at(err, EINVAL, file, ln, "bad SBDF '%s'", t[2]);
		if (vt_parse_u64(t[3], &v) || v > 0xfff)
			return vt_err_at(err, EINVAL, file, ln, "bad register '%s'", t[3]);
		rec->addr = sbdf;
		rec->reg = (uint16_t)v;
	} else {
		if (vt_parse_u64(t[2], &rec->addr) || (rec->kind == VT_REC_PIO && rec->addr > 0xffff))
			return vt_err_at(err, EINVAL, file, ln, "bad %s '%s'",
					 rec->kind == VT_REC_PIO ? "port" : "address", t[2]);
	}
	if (parse_size(t[fixed - 1], &rec->size) || (rec->kind != VT_REC_MMIO && rec->size == 8))
		return vt_err_at(err, EINVAL, file, ln, "bad size '%s' (1, 2 or 4)", t[fixed - 1]);
	rec->has_value = n == fixed + 1;
	if (rec->write && !rec->has_value)
		return vt_err_at(err, EINVAL, file, ln, "a write needs a VALUE");
	if (rec->has_value) {
		if (vt_parse_u64(t[fixed], &v) || v > 0xffffffffull)
			return vt_err_at(err, EINVAL, file, ln, "bad value '%s'", t[fixed]);
		rec->value = (uint32_t)v;
	}
	return 0;
}

static int parse_compare(char **t, int n, struct vt_rec *rec, const char *file, unsigned long ln,
			 struct vt_err *err)
{
	rec->compare_mask = 0;
	for (int i = 1; i < n; i++) {
		int type = vt_event_type_from_name(t[i]);
		if (type < 0 || type >= VT_EV_MISMATCH)
			return vt_err_at(err, EINVAL, file, ln, "unknown event kind '%s'", t[i]);
		rec->compare_mask |= 1u << type;
	}
	if (n < 2)
		return vt_err_at(err, EINVAL, file, ln, "compare needs event kinds");
	return 0;
}

/* The line's first field is `word` (followed by a blank, or alone): fields may be tab-separated. */
static bool keyword(const char *p, const char *word)
{
	/* strncmp(p, word, strlen(word)) without the two library calls: this runs for every line. */
	while (*word)
		if (*p++ != *word++)
			return false;
	return *p == ' ' || *p == '\t' || *p == '\r' || !*p;
}

int vt_trace_parse(char *line, const char *file, unsigned long ln, struct vt_rec *rec,
		   struct vt_err *err)
{
	char *t[16], *p = line;
	int n;

	memset(rec, 0, sizeof(*rec));
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#') {
		rec->kind = VT_REC_EMPTY;
		return 0;
	}
	if (keyword(p, "pio"))
		rec->kind = VT_REC_PIO;
	else if (keyword(p, "mmio"))
		rec->kind = VT_REC_MMIO;
	else if (keyword(p, "cfg"))
		rec->kind = VT_REC_CFG;
	else if (keyword(p, "expect"))
		rec->kind = VT_REC_EXPECT;
	else if (keyword(p, "compare"))
		rec->kind = VT_REC_COMPARE;
	else {
		rec->kind = VT_REC_OTHER;
		return 0;
	}
	if (rec->kind == VT_REC_EXPECT) {
		if (vt_event_parse(p + 6, &rec->expect))
			return vt_err_at(err, EINVAL, file, ln, "bad event in expect line");
		return 0;
	}
	n = vt_tokenize(p, t, 16);
	if (n < 0)
		return vt_err_at(err, EINVAL, file, ln, "too many fields");
	if (rec->kind == VT_REC_COMPARE)
		return parse_compare(t, n, rec, file, ln, err);
	return parse_access(t, n, rec, file, ln, err);
}

int vt_trace_write(FILE *f, const struct vt_rec *rec)
{
	char buf[256], s[16];
	static const char *const kind[] = { [VT_REC_PIO] = "pio", [VT_REC_MMIO] = "mmio",
					    [VT_REC_CFG] = "cfg" };

	switch (rec->kind) {
	case VT_REC_PIO:
	case VT_REC_MMIO:
	case VT_REC_CFG:
		if (rec->kind == VT_REC_CFG)
			fprintf(f, "cfg %c %s 0x%x %u", rec->write ? 'w' : 'r',
				vt_fmt_sbdf((uint32_t)rec->addr, s), rec->reg, rec->size);
		else
			fprintf(f, "%s %c 0x%llx %u", kind[rec->kind], rec->write ? 'w' : 'r',
				(unsigned long long)rec->addr, rec->size);
		if (rec->has_value)
			fprintf(f, " 0x%x", rec->value);
		return fputc('\n', f) == EOF ? -EIO : 0;
	case VT_REC_EXPECT:
		vt_event_format(&rec->expect, buf, sizeof(buf));
		return fprintf(f, "expect %s\n", buf) < 0 ? -EIO : 0;
	case VT_REC_COMPARE:
		fputs("compare", f);
		for (int i = 0; i < VT_EV_MISMATCH; i++)
			if (rec->compare_mask & (1u << i))
				fprintf(f, " %s", vt_event_name((enum vt_ev_type)i));
		return fputc('\n', f) == EOF ? -EIO : 0;
	default:
		return 0;
	}
}
