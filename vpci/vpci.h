/*
 * vpci/vpci.h - emulated PCI devices, their topology and config space.
 *
 * A machine is a set of root buses, bridges and functions, each function
 * known by its path (CONTRACT §1: root bus, then dev.fn hops), reached by
 * its current SBDF through the bridges' current bus numbers (§2). Config
 * space is emulated QEMU-style: config bytes plus write masks (wmask, RW1C),
 * with a handler only where a write has a side effect: command, BARs, ROM,
 * bridge bus numbers (§3). Those handlers tell the mapper what each BAR
 * wants mapped.
 *
 * The guest access path (vpci_cfg_read/write) never fails: an absent
 * function reads all ones and drops writes.
 */
#ifndef VT_VPCI_H
#define VT_VPCI_H

#include "../common/event.h"
#include "../common/vt.h"
#include "../mapper/mapper.h"

struct vpci_machine;
struct vpci_dev;

#define VPCI_PATH_MAX   64   /* bytes of a path string */
#define VPCI_CFG_SIZE   4096
#define VPCI_NBARS      7    /* bar0..bar5, rom */

enum vpci_bar_type {
	VPCI_BAR_NONE,
	VPCI_BAR_MEM32,
	VPCI_BAR_MEM64,   /* the lower register; the next one is its upper half */
	VPCI_BAR_MEM64_HI,
	VPCI_BAR_IO,
	VPCI_BAR_ROM,
};

/*
 * A device backend: where config bytes come from and writes go to. The
 * simulated backend (ops == NULL) is the emulated config array itself: the
 * device of a machine file. A real backend (libpci) is called after the
 * emulation applied its masks, so vpci always knows BAR and command state.
 */
struct vpci_backend_ops {
	const char *name;
	/* Read size (1/2/4) bytes at reg; a failure reads all ones. */
	int (*read)(void *ctx, unsigned reg, unsigned size, uint32_t *val);
	int (*write)(void *ctx, unsigned reg, unsigned size, uint32_t val); /* val: the size bytes only */
	void (*destroy)(void *ctx);
};

/* What a machine file / dump / host snapshot says of one function. */
struct vpci_dev_desc {
	char path[VPCI_PATH_MAX];     /* "00:1c.0/00.0" (optionally "SSSS:" first) */
	uint8_t cfg[VPCI_CFG_SIZE];
	unsigned cfg_len;             /* bytes given: 64, 256 or 4096 (others rounded up) */
	uint64_t bar_size[VPCI_NBARS];/* 0: not implemented; bar_size[6] = ROM */
	enum vt_policy rdm_policy;
	/* Explicit write masks overriding the defaults: reg, size, wmask, w1c. */
	struct { uint16_t reg; uint8_t size; uint32_t wmask, w1c; } mask[32];
	unsigned nmask;
	/*
	 * An indirect register window (SHPC's DWORD Select / DWORD Data, PCI
	 * Standard Hot-Plug Controller 1.0 section 5.2.2): the 4-byte data
	 * register at win_data shows register `select` of a file of 256, where
	 * select is the byte at win_sel. win_nreg == 0: none.
	 */
	uint16_t win_sel, win_data;
	unsigned win_nreg;
	struct { uint8_t index; uint32_t val, wmask, w1c; } win_reg[256];
	const struct vpci_backend_ops *ops; /* NULL: simulated */
	void *ops_ctx;
	unsigned long line;           /* where it was declared, for errors */
	const char *file;
};

/* Global RDM settings (xl.cfg `rdm = "strategy=host,policy=strict"`). */
struct vpci_rdm {
	bool strategy_host;           /* default true */
	enum vt_policy policy;        /* default strict */
};
int vpci_rdm_parse(const char *spec, struct vpci_rdm *out);

struct vpci_rmrr {
	struct vt_range range;
	unsigned npath;
	char (*path)[VPCI_PATH_MAX];
};

/* Machine construction. */
struct vpci_machine *vpci_machine_create(struct vt_events *ev, const struct map_ops *ops, void *ops_ctx);
void vpci_machine_destroy(struct vpci_machine *m);
int vpci_machine_add_dev(struct vpci_machine *m, const struct vpci_dev_desc *d, struct vt_err *err);
int vpci_machine_add_region(struct vpci_machine *m, enum map_region kind, const struct vt_range *r);
int vpci_machine_add_rmrr(struct vpci_machine *m, const struct vt_range *r, const char *const *paths,
			  unsigned npath);
/* An RMRR-like range whose scope is a range of current SBDFs (AMD IVMD). */
int vpci_machine_add_rmrr_sbdf(struct vpci_machine *m, const struct vt_range *r, uint32_t first,
			       uint32_t last);
/*
 * Platform tables (vpci/platform.c): a binary DMAR or IVRS table (RMRRs and
 * IVMDs with their device scopes), a /sys/firmware/memmap style directory
 * (RAM and reserved ranges). NULL path: this host's.
 */
int vpci_machine_load_acpi(struct vpci_machine *m, const char *path, struct vt_err *err);
int vpci_machine_load_memmap(struct vpci_machine *m, const char *dir, struct vt_err *err);
int vpci_machine_set_ecam(struct vpci_machine *m, uint64_t base, uint8_t bus_first, uint8_t bus_last);
void vpci_machine_set_rdm(struct vpci_machine *m, const struct vpci_rdm *rdm);
/*
 * Ends construction: checks the tree (every path's parent exists and is a
 * bridge), registers the RMRRs the RDM strategy selects, builds the routing
 * tables and maps what the initial config state says is mapped.
 */
int vpci_machine_finish(struct vpci_machine *m, struct vt_err *err);
bool vpci_machine_finished(const struct vpci_machine *m);

/*
 * Machine files (CONTRACT §5): machine lines may come from a machine file
 * or a trace's machine section. The parser is fed line by line.
 */
struct vpci_parser;
struct vpci_parser *vpci_parser_create(struct vpci_machine *m);
/* 1: the line was a machine line; 0: not one (an access); <0 error. */
int vpci_parser_line(struct vpci_parser *p, const char *file, unsigned long lineno, char *line,
		     struct vt_err *err);
/* Flush the last device. */
int vpci_parser_end(struct vpci_parser *p, struct vt_err *err);
void vpci_parser_destroy(struct vpci_parser *p);
/* Whole file: a machine file, or an lspci -xxx/-xxxx (with -vvv) dump. */
int vpci_machine_load(struct vpci_machine *m, const char *path, const char *sizes_path,
		      struct vt_err *err);

/*
 * lspci dumps (vpci/lspci.c): functions in file order with config bytes and,
 * where the -vvv text gives them, BAR/ROM sizes.
 */
struct vpci_dump_fn {
	uint16_t seg;
	uint8_t bus, devfn;
	uint8_t cfg[VPCI_CFG_SIZE];
	unsigned cfg_len;              /* highest offset given + 1 */
	uint64_t bar_size[VPCI_NBARS]; /* from "[size=...]"; 0 unknown */
	bool have_sizes;               /* a -vvv block was seen for it */
	unsigned long line;
};
struct vpci_dump {
	struct vpci_dump_fn *fn;
	size_t n;
	unsigned nwarn;                /* lines skipped as libpci would */
};
/* Is this file an lspci dump (as opposed to a machine file)? */
bool vpci_dump_detect(const char *path);
int vpci_dump_parse(const char *path, struct vpci_dump *out, struct vt_err *err);
/* Apply "[size=...]" of an lspci -vvv text (a separate file) by BDF. */
int vpci_dump_sizes(const char *path, struct vpci_dump *d, struct vt_err *err);
void vpci_dump_free(struct vpci_dump *d);
/* Turn a dump into device descriptions with paths worked out from bus numbers. */
int vpci_dump_to_machine(const struct vpci_dump *d, struct vpci_machine *m, const char *file,
			 struct vt_err *err);

/* Real host functions through libpci (vpci/hw_libpci.c). */
struct pci_access;
extern const struct vpci_backend_ops vpci_hw_libpci;
/*
 * Fill d from host function sbdf: config bytes (4096 if readable, else 256,
 * else 64), BAR/ROM sizes (PCI_FILL_SIZES), ops = vpci_hw_libpci. path NULL:
 * "BB:DD.F" (with "SSSS:" when the segment is not 0). 0 or -errno
 * (-ENODEV: no such function).
 */
int vpci_hw_libpci_desc(struct pci_access *pacc, uint32_t sbdf, const char *path,
			struct vpci_dev_desc *d, struct vt_err *err);

/*
 * Write the machine as a machine file (CONTRACT §5): platform ranges,
 * RMRRs, ECAM, RDM policy, and every function with its current config
 * bytes, BAR sizes and mask overrides. Replaying against the output
 * behaves as this machine does from its current state, with one exception:
 * a BAR caught in the middle of sizing is written as its size mask, which a
 * reloaded machine takes for an address (serve writes machines before the
 * first access, where no BAR is sizing).
 */
int vpci_machine_write(const struct vpci_machine *m, FILE *f);

/* The guest access path: never fails. A write takes the low `size` bytes of val. */
uint32_t vpci_cfg_read(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size);
void vpci_cfg_write(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);

/* ECAM window of the machine (for traps): false if none. */
bool vpci_machine_ecam(const struct vpci_machine *m, uint64_t *base, uint8_t *first, uint8_t *last);

/* Lookup and introspection. */
struct vpci_dev *vpci_dev_lookup(const struct vpci_machine *m, uint32_t sbdf);
struct vpci_dev *vpci_dev_by_path(const struct vpci_machine *m, const char *path);
size_t vpci_machine_ndev(const struct vpci_machine *m);
/* Bytes of device memory mapped outside the C heap (malloc's statistics do not count them). */
size_t vpci_machine_mapped_bytes(const struct vpci_machine *m);
struct vpci_dev *vpci_machine_dev(const struct vpci_machine *m, size_t i);
const char *vpci_dev_path(const struct vpci_dev *d);
/* Current SBDF; false when unreachable (behind a bridge with no bus yet). */
bool vpci_dev_sbdf(const struct vpci_dev *d, uint32_t *sbdf);
bool vpci_dev_is_bridge(const struct vpci_dev *d);
enum vpci_bar_type vpci_dev_bar(const struct vpci_dev *d, unsigned bar, uint64_t *addr, uint64_t *size);
struct mapper *vpci_machine_mapper(const struct vpci_machine *m);
struct vt_events *vpci_machine_events(const struct vpci_machine *m);

/* The mapped set (for --final), sorted by base. */
struct vpci_mapped {
	uint32_t sbdf;
	uint8_t bar;
	enum vt_space space;
	struct vt_range range;
};
size_t vpci_machine_mapped(const struct vpci_machine *m, struct vpci_mapped **out);

/*
 * The function that would answer an access to sbdf per §2 routing, computed
 * the slow way from bridge registers (for invariant checks).
 */
struct vpci_dev *vpci_route_slow(const struct vpci_machine *m, uint32_t sbdf);

#endif
