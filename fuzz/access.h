/*
 * fuzz/access.h - the access-path harness: a built-in machine, a second,
 * independent model of CONTRACT §2-3 computed from the registers read back
 * through vpci_cfg_read, and the invariants compared after every access.
 *
 *   access_machine.c  the machine (devices, regions, RMRRs, ECAM, policies)
 *   access_model.c    routing and the §3 mapping rule, re-implemented
 *   access_units.c    interval sets of pages/ports
 *   access_check.c    the invariants
 *   access_roundtrip.c  the machine written back and loaded again
 *   access_ops.c      input bytes -> accesses; fuzz_one
 */
#ifndef VT_FUZZ_ACCESS_H
#define VT_FUZZ_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "../mapper/mapper.h"
#include "../traps/traps.h"
#include "../vpci/vpci.h"
#include "harness.h"

#define AX_MAXDEV  20
#define AX_NBARS   7   /* bar0..bar5, rom */
#define AX_HDR     64  /* header bytes the model reads back */
#define AX_ECAM    0xb0000000ull
#define AX_ECAM_LAST_BUS 0x3f

/* BAR kinds as the (simulated) hardware implements them. */
enum ax_bar { AX_NONE, AX_MEM32, AX_MEM64, AX_IO, AX_ROM };

/* One function of the built-in machine, as its hardware is. */
struct ax_devdef {
	const char *path;
	int parent;              /* index of the bridge above; -1 on a root bus */
	uint16_t seg;
	uint8_t root;            /* root bus number (parent < 0) */
	uint8_t devfn;
	uint8_t hdr;             /* header type byte (0x80: multi-function) */
	uint16_t cmd;            /* initial command */
	uint8_t sec, sub;        /* bridges: initial bus numbers */
	enum ax_bar bar[AX_NBARS];
	uint64_t size[AX_NBARS];
	uint64_t addr[AX_NBARS]; /* initial register value(s), type bits included */
	enum vt_policy policy, alt_policy; /* per-device rdm_policy (alt: flag bit 2) */
	bool caps;               /* PM, MSI, PCIe capabilities at 0x40 */
	bool ext;                /* 4096 bytes of config space */
	bool window;             /* an indirect register window at 0x62/0x64 */
	bool extmask;            /* `mask` overrides in extended space (AER status RW1C, mask RW) */
	bool host;               /* a host device (vpci_backend_ops), as --host gives one */
};

/* Platform ranges. */
struct ax_region {
	enum map_region kind;
	struct vt_range r;
	const char *scope[2];    /* RMRR device scope (paths) */
	bool unaligned_variant;  /* only with flag bit 3 */
};

extern const struct ax_devdef ax_devs[];
extern const unsigned ax_ndev;
extern const struct ax_region ax_regions[];
extern const unsigned ax_nregions;

/* Interval sets of units (pages or ports) with a count, kept sorted. */
struct ax_run {
	uint64_t first, last, count;
};
struct ax_units {
	struct ax_run *v;
	size_t n, cap;
};
void ax_units_clear(struct ax_units *u);
void ax_units_free(struct ax_units *u);
/* Add delta to every unit of [first, last] (counts stay >= 0; 0 drops out). */
void ax_units_add(struct ax_units *u, uint64_t first, uint64_t last, int64_t delta);
uint64_t ax_units_count(const struct ax_units *u, uint64_t unit);
bool ax_units_overlap(const struct ax_units *u, uint64_t first, uint64_t last);
/* Merge touching runs of equal count: a canonical form. */
void ax_units_normalize(struct ax_units *u);
bool ax_units_equal(const struct ax_units *a, const struct ax_units *b);
/* Remove every unit of [first, last]; set every count to 1 (a plain set). */
void ax_units_drop(struct ax_units *u, uint64_t first, uint64_t last);
void ax_units_flatten(struct ax_units *u);
/* Is every unit of [first, last] in the set? */
bool ax_units_covers(const struct ax_units *u, uint64_t first, uint64_t last);
void ax_units_copy(struct ax_units *dst, const struct ax_units *src);

/* What the model says one BAR maps. */
struct ax_map {
	unsigned dev, bar;
	enum vt_space space;
	struct vt_range r;
};

/* The model of one function: registers as last read back, raw guest writes. */
struct ax_mdev {
	struct vpci_dev *d;      /* the code under test's device (for lookups only) */
	uint8_t cfg[AX_HDR];     /* header as last read back while reachable */
	uint8_t init[AX_HDR];    /* header as read back right after finish */
	uint8_t raw[AX_HDR];     /* the bytes the guest last wrote, unmasked */
	int bus;                 /* current bus number, -1 unreachable */
	enum vt_policy policy;
	uint8_t aer[8];          /* extmask: AER status (RW1C) and mask (RW) at 0x104, by the model */
};
/* The extended-space `mask` overrides of extmask devices (access_machine.c). */
#define AX_AER_REG   0x104
#define AX_AER_RESET 0x00001010u /* status at reset */
#define AX_AER_BITS  0x003ff030u /* the RW1C status bits, and the RW mask bits */

struct ax_state {
	unsigned flags;          /* input's first byte: machine variant */
	struct vt_events ev;
	struct map_record rec;
	struct vpci_machine *m;
	struct trap trap;
	struct ax_mdev dev[AX_MAXDEV];
	bool host, relaxed;      /* rdm strategy=host, global policy relaxed */
	bool unaligned;          /* the unaligned reserved range is present */
	struct ax_map want[AX_MAXDEV * AX_NBARS], prev[AX_MAXDEV * AX_NBARS];
	size_t nwant, nprev;
	struct ax_units backend[2]; /* units mapped per the backend's calls */
	size_t calls_seen;
	unsigned long maps, unmaps; /* map/unmap events */
	uint32_t cf8;            /* the model's own CONFIG_ADDRESS latch */
	unsigned long op;        /* access number, for messages */
	uint32_t last_sbdf;      /* the last access's target, for the routing check */
	uint8_t swept[AX_MAXDEV][3]; /* bridges' bus numbers at the last full sweep */
	/*
	 * The "hardware" behind host devices: a second machine holding the same
	 * functions, emulated, which the backend's reads and writes reach (so a
	 * host function behaves as its emulated twin, and the model holds).
	 */
	struct vt_events hw_ev;
	struct map_record hw_rec;
	struct vpci_machine *hw;
	uint32_t hw_sbdf;        /* the host function's SBDF there (its devdef's devfn, bus 0) */
	unsigned long hw_reads, hw_writes;
};

/* access_machine.c */
int ax_machine_build(struct ax_state *s, unsigned flags);
void ax_machine_free(struct ax_state *s);
bool ax_region_selected(const struct ax_state *s, const struct ax_region *rg);
bool ax_region_present(const struct ax_state *s, const struct ax_region *rg);

/* access_model.c */
bool ax_is_bridge(unsigned i);
unsigned ax_depth(unsigned i);
/* Which device answers (seg, bus, devfn) per §2 from the model's registers; -1 none. */
int ax_route(const struct ax_state *s, uint16_t seg, unsigned bus, unsigned devfn);
/* The same for n devfns on one bus number at once. */
void ax_route_bus(const struct ax_state *s, uint16_t seg, unsigned bus, int out[], const uint8_t *devfn,
		  unsigned n);
/* Bus number of the bus device i sits on, -1 unreachable; parents first. */
int ax_bus_of(const struct ax_state *s, unsigned i);
/* Current SBDF from the model's bus number (bus 0xff when unreachable). */
uint32_t ax_sbdf(const struct ax_state *s, unsigned i);
void ax_model_want(struct ax_state *s);
/* Decode an access (§2) into (sbdf, reg, size): false if no config access. */
bool ax_decode_pio(uint32_t cf8, uint16_t port, unsigned size, uint32_t *sbdf, unsigned *reg);
bool ax_decode_ecam(uint64_t addr, unsigned size, uint32_t *sbdf, unsigned *reg);
bool ax_decode_cfg(unsigned reg, unsigned size);
/* Record a write the guest made (raw bytes), to the device routing says gets it. */
void ax_model_write(struct ax_state *s, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);

/* access_check.c: init before finishing the machine, start right after. */
void ax_check_init(struct ax_state *s);
void ax_check_start(struct ax_state *s);
void ax_check_all(struct ax_state *s);
/* access_roundtrip.c: vpci_machine_write, loaded again, behaves the same. */
void ax_check_roundtrip(struct ax_state *s);

#endif
