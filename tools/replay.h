/* tools/replay.h - the replay engine behind `vpcitrap replay` (also used by fuzz and bench). */
#ifndef VT_REPLAY_H
#define VT_REPLAY_H

#include <stdio.h>

#include "../common/vt.h"

struct replay_opts {
	const char *trace;     /* path or "-" */
	const char *machine;   /* optional machine file or lspci dump */
	const char *sizes;     /* optional lspci -vvv file for a dump machine */
	const char *rdm;       /* optional rdm spec overriding the machine's */
	const char *acpi[8];   /* DMAR / IVRS tables to add (--dmar, --ivrs) */
	unsigned nacpi;
	const char *memmap;    /* a memmap directory to add (--memmap) */
	bool final;            /* print the mapped set at the end */
	bool quiet;            /* print only mismatch/unexpected/missing */
	bool silent;           /* print nothing (bench, fuzz) */
};

struct replay_stats {
	unsigned long accesses, reads, writes, mismatches;
	unsigned long maps, unmaps, refusals, renumbers;
};

/*
 * Run a trace. Returns 0 (no mismatch), 1 (mismatches), or 2 with err set
 * (bad usage or input; the message names file and line).
 */
int replay_run(const struct replay_opts *o, FILE *out, struct replay_stats *st, struct vt_err *err);

#endif
