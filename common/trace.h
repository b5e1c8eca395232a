/*
 * common/trace.h - the access lines of a trace (CONTRACT §5).
 *
 *   pio r|w PORT SIZE [VALUE]
 *   mmio r|w ADDR SIZE [VALUE]
 *   cfg r|w SBDF REG SIZE [VALUE]
 *   expect EVENT...
 *   compare KIND...          (extension: which event kinds `expect` covers)
 *
 * Machine lines (ram, device, hex rows, ...) are not parsed here: the
 * reader hands them back as VT_REC_OTHER for vpci's machine parser.
 */
#ifndef VT_TRACE_H
#define VT_TRACE_H

#include "event.h"
#include "vt.h"

enum vt_rec_kind {
	VT_REC_EMPTY,   /* blank or comment */
	VT_REC_PIO,
	VT_REC_MMIO,
	VT_REC_CFG,
	VT_REC_EXPECT,
	VT_REC_COMPARE,
	VT_REC_OTHER,   /* not a trace line: machine section */
};

struct vt_rec {
	enum vt_rec_kind kind;
	bool write;
	bool has_value;
	uint8_t size;
	uint64_t addr;          /* port, address; cfg: sbdf */
	uint16_t reg;           /* cfg */
	uint32_t value;
	struct vt_event expect; /* VT_REC_EXPECT */
	uint32_t compare_mask;  /* VT_REC_COMPARE: 1 << vt_ev_type */
};

/*
 * Parse one line (modified in place: tokenised). Returns 0, or -EINVAL with
 * err naming file:line. VT_REC_OTHER leaves the line untouched.
 */
int vt_trace_parse(char *line, const char *file, unsigned long lineno, struct vt_rec *rec,
		   struct vt_err *err);
/* Write a record as a trace line (with newline). */
int vt_trace_write(FILE *f, const struct vt_rec *rec);

#endif
