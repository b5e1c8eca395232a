/*
 * common/event.h - the event stream of CONTRACT §6.
 *
 * vpci emits sizing/move/renumber, mapper emits map/unmap/refuse/warn, the
 * replay engine emits mismatch/unexpected/missing. Printers, recorders,
 * the replay comparator and the ioreq claim tracker subscribe.
 */
#ifndef VT_EVENT_H
#define VT_EVENT_H

#include "vt.h"

enum vt_ev_type {
	VT_EV_SIZING,
	VT_EV_MAP,
	VT_EV_UNMAP,
	VT_EV_MOVE,
	VT_EV_RENUMBER,
	VT_EV_REFUSE,
	VT_EV_WARN,
	VT_EV_MISMATCH,
	VT_EV_UNEXPECTED,
	VT_EV_MISSING,
	VT_EV_COUNT
};

enum vt_space { VT_SPACE_MEM, VT_SPACE_IO };
enum vt_conflict { VT_CONFLICT_RAM, VT_CONFLICT_RESERVED, VT_CONFLICT_RMRR };
enum vt_policy { VT_POLICY_DEFAULT, VT_POLICY_STRICT, VT_POLICY_RELAXED };

#define VT_BAR_ROM 6 /* bar index of the expansion ROM */

struct vt_event {
	enum vt_ev_type type;
	unsigned long line;        /* trace line that caused it (0: none) */
	uint32_t sbdf;
	uint8_t bar;               /* 0..5, VT_BAR_ROM */
	enum vt_space space;       /* map, unmap */
	struct vt_range range;     /* map, unmap, refuse, warn: the BAR */
	uint64_t old_base, new_base;            /* move */
	uint8_t sec_old, sec_new, sub_old, sub_new; /* renumber */
	enum vt_conflict conflict; /* refuse, warn */
	struct vt_range conflict_range;
	enum vt_policy policy;     /* refuse (strict or n/a), warn (relaxed) */
	uint16_t reg;              /* mismatch */
	uint8_t size;
	uint32_t expected, got;
	const char *text;          /* unexpected, missing: the event's text */
};

/* One subscriber. */
struct vt_sink {
	void (*fn)(void *ctx, const struct vt_event *ev);
	void *ctx;
};

#define VT_EVENTS_MAX_SINKS 8
struct vt_events {
	struct vt_sink sink[VT_EVENTS_MAX_SINKS];
	unsigned nsink;
	unsigned long line;             /* stamped on every event emitted */
	unsigned long count[VT_EV_COUNT];
};

void vt_events_init(struct vt_events *ev);
int vt_events_subscribe(struct vt_events *ev, void (*fn)(void *, const struct vt_event *), void *ctx);
void vt_events_unsubscribe(struct vt_events *ev, void (*fn)(void *, const struct vt_event *), void *ctx);
/* Stamps e->line, counts it and delivers it to every sink in order. */
void vt_events_emit(struct vt_events *ev, struct vt_event *e);

/* The event as CONTRACT §6 text, without the "LINE: " prefix. */
int vt_event_format(const struct vt_event *e, char *buf, size_t len);
/* Parse such text (as in an `expect` line); 0 or -EINVAL. */
int vt_event_parse(const char *text, struct vt_event *e);
/* Same event (line numbers ignored). */
bool vt_event_equal(const struct vt_event *a, const struct vt_event *b);
/* "sizing", "map", ... and the reverse; -1 if unknown. */
const char *vt_event_name(enum vt_ev_type t);
int vt_event_type_from_name(const char *name);
/* "bar0".."bar5", "rom" and the reverse. */
const char *vt_bar_name(unsigned bar);
int vt_bar_from_name(const char *name);

#endif
