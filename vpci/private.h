/* vpci/private.h - vpci's internal structures. */
#ifndef VT_VPCI_PRIVATE_H
#define VT_VPCI_PRIVATE_H

#include "pci_regs.h"
#include "vpci.h"

struct vpci_bus;

struct vpci_bar {
	enum vpci_bar_type type;
	uint8_t reg;          /* config offset of the (lower) register */
	uint64_t size;        /* power of two; 0: not implemented */
	uint64_t addr;        /* last programmed address (sizing aside) */
	uint32_t raw_lo, raw_hi; /* what the guest last wrote, unmasked: sizing is
				    a write of all ones to the address field */
	struct map_slot slot;
};

/*
 * Per-dword side-effect handlers of the type 0/1 header. The low two bits
 * of each say when it runs: HND_ON_CHANGE, only when the stored bytes
 * change; HND_ALWAYS, on every write (it acts on what was written: a sizing
 * write, a window register). The write path decides with one compare, the
 * same instructions for every register (hnd_runs() in vpci/dev.c).
 */
#define HND_ON_CHANGE 1u
#define HND_ALWAYS    2u
enum vpci_hnd {
	HND_NONE = 0,
	HND_COMMAND = 1 << 2 | HND_ON_CHANGE,
	HND_BUS = 2 << 2 | HND_ON_CHANGE,
	HND_BAR = 3 << 2 | HND_ALWAYS,
	HND_ROM = 4 << 2 | HND_ALWAYS,
	HND_WINDOW = 5 << 2 | HND_ALWAYS,
};

/* An indirect register window (see struct vpci_dev_desc). */
struct vpci_window {
	uint16_t sel, data;
	bool given[256];
	uint32_t val[256], wmask[256], w1c[256];
};

/*
 * cfg, wmask and w1cmask have this many bytes past their end: the access
 * path loads and stores the four bytes from the register accessed, whatever
 * its size, so that no size or offset costs more than another (vpci/dev.c).
 */
#define VPCI_CFG_PAD 4

struct vpci_dev {
	/*
	 * What every access reads comes first: these fields in one cache line
	 * (dev_alloc aligns to 64), then the handler table and the masks, then
	 * the config bytes themselves (cfg, at the end) after the cold fields:
	 * a header access stays within the first 1.5 KiB of one allocation.
	 */
	uint16_t cfg_size;    /* 256 or 4096; beyond reads all ones */
	uint8_t hdr_type;     /* 0, 1 or 2 */
	uint8_t devfn;
	unsigned next;        /* ext[] entries */
	const struct vpci_backend_ops *ops;
	void *ops_ctx;
	struct vpci_machine *m;
	/* Extended space (0x100+) is read-only but for these registers. */
	struct vpci_ext_mask { uint16_t reg; uint8_t size; uint32_t wmask, w1c; } *ext;
	/*
	 * Handler per header dword, write masks per header byte. The pads past
	 * the header (HND_NONE, zero) are the handler and masks of every
	 * extended register without `mask` overrides: read-only, no side effect.
	 */
	uint8_t hnd[PCI_CFG_SPACE_SIZE / 4 + 1];            /* enum vpci_hnd */
	uint8_t wmask[PCI_CFG_SPACE_SIZE + VPCI_CFG_PAD];
	uint8_t w1cmask[PCI_CFG_SPACE_SIZE + VPCI_CFG_PAD];
	char path[VPCI_PATH_MAX];
	struct vpci_bar bar[VPCI_NBARS];
	enum vt_policy policy;
	struct vpci_bus *bus;        /* the bus it sits on */
	struct vpci_bus *secondary;  /* bridges: the bus behind */
	/* Where it was declared (a copy of the file name), for errors found at finish. */
	char *file;
	unsigned long line;
	/* The `mask` overrides it was given, for vpci_machine_write(). */
	struct vpci_window *win;
	struct vpci_mask_ovr { uint16_t reg; uint8_t size; uint32_t wmask, w1c; } *ovr;
	unsigned novr;
	/* cfg_size bytes, then VPCI_CFG_PAD (zero); aligned for the dword loads. */
	_Alignas(64) uint8_t cfg[];
};

struct vpci_bus {
	struct vpci_dev *dev[256];   /* by devfn */
	struct vpci_dev *bridge;     /* NULL: a root bus */
	uint8_t root_number;         /* root buses: their fixed number */
	uint16_t seg;
	int number;                  /* current number, -1 unreachable */
};

struct vpci_seg {
	uint16_t seg;
	struct vpci_bus *route[256]; /* current bus number -> bus */
	struct vpci_bus **roots;
	size_t nroots;
};

struct vpci_rmrr_ent {
	struct vt_range range;
	unsigned npath;
	char (*path)[VPCI_PATH_MAX];
	/* IVMD scopes name current bus numbers, not paths: a device range. */
	bool by_sbdf;
	uint32_t sbdf_first, sbdf_last;
};

/*
 * arena.c: the devices' memory, freed with the machine only (a device whose
 * add fails stays until then). Allocations are 64-aligned and zero.
 */
struct vpci_chunk;
struct vpci_arena {
	struct vpci_chunk *chunks;
	uint8_t *cur;
	size_t left, next_size;
	size_t bytes;                /* chunks held, headers and unused tails included */
};
void *vpci_arena_alloc(struct vpci_arena *a, size_t size);
void vpci_arena_free(struct vpci_arena *a);
size_t vpci_arena_mapped(const struct vpci_arena *a);

struct vpci_machine {
	struct vt_events *ev;
	struct mapper *map;
	struct vpci_seg **segs;
	size_t nsegs;
	struct vpci_seg *seg0;       /* fast path: segment 0 */
	struct vpci_dev **devs;
	size_t ndev, capdev;
	struct vpci_arena arena;     /* where the devices are */
	struct vpci_dev **byname;    /* devs indexed by path: open addressing, at most half full */
	size_t capbyname;            /* a power of two, or 0 */
	struct vpci_bus **buses;     /* every bus node, for freeing */
	size_t nbuses, capbuses;
	struct vpci_rmrr_ent *rmrr;
	size_t nrmrr;
	struct vpci_rdm rdm;
	bool finished;
	bool ecam;
	uint64_t ecam_base;
	uint8_t ecam_first, ecam_last;
};

/* dev.c */
void vpci_dev_apply_mask(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t wmask, uint32_t w1c);
/* header.c */
void vpci_header_init(struct vpci_dev *d);
/* After a store into header dword `dword`: old = its value before; reg/size/val the write. */
void vpci_header_write(struct vpci_dev *d, unsigned dword, uint32_t old, unsigned reg,
		       unsigned size, uint32_t val);
void vpci_header_update_all(struct vpci_dev *d);
void vpci_bar_update(struct vpci_dev *d, unsigned bar);
/* window.c */
int vpci_window_init(struct vpci_dev *d, const struct vpci_dev_desc *desc);
void vpci_window_write(struct vpci_dev *d, unsigned dword, unsigned reg, unsigned size, uint32_t val);
void vpci_window_put(const struct vpci_dev *d, FILE *f);
/* topo.c */
struct vpci_bus *vpci_bus_new(struct vpci_machine *m, uint16_t seg, struct vpci_dev *bridge);
struct vpci_seg *vpci_seg_get(struct vpci_machine *m, uint16_t seg, bool create);
void vpci_route_rebuild(struct vpci_machine *m, uint16_t seg);
int vpci_path_parse(const char *path, uint16_t *seg, uint8_t *bus, uint8_t *devfn, unsigned max,
		    unsigned *nhops);

#endif
