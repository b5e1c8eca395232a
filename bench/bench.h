/*
 * bench/bench.h - `vpcitrap bench`: what the bench modules share.
 *
 * Measurements are taken with CLOCK_MONOTONIC over samples long enough
 * (sample_ns) that the clock's own cost vanishes; each figure is the median
 * over `reps` samples with their min and max, in nanoseconds per operation.
 * Work is kept alive through BENCH_SINK so the compiler cannot drop it (the
 * emulator's entry points are in other translation units anyway).
 *
 * Modules: bench_util.c (timing, statistics, memory), bench_gen.c (machines
 * generated in memory), bench_xen.c (the Xen-style baseline), bench_trap.c
 * (the trap path), bench_map.c (mapping), bench_replay.c (replay).
 */
#ifndef VT_BENCH_H
#define VT_BENCH_H

#include <stdio.h>

#include "../common/vt.h"
#include "../traps/traps.h"

/* Keep a value alive without a memory store (an empty asm that "uses" it). */
#define BENCH_SINK(x) __asm__ __volatile__("" : : "r"(x))

struct bench_opts {
	bool quick;             /* --quick: the short version CI runs */
	unsigned reps;          /* samples per figure */
	uint64_t sample_ns;     /* target length of one sample */
	unsigned long replay_n; /* accesses in the generated trace */
	const char *tmpdir;     /* where the trace is generated */
	bool keep;              /* keep the generated trace */
	const char *self;       /* this program, for the replay child */
	FILE *out;
};

/* Median, min and max over the samples, in ns per operation. */
struct bench_stat {
	double med, min, max;
};

/* What the summary line and docs/performance.md need from the sections. */
struct bench_summary {
	double trap_med;        /* median of every trap-path cell's median */
	double trap_worst;      /* worst cell median */
	double trap_best;
	double flat_sizes;      /* worst max/min over machine sizes, same access */
	double flat_regs_rd, flat_regs_wr; /* worst max/min over registers, same size */
	double list_ratio_64;   /* baseline / ours, 64 registers, last register */
	double replay_aps;      /* replay accesses per second (wall clock) */
	double replay_peak_kib;
	double per_fn_bytes;    /* heap per function, largest machine */
	double renumber_us;
	unsigned long map_calls_64g;
};

/* bench_util.c */
uint64_t bench_now_ns(void);
/*
 * Measure fn(ctx, iters), which performs `iters` iterations of `ops` operations
 * each: calibrates iters to sample_ns, then takes o->reps samples.
 */
void bench_measure(const struct bench_opts *o, void (*fn)(void *ctx, unsigned long iters), void *ctx,
		   unsigned ops, struct bench_stat *st);
/* Several figures measured together, their samples interleaved in rounds. */
struct bench_job {
	void (*fn)(void *ctx, unsigned long iters);
	void *ctx;
	unsigned ops;
	struct bench_stat *st; /* the result */
	unsigned long iters;   /* set by the calibration */
};
void bench_measure_jobs(const struct bench_opts *o, struct bench_job *jobs, unsigned n);
void bench_stat_of(double *v, unsigned n, struct bench_stat *st);
/* "7.1 [6.9-7.8]" into buf (>= 40 bytes); from 100000 on, "496k [384k-1497k]" (x1000). */
char *bench_fmt_stat(const struct bench_stat *st, char *buf);
/* Bytes the allocator has handed out (mallinfo2: arena in use + mmapped). */
size_t bench_heap_bytes(void);
/* xorshift64*: reproducible pseudo-random numbers. */
uint64_t bench_rand(uint64_t *state);

/*
 * A counting map backend: counts calls and units; max_nr is settable so the
 * splitting rule can be checked.
 */
struct bench_counter {
	struct map_ops ops;
	unsigned long maps, unmaps;
	uint64_t map_units, unmap_units, largest;
};
void bench_counter_init(struct bench_counter *c, uint64_t max_nr);

/* bench_gen.c: machines generated in memory. */
struct bench_machine {
	struct vt_events ev;
	struct bench_counter cnt;
	struct vpci_machine *m;
	struct trap trap;
	unsigned nfn;           /* functions, bridges included */
	uint32_t *sbdf;         /* every function's SBDF in generation (bus) order */
	unsigned *ep, nep;      /* indices in sbdf[] of the endpoints */
	size_t heap;            /* heap bytes the machine holds */
	double build_ms;        /* add_dev + finish */
	double finish_ms;
	/* us per vpci_machine_add_dev, median over the first and the last 256 functions: equal
	 * when adding is O(1), growing with the machine when it is O(n) */
	double add_first_us, add_last_us;
	unsigned nadd, want;
	double add_ns[2][256];  /* each add of the first and the last 256, for the medians */
};
#define BENCH_ECAM_BASE 0xe0000000ull
/* Address of function `idx`'s BAR0 (1 MiB apart above 256 GiB). */
#define BENCH_BAR_BASE(idx) (0x4000000000ull + ((uint64_t)(idx) << 20))

/*
 * A machine of nfn functions (1, 64, 4096, 65536, ...): bus 0, then full
 * buses of 256 functions behind bridges on bus 0.
 */
int bench_machine_gen(struct bench_machine *bm, unsigned nfn, struct vt_err *err);
/* The same with a backend limit and platform ranges added before finishing. */
struct bench_gen {
	uint64_t max_nr;
	int (*pre)(struct vpci_machine *m, void *ctx); /* 0 or -errno */
	void *ctx;
};
int bench_machine_gen_ex(struct bench_machine *bm, unsigned nfn, const struct bench_gen *g, struct vt_err *err);
/* 4096 endpoints behind one bridge (00:01.0), through 16 switch ports. */
int bench_machine_deep(struct bench_machine *bm, struct vt_err *err);
void bench_machine_free(struct bench_machine *bm);
/* Config space of a generated PCIe endpoint / bridge (4096 bytes). */
void bench_desc_endpoint(struct vpci_dev_desc *d, const char *path, unsigned idx, bool multi);
void bench_desc_bridge(struct vpci_dev_desc *d, const char *path, unsigned pri, unsigned sec, unsigned sub,
		       bool multi);
/* Capability offsets of the generated endpoint (for register positions). */
#define BENCH_CAP_MSI  0x50
#define BENCH_CAP_EXP  0x70
#define BENCH_CAP_MSIX 0xb0

/* bench_xen.c: the baseline, Xen vPCI's data structures. */
struct xb;
/* A baseline over the SBDFs of bm; the devices `hot` get nreg-register lists. */
struct xb *xb_create(struct bench_machine *bm, const unsigned *hot, unsigned nhot, unsigned nreg);
void xb_destroy(struct xb *x);
uint32_t xb_pio_read(struct xb *x, uint16_t port, unsigned size);
void xb_pio_write(struct xb *x, uint16_t port, unsigned size, uint32_t val);
uint32_t xb_mmio_read(struct xb *x, uint64_t addr, unsigned size);
void xb_mmio_write(struct xb *x, uint64_t addr, unsigned size, uint32_t val);
uint32_t xb_cfg_read(struct xb *x, uint32_t sbdf, unsigned reg, unsigned size);
void xb_cfg_write(struct xb *x, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);

/* The sections; each prints its tables and fills its part of the summary. */
int bench_trap(const struct bench_opts *o, struct bench_summary *s);
int bench_map(const struct bench_opts *o, struct bench_summary *s);
int bench_replay(const struct bench_opts *o, struct bench_summary *s);
/* The child side of bench_replay: `vpcitrap bench --replay-child TRACE`. */
int bench_replay_child(const char *trace);

#endif
