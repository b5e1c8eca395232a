/*
 * traps/traps.h - decoding the config mechanisms (CONTRACT §2).
 *
 * Pure decoding: (port or address, size, data, cf8 latch) -> (SBDF, reg,
 * size), then one call into vpci. Port 0xcf8 latches CONFIG_ADDRESS on a
 * 4-byte write; 0xcfc-0xcff are data ports; ECAM is a memory window;
 * Xen's IOREQ_TYPE_PCI_CONFIG arrives pre-decoded.
 *
 * Defined results for odd accesses: a data-port access of size 3 or larger
 * than 4, or one that crosses the dword (port & 3 + size > 4), reads all
 * ones and is dropped; the same for ECAM. Port accesses outside
 * 0xcf8-0xcff and addresses outside the ECAM window are not ours: reads
 * all ones, writes dropped.
 */
#ifndef VT_TRAPS_H
#define VT_TRAPS_H

#include "../common/vt.h"
#include "../vpci/vpci.h"

#define TRAP_PORT_ADDR 0xcf8
#define TRAP_PORT_DATA 0xcfc

struct trap {
	uint32_t cf8;                /* CONFIG_ADDRESS latch */
	struct vpci_machine *m;
	bool ecam;
	uint64_t ecam_base, ecam_end;/* [base, end) */
	uint8_t ecam_first, ecam_last;
};

/* A decoded config access. */
struct trap_cfg {
	uint32_t sbdf;
	uint16_t reg;
	uint8_t size;
};

enum trap_kind {
	TRAP_NONE,      /* not a config mechanism access */
	TRAP_LATCH,     /* 0xcf8 latch access */
	TRAP_CFG,       /* a config access, decoded */
	TRAP_DISABLED,  /* data port with enable bit clear: all ones, dropped */
	TRAP_INVALID,   /* bad size/alignment: all ones, dropped */
};

void trap_init(struct trap *t, struct vpci_machine *m);

/* Pure decoders. */
enum trap_kind trap_pio_decode(uint32_t cf8, uint16_t port, unsigned size, struct trap_cfg *out);
enum trap_kind trap_ecam_decode(const struct trap *t, uint64_t addr, unsigned size, struct trap_cfg *out);
bool trap_pio_claims(uint16_t port);
bool trap_mmio_claims(const struct trap *t, uint64_t addr);

/* Accesses: decode and dispatch. Values are masked to size. */
uint32_t trap_pio_read(struct trap *t, uint16_t port, unsigned size);
void trap_pio_write(struct trap *t, uint16_t port, unsigned size, uint32_t val);
uint32_t trap_mmio_read(struct trap *t, uint64_t addr, unsigned size);
void trap_mmio_write(struct trap *t, uint64_t addr, unsigned size, uint32_t val);
uint32_t trap_cfg_read(struct trap *t, uint32_t sbdf, unsigned reg, unsigned size);
void trap_cfg_write(struct trap *t, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val);

#endif
