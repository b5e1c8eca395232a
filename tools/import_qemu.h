/*
 * tools/import_qemu.h - private to `vpcitrap import-qemu`.
 *
 * The importer reads a QEMU `-trace` log twice. Pass 1 rebuilds the machine:
 * which functions exist at which path, their config bytes at reset, BAR and
 * ROM sizes, and the write masks the log proves. Pass 2 replays the same
 * log against that machine and writes the trace: the machine section, then
 * every access to the config mechanisms and an `expect` line for each of
 * QEMU's own mapping events. Both passes run the same code (iq_pass); only
 * pass 1 learns and only pass 2 writes. Memory is per device, never
 * per line (docs/import-qemu.md). A function with an indirect register
 * window (SHPC) has its registers learnt by a dry run of pass 2 in between.
 */
#ifndef VT_IMPORT_QEMU_H
#define VT_IMPORT_QEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IQ_CFG      4096 /* config space of a PCIe function */
#define IQ_MAX_DEV  256
#define IQ_MAX_ROOT 16
#define IQ_NAME     48   /* QEMU type names are short ("pcie-root-port") */
#define IQ_PATH     64
#define IQ_NBARS    7    /* bar0..bar5, rom */
#define IQ_ROM      6

/* What one log line is. */
enum iq_ev {
	IQ_EV_NONE,      /* blank line */
	IQ_EV_CFG_READ,  /* pci_cfg_read */
	IQ_EV_CFG_WRITE, /* pci_cfg_write */
	IQ_EV_MAP_ADD,   /* pci_update_mappings_add */
	IQ_EV_MAP_DEL,   /* pci_update_mappings_del */
	IQ_EV_OPS_READ,  /* memory_region_ops_read */
	IQ_EV_OPS_WRITE, /* memory_region_ops_write */
	IQ_EV_FW_CFG,    /* fw_cfg_select: the firmware phase marker */
};

/* The memory regions that matter; any other region's accesses are ignored. */
enum iq_region {
	IQ_RGN_OTHER,
	IQ_RGN_IDX,      /* 'pci-conf-idx': port 0xcf8-0xcfb */
	IQ_RGN_DATA,     /* 'pci-conf-data': ports 0xcfc-0xcff */
	IQ_RGN_ECAM,     /* 'pcie-mmcfg-mmio' */
	IQ_RGN_DEBUGCON, /* 'isa-debugcon': phase markers, SeaBIOS log */
};

struct iq_line {
	enum iq_ev ev;
	char dev[IQ_NAME];     /* pci_*: the QEMU type name */
	uint8_t bus, devfn;    /* pci_*: current bus number and dev.fn */
	uint16_t off;          /* pci_cfg_*: config offset */
	uint32_t val;          /* pci_cfg_*: value read / written */
	int bar;               /* mappings: 0-5, 6 = ROM */
	uint64_t addr, size;   /* mappings: range; ops: absolute address */
	uint64_t value;        /* ops: data, not yet masked to its size */
	unsigned opsize;       /* ops: 1, 2, 4 (8 tolerated for other regions) */
	enum iq_region rgn;    /* ops */
};

/*
 * Parse one log line (modified in place). 0, or -1 with *why set to a
 * static message.
 */
int iq_parse_line(char *s, struct iq_line *l, const char **why);

/* Per config byte bookkeeping of pass 1 (struct iq_dev.flags). */
#define IQ_B_SEEN   0x01 /* read or written at least once */
#define IQ_B_READ   0x02 /* read at least once: reset[] or its value is known */
#define IQ_B_WFIRST 0x04 /* written before it was ever read */
#define IQ_B_FREAD  0x08 /* WFIRST, and reset[] holds the first read after it */
#define IQ_B_PEND   0x10 /* written since the last read */
#define IQ_B_CKNOWN 0x20 /* PEND, and prew[] (the value before it) is known */
#define IQ_B_PAIRED 0x40 /* read after a write at least once */

/* What pass 1 proved about the bits of one byte (docs/import-qemu.md, "Write masks"). */
struct iq_evid {
	uint8_t rw;   /* bits proved writable */
	uint8_t ro;   /* bits proved not plainly writable */
	uint8_t w1c;  /* bits proved write-one-to-clear */
	uint8_t weak; /* bits that read back as written, value before unknown */
};

/*
 * A file of bytes as pass 1 follows it: a function's config space, or the
 * registers behind an indirect window. Pointers into the owner's arrays.
 */
struct iq_file {
	uint8_t *reset, *cur, *flags, *prew, *lastw;
	struct iq_evid *ev;
	unsigned long *volatile_bits;
	unsigned weak_from;         /* weak evidence only from this byte on */
};

/* A mask line: explicit write masks for one register. */
struct iq_mask {
	uint16_t reg;
	uint8_t size;
	uint32_t wmask, w1c;
};

struct iq_dev {
	char path[IQ_PATH];         /* CONTRACT §1 */
	char type[IQ_NAME];         /* QEMU type name */
	struct iq_dev *parent;      /* bridge above it; NULL on a root bus */
	uint8_t root;               /* root bus number */
	uint8_t devfn;
	uint8_t first_bus;          /* bus number when first seen */
	unsigned long first_line;
	unsigned idx;               /* creation order */
	bool ext;                   /* QEMU answered above 0x100 */
	/* Pass 1 learning, pass 2 state. */
	uint8_t reset[IQ_CFG];      /* config bytes at reset (as far as seen) */
	uint8_t cur[IQ_CFG];        /* simulated current bytes */
	uint8_t wm[IQ_CFG], w1c[IQ_CFG]; /* masks: defaults + what the log proved */
	uint8_t flags[IQ_CFG];
	uint8_t prew[IQ_CFG];       /* value before the pending write */
	uint8_t lastw[IQ_CFG];      /* value of the pending write */
	struct iq_evid ev[IQ_CFG];  /* what the log proved about each bit */
	/* BAR sizing: a dword read after an all-ones dword write. */
	uint32_t sz_mask[IQ_NBARS];
	bool sz_seen[IQ_NBARS];
	bool sz_pend[IQ_NBARS];
	uint64_t map_size[IQ_NBARS]; /* size of QEMU's mapping events */
	bool bridge;                /* header type 1 (pass 1: as far as seen) */
	struct iq_win *win;         /* an SHPC DWORD Select/Data window, or NULL */
	/* Results of iq_dev_finish. */
	unsigned cfg_len;
	uint64_t bar_size[IQ_NBARS];
	struct iq_mask mask[32];      /* the replay engine takes at most 32 */
	unsigned nmask;
	/* Counters. */
	unsigned long volatile_bits;   /* pass 1: bits that changed with no write */
	unsigned long predicted_mm;    /* pass 2: reads our model gets wrong */
	unsigned long predicted_mm_hdr;/* ... of them in 0x00-0x3f */
	uint16_t first_mm_off;
	unsigned long first_mm_line;
};

/* A config data access waiting for QEMU's pci_cfg_* line. */
struct iq_access {
	bool valid;
	bool write;
	enum iq_region rgn;
	uint64_t addr;
	unsigned size;
	uint32_t value;
	unsigned long line;
};

struct iq {
	const char *file;           /* the log, for messages */
	const char *name;           /* its base name, for the trace header */
	unsigned long lineno;
	int pass;                   /* 1: learn, 2: write */
	bool dry;                   /* pass 2 run to learn the windows: writes nothing */
	FILE *out;
	bool verbose;
	char err[512];
	struct iq_dev *dev[IQ_MAX_DEV];
	unsigned ndev;
	uint8_t roots[IQ_MAX_ROOT];
	unsigned nroots;
	uint32_t cf8;
	bool cf8_set;
	struct iq_access acc;       /* last data write, until its pci_cfg_write */
	struct iq_line rd;          /* pci_cfg_read, until its data read */
	bool rd_valid;
	unsigned long rd_line;
	bool have_ecam;
	uint64_t ecam_base;
	unsigned long last_fwcfg;   /* line of the last fw_cfg_select */
	bool linux_marked;
	char dbg[160];              /* isa-debugcon line being assembled */
	unsigned ndbg;
	/* Counters. */
	unsigned long accesses, reads, writes, absent, expects, ambiguous;
	unsigned long offset_quirks;
};

/*
 * An indirect register window (import_qemu_window.c): the dword at `data`
 * shows register N of a file of 256, N being the byte at `sel` (SHPC's DWORD
 * Select at cap+2 and DWORD Data at cap+4). Learnt by a pass of its own
 * between pass 1 and pass 2, byte by byte like config space.
 */
#define IQ_WIN_REGS  256
#define IQ_WIN_BYTES (4 * IQ_WIN_REGS)
struct iq_win {
	uint16_t sel, data;          /* config offsets */
	uint8_t reset[IQ_WIN_BYTES], cur[IQ_WIN_BYTES], flags[IQ_WIN_BYTES];
	uint8_t prew[IQ_WIN_BYTES], lastw[IQ_WIN_BYTES];
	struct iq_evid ev[IQ_WIN_BYTES];
	uint8_t wm[IQ_WIN_BYTES], w1c[IQ_WIN_BYTES];
	bool given[IQ_WIN_REGS];     /* the log revealed the register's data */
	unsigned ngiven;
	unsigned long volatile_bits; /* bits that changed with no write */
};

/* Pass 2 proper, which writes the trace (not the windows' dry run). */
static inline bool iq_writing(const struct iq *q)
{
	return q->pass == 2 && !q->dry;
}

/* import_qemu_dev.c: devices, routing, learning, the model. */
struct iq_dev *iq_dev_get(struct iq *q, uint8_t bus, uint8_t devfn, const char *type,
			  bool create);
void iq_dev_read(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val);
void iq_dev_write(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val);
int iq_dev_finish(struct iq *q, struct iq_dev *d);
void iq_dev_rewind(struct iq_dev *d);
void iq_def_mask(bool bridge, unsigned off, uint8_t *wm, uint8_t *w1c);
void iq_eff_mask(const struct iq_dev *d, bool bridge, unsigned b, uint8_t *wm, uint8_t *w1c);
void iq_ev_mask(const struct iq_evid *e, uint8_t dwm, uint8_t dw1c, uint8_t *wm, uint8_t *w1c);
void iq_file_read(const struct iq_file *f, unsigned b, uint8_t v, bool pairs);
void iq_file_write(const struct iq_file *f, unsigned b, uint8_t w);
int iq_bar_reg(bool bridge, unsigned off);
bool iq_dev_bar_io(const struct iq_dev *d, int bar);
int iq_err(struct iq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iq_fail(struct iq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* import_qemu_window.c: indirect register windows. */
int iq_win_find(struct iq *q, struct iq_dev *d);
bool iq_win_byte(const struct iq_dev *d, unsigned b);
void iq_win_masks(struct iq_dev *d);
void iq_win_read(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val);
void iq_win_write(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val);
void iq_win_finish(struct iq_dev *d);
void iq_win_rewind(struct iq_dev *d);
void iq_win_emit(FILE *f, const struct iq_dev *d);

/* import_qemu_emit.c: the trace. */
void iq_emit_machine(struct iq *q);
void iq_emit_access(struct iq *q, const char *kind, bool write, uint64_t addr, unsigned size,
		    uint32_t value);
void iq_emit_expect(struct iq *q, const struct iq_dev *d, const struct iq_line *l);
void iq_emit_debugcon(struct iq *q, uint8_t ch);
void iq_emit_phase(struct iq *q);

/* import_qemu_run.c: one pass over the log. */
int iq_pass(struct iq *q, FILE *in, FILE *copy);

#endif
