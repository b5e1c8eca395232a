/* common/event.c - the event bus and the CONTRACT §6 text form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

static const char *const ev_names[VT_EV_COUNT] = {
	[VT_EV_SIZING] = "sizing",     [VT_EV_MAP] = "map",
	[VT_EV_UNMAP] = "unmap",       [VT_EV_MOVE] = "move",
	[VT_EV_RENUMBER] = "renumber", [VT_EV_REFUSE] = "refuse",
	[VT_EV_WARN] = "warn",         [VT_EV_MISMATCH] = "mismatch",
	[VT_EV_UNEXPECTED] = "unexpected", [VT_EV_MISSING] = "missing",
};
static const char *const conflict_names[] = { "ram", "reserved", "rmrr" };
static const char *const bar_names[] = { "bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom" };

void vt_events_init(struct vt_events *ev)
{
	memset(ev, 0, sizeof(*ev));
}

int vt_events_subscribe(struct vt_events *ev, void (*fn)(void *, const struct vt_event *), void *ctx)
{
	if (ev->nsink == VT_EVENTS_MAX_SINKS)
		return -ENOSPC;
	ev->sink[ev->nsink].fn = fn;
	ev->sink[ev->nsink].ctx = ctx;
	ev->nsink++;
	return 0;
}

void vt_events_unsubscribe(struct vt_events *ev, void (*fn)(void *, const struct vt_event *), void *ctx)
{
	for (unsigned i = 0; i < ev->nsink; i++) {
		if (ev->sink[i].fn == fn && ev->sink[i].ctx == ctx) {
			memmove(&ev->sink[i], &ev->sink[i + 1], (ev->nsink - i - 1) * sizeof(ev->sink[0]));
			ev->nsink--;
			return;
		}
	}
}

void vt_events_emit(struct vt_events *ev, struct vt_event *e)
{
	if (!ev)
		return;
	e->line = ev->line;
	if (e->type < VT_EV_COUNT)
		ev->count[e->type]++;
	for (unsigned i = 0; i < ev->nsink; i++)
		ev->sink[i].fn(ev->sink[i].ctx, e);
}

const char *vt_event_name(enum vt_ev_type t)
{
	return t < VT_EV_COUNT ? ev_names[t] : "?";
}

int vt_event_type_from_name(const char *name)
{
	for (int i = 0; i < VT_EV_COUNT; i++)
		if (!strcmp(name, ev_names[i]))
			return i;
	return -1;
}

const char *vt_bar_name(unsigned bar)
{
	return bar < VT_ARRAY_SIZE(bar_names) ? bar_names[bar] : "bar?";
}

int vt_bar_from_name(const char *name)
{
	for (unsigned i = 0; i < VT_ARRAY_SIZE(bar_names); i++)
		if (!strcmp(name, bar_names[i]))
			return (int)i;
	return -1;
}

/* The pieces of an event line, appended without printf (vt_put_hex and its kin). */
static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_dec(char *p, unsigned v)
{
	char d[10];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = d[--n];
	return p;
}

/* "TYPE SBDF": how every line but text events starts. */
static char *put_who(char *p, const struct vt_event *e)
{
	p = put_str(p, ev_names[e->type]);
	*p++ = ' ';
	return vt_put_sbdf(p, e->sbdf);
}

/* "TYPE SBDF BAR" */
static char *put_head(char *p, const struct vt_event *e)
{
	p = put_who(p, e);
	*p++ = ' ';
	return put_str(p, vt_bar_name(e->bar));
}

int vt_event_format(const struct vt_event *e, char *buf, size_t len)
{
	char t[256], *p = t; /* every form but text events fits: at most ~130 bytes */
	size_t n;

	switch (e->type) {
	case VT_EV_SIZING:
		p = put_head(p, e);
		break;
	case VT_EV_MAP:
	case VT_EV_UNMAP:
		p = put_head(p, e);
		p = put_str(p, e->space == VT_SPACE_IO ? " io " : " mem ");
		p = vt_put_range(p, &e->range);
		break;
	case VT_EV_MOVE:
		p = put_head(p, e);
		*p++ = ' ';
		p = vt_put_0x(p, e->old_base);
		p = put_str(p, " -> ");
		p = vt_put_0x(p, e->new_base);
		break;
	case VT_EV_RENUMBER:
		p = put_who(p, e);
		p = put_str(p, " secondary ");
		p = vt_put_hex(p, e->sec_old, 2);
		p = put_str(p, "->");
		p = vt_put_hex(p, e->sec_new, 2);
		p = put_str(p, " subordinate ");
		p = vt_put_hex(p, e->sub_old, 2);
		p = put_str(p, "->");
		p = vt_put_hex(p, e->sub_new, 2);
		break;
	case VT_EV_REFUSE:
	case VT_EV_WARN:
		p = put_head(p, e);
		*p++ = ' ';
		p = vt_put_range(p, &e->range);
		*p++ = ' ';
		p = put_str(p, conflict_names[e->conflict % 3]);
		*p++ = ' ';
		p = vt_put_range(p, &e->conflict_range);
		p = put_str(p, e->policy == VT_POLICY_RELAXED ? " policy=relaxed" : " policy=strict");
		break;
	case VT_EV_MISMATCH:
		p = put_who(p, e);
		p = put_str(p, " reg ");
		p = vt_put_0x(p, e->reg);
		p = put_str(p, " size ");
		p = put_dec(p, e->size);
		p = put_str(p, " expected ");
		p = vt_put_0x(p, e->expected);
		p = put_str(p, " got ");
		p = vt_put_0x(p, e->got);
		break;
	case VT_EV_UNEXPECTED:
	case VT_EV_MISSING:
		return snprintf(buf, len, "%s %s", ev_names[e->type], e->text ? e->text : "");
	default:
		return snprintf(buf, len, "?");
	}
	/* snprintf's contract: what fits, NUL-terminated, and the full length returned. */
	n = (size_t)(p - t);
	if (len) {
		size_t k = n < len - 1 ? n : len - 1;
		memcpy(buf, t, k);
		buf[k] = 0;
	}
	return (int)n;
}

/* A bus number as printed by renumber: two hex digits, 0x prefix allowed. */
static int parse_bus(const char *s, uint8_t *out)
{
	uint64_t v;

	if (s[0] == '0' && s[1] == 'x' ? vt_parse_u64(s, &v) : vt_parse_hex(s, &v))
		return -EINVAL;
	if (v > 255)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

static int parse_arrow(const char *s, uint8_t *a, uint8_t *b)
{
	char buf[16];
	const char *p = strstr(s, "->");

	if (!p || (size_t)(p - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = 0;
	return parse_bus(buf, a) || parse_bus(p + 2, b) ? -EINVAL : 0;
}

static int parse_conflict(const char *kind, const char *range, const char *pol, struct vt_event *e)
{
	unsigned i;

	for (i = 0; i < 3 && strcmp(kind, conflict_names[i]); i++)
		;
	if (i == 3 || vt_parse_range(range, &e->conflict_range))
		return -EINVAL;
	e->conflict = (enum vt_conflict)i;
	if (!strcmp(pol, "policy=strict"))
		e->policy = VT_POLICY_STRICT;
	else if (!strcmp(pol, "policy=relaxed"))
		e->policy = VT_POLICY_RELAXED;
	else
		return -EINVAL;
	return 0;
}

static int parse_tokens(char **t, int n, struct vt_event *e)
{
	int type = vt_event_type_from_name(t[0]), bar;
	uint64_t v[4];

	if (type < 0 || type >= VT_EV_UNEXPECTED || n < 2 || vt_parse_sbdf(t[1], &e->sbdf))
		return -EINVAL;
	e->type = (enum vt_ev_type)type;
	if (type == VT_EV_RENUMBER)
		return n == 6 && !strcmp(t[2], "secondary") && !strcmp(t[4], "subordinate") &&
		       !parse_arrow(t[3], &e->sec_old, &e->sec_new) &&
		       !parse_arrow(t[5], &e->sub_old, &e->sub_new) ? 0 : -EINVAL;
	if (type == VT_EV_MISMATCH) {
		if (n != 10 || strcmp(t[2], "reg") || strcmp(t[4], "size") || strcmp(t[6], "expected") ||
		    strcmp(t[8], "got") || vt_parse_u64(t[3], &v[0]) || vt_parse_u64(t[5], &v[1]) ||
		    vt_parse_u64(t[7], &v[2]) || vt_parse_u64(t[9], &v[3]))
			return -EINVAL;
		e->reg = (uint16_t)v[0], e->size = (uint8_t)v[1];
		e->expected = (uint32_t)v[2], e->got = (uint32_t)v[3];
		return 0;
	}
	if (n < 3 || (bar = vt_bar_from_name(t[2])) < 0)
		return -EINVAL;
	e->bar = (uint8_t)bar;
	switch (type) {
	case VT_EV_SIZING:
		return n == 3 ? 0 : -EINVAL;
	case VT_EV_MAP:
	case VT_EV_UNMAP:
		if (n != 5 || (strcmp(t[3], "mem") && strcmp(t[3], "io")))
			return -EINVAL;
		e->space = t[3][0] == 'i' ? VT_SPACE_IO : VT_SPACE_MEM;
		return vt_parse_range(t[4], &e->range) ? -EINVAL : 0;
	case VT_EV_MOVE:
		if (n != 6 || strcmp(t[4], "->") || vt_parse_u64(t[3], &e->old_base) ||
		    vt_parse_u64(t[5], &e->new_base))
			return -EINVAL;
		return 0;
	default: /* refuse, warn */
		if (n != 7 || vt_parse_range(t[3], &e->range))
			return -EINVAL;
		return parse_conflict(t[4], t[5], t[6], e);
	}
}

int vt_event_parse(const char *text, struct vt_event *e)
{
	char buf[256], *t[16];
	int n;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	n = vt_tokenize(buf, t, 16);
	if (n <= 0)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	return parse_tokens(t, n, e);
}

bool vt_event_equal(const struct vt_event *a, const struct vt_event *b)
{
	if (a->type != b->type || a->sbdf != b->sbdf)
		return false;
	switch (a->type) {
	case VT_EV_SIZING:
		return a->bar == b->bar;
	case VT_EV_MAP:
	case VT_EV_UNMAP:
		return a->bar == b->bar && a->space == b->space && a->range.base == b->range.base &&
		       a->range.last == b->range.last;
	case VT_EV_MOVE:
		return a->bar == b->bar && a->old_base == b->old_base && a->new_base == b->new_base;
	case VT_EV_RENUMBER:
		return a->sec_old == b->sec_old && a->sec_new == b->sec_new &&
		       a->sub_old == b->sub_old && a->sub_new == b->sub_new;
	case VT_EV_REFUSE:
	case VT_EV_WARN:
		return a->bar == b->bar && a->range.base == b->range.base &&
		       a->range.last == b->range.last && a->conflict == b->conflict &&
		       a->conflict_range.base == b->conflict_range.base &&
		       a->conflict_range.last == b->conflict_range.last && a->policy == b->policy;
	case VT_EV_MISMATCH:
		return a->reg == b->reg && a->size == b->size && a->expected == b->expected &&
		       a->got == b->got;
	default:
		return a->text && b->text && !strcmp(a->text, b->text);
	}
}
