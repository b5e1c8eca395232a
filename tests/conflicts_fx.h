/*
 * tests/conflicts_fx.h - the fixture shared by the issue-4 tests
 * (test_conflicts*.c): a machine built from machine-file text, accessed
 * through traps/, with every event and every backend call checked exactly
 * and every backend call replayed into a per-page model of Xen's p2m.
 *
 * The model is what makes the p2m rules of issue 4 testable: Xen crashes
 * the target when a different frame is mapped over an existing MMIO entry,
 * and an unmap removes every entry in its range, whoever made it. So the
 * model fails a test on a map of a page already mapped, an unmap of a page
 * not mapped (it might be somebody else's), any call touching a page the
 * test declared forbidden (RAM and reserved pages; RMRR pages of either
 * kind under strict policy), and any unmap touching a page the test
 * declared pinned (the RMRRs of this machine's functions, which the
 * platform identity-maps for this domain: under relaxed policy the first
 * BAR over such a page maps it, identity over identity, and nothing may
 * ever unmap it). The RMRRs of other machines' devices, checked under
 * strategy=host, are neither: mapped and unmapped like any page. After
 * every check the model must also equal the mapper's own view (map_walk:
 * the pages mapped through the backend, pinned ones included).
 */
#ifndef VT_CONFLICTS_FX_H
#define VT_CONFLICTS_FX_H

#include <CUnit/Basic.h>

#include "../traps/traps.h"

#define DATA     TOP_SRCDIR "/tests/data"
#define VPCITRAP TOP_BUILDDIR "/tools/vpcitrap"

#define FX_MAX_EV   512
#define FX_LINE_LEN 200
#define FX_MAX_RUNS 4096

/* A growable list of expected lines, for expectations computed in a loop. */
struct fx_lines {
	char s[FX_MAX_EV][FX_LINE_LEN];
	size_t n;
};
void fx_add(struct fx_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct fx_model {
	struct vt_range run[FX_MAX_RUNS]; /* mapped units: sorted, disjoint, coalesced */
	size_t n;
};

/*
 * Expected backend calls ("OP mem FIRST-LAST") for the pages of r outside
 * the pages of c (NULL: none), or outside a set of pages: what a BAR over
 * an RMRR may map (its pages not yet mapped) or unmap (its pages but the
 * pinned ones).
 */
void fx_add_pages(struct fx_lines *l, const char *op, const struct vt_range *r,
		  const struct vt_range *c);
void fx_add_pages_except(struct fx_lines *l, const char *op, const struct vt_range *r,
			 const struct fx_model *except);
/* Add the pages of [base, last] (bytes) to a set of pages (zeroed: empty). */
void fx_pages_add(struct fx_model *set, uint64_t base, uint64_t last);
/* Is the p2m model's set of mapped units exactly `set`? */
bool fx_model_is(enum vt_space sp, const struct fx_model *set);

struct fx {
	char dir[64];
	char file[128];            /* the machine file */
	const char *label;         /* prefixed to failure messages */
	struct vt_events ev;
	struct map_record rec;     /* keep = true */
	size_t rec_seen;           /* calls already checked */
	struct vpci_machine *m;
	struct trap t;
	char evs[FX_MAX_EV][FX_LINE_LEN];
	size_t nev;
	struct fx_model model[2];  /* VT_SPACE_MEM pages, VT_SPACE_IO ports */
	struct vt_range forbid[256]; /* pages no backend call may touch */
	size_t nforbid;
	struct vt_range pinned[256]; /* pages no unmap may touch */
	size_t npinned;
};
extern struct fx F;

/* Reset F, create its temp dir and an empty machine. */
void fx_mkdir(void);
/* Load a machine file or lspci dump (not finished). */
void fx_load_path(const char *path, const char *sizes);
/* Write `text` as the temp dir's machine file and load it. */
void fx_load_text(const char *text);
/* fx_mkdir + fx_load_text. */
void fx_begin(const char *text);
/* Finish the machine (maps what the initial state decodes) and set up the trap. */
void fx_finish(void);
void fx_open(const char *text); /* fx_begin + fx_finish */
/*
 * Every event and call must have been checked; then destroy (no backend
 * call at all: the mapper leaves teardown to its caller, and never unmaps
 * a pinned page) and remove the dir.
 */
void fx_close(void);
/* A file in the fixture's temp dir; returns its path (static buffer). */
const char *fx_put(const char *name, const char *text);
/* Declare [base, last] (bytes) as pages no backend call may touch. */
void fx_forbid(uint64_t base, uint64_t last);
/* Declare [base, last] (bytes) as pinned: pages a map may cover (once), no unmap. */
void fx_pinned(uint64_t base, uint64_t last);
/* The kind of the mapper's platform range [base, last] (-1: not registered). */
int fx_region_kind(uint64_t base, uint64_t last);

/* Config accesses: through the pre-decoded path and through 0xcf8/0xcfc. */
void fx_cfgw(uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);
void fx_piow(uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);
uint32_t fx_pior(uint32_t sbdf, unsigned reg, unsigned size);

/* Compare and consume the events / backend calls since the last check. */
void fx_check_events(const char *const *want, size_t n, const char *file, int line);
void fx_check_calls(const char *const *want, size_t n, const char *file, int line);
/* Feed the unchecked calls to the p2m model without comparing them; how many. */
size_t fx_consume_calls(const char *file, int line);
/* How many of the unchecked events start with prefix. */
size_t fx_count_events(const char *prefix);
void fx_check_events_l(const struct fx_lines *l, const char *file, int line);
void fx_check_calls_l(const struct fx_lines *l, const char *file, int line);

#define FX_LIST(...) ((const char *const[]){ __VA_ARGS__ })
#define FX_N(...)    (sizeof(FX_LIST(__VA_ARGS__)) / sizeof(const char *))
/* Events as CONTRACT §6 text without the line prefix. */
#define EVENTS(...)  fx_check_events(FX_LIST(__VA_ARGS__), FX_N(__VA_ARGS__), __FILE__, __LINE__)
#define NO_EVENTS()  fx_check_events(NULL, 0, __FILE__, __LINE__)
/* Backend calls as "map|unmap mem|io FIRST-LAST", in frames (mem) or ports (io). */
#define CALLS(...)   fx_check_calls(FX_LIST(__VA_ARGS__), FX_N(__VA_ARGS__), __FILE__, __LINE__)
#define NO_CALLS()   fx_check_calls(NULL, 0, __FILE__, __LINE__)
#define EVENTS_L(l)  fx_check_events_l(l, __FILE__, __LINE__)
#define CALLS_L(l)   fx_check_calls_l(l, __FILE__, __LINE__)

/* A run of a command, stdout captured; returns the exit status (-1: did not exit). */
int fx_run(const char *cmd, char *out, size_t len);

/* Suites of test_conflicts_real.c. */
extern CU_TestInfo conflicts_real_tests[];

#endif
