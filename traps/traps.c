/*
 * traps/traps.c - decoding port I/O (0xcf8/0xcfc), ECAM and pre-decoded
 * accesses into (SBDF, reg, size), then one call into vpci.
 *
 * PCI Local Bus 3.0 section 3.2.2.3.2 (configuration mechanism #1):
 * CONFIG_ADDRESS = enable(31) | bus(23:16) | dev(15:11) | fn(10:8) | reg(7:2).
 */
#include "traps.h"

void trap_init(struct trap *t, struct vpci_machine *m)
{
	uint64_t base;
	uint8_t first, last;

	t->cf8 = 0;
	t->m = m;
	t->ecam = vpci_machine_ecam(m, &base, &first, &last);
	if (t->ecam) {
		t->ecam_base = base + ((uint64_t)first << 20);
		t->ecam_end = base + (((uint64_t)last + 1) << 20);
		t->ecam_first = first;
		t->ecam_last = last;
	}
}

static inline bool size_ok(unsigned off, unsigned size)
{
	return vt_size_valid(size) && off + size <= 4;
}

bool trap_pio_claims(uint16_t port)
{
	return port >= TRAP_PORT_ADDR && port <= TRAP_PORT_DATA + 3;
}

enum trap_kind trap_pio_decode(uint32_t cf8, uint16_t port, unsigned size, struct trap_cfg *out)
{
	if (port >= TRAP_PORT_ADDR && port < TRAP_PORT_DATA)
		return port == TRAP_PORT_ADDR && size == 4 ? TRAP_LATCH : TRAP_INVALID;
	if (port < TRAP_PORT_DATA || port > TRAP_PORT_DATA + 3)
		return TRAP_NONE;
	if (!size_ok(port & 3, size))
		return TRAP_INVALID;
	if (!(cf8 & 0x80000000u))
		return TRAP_DISABLED;
	out->sbdf = VT_SBDF(0, (cf8 >> 16) & 0xff, (cf8 >> 8) & 0xff);
	out->reg = (uint16_t)((cf8 & 0xfc) | (port & 3));
	out->size = (uint8_t)size;
	return TRAP_CFG;
}

bool trap_mmio_claims(const struct trap *t, uint64_t addr)
{
	return t->ecam && addr >= t->ecam_base && addr < t->ecam_end;
}

/* PCIe 3.0 section 7.2.2: ECAM address = base + (bus << 20 | dev << 15 | fn << 12 | reg). */
enum trap_kind trap_ecam_decode(const struct trap *t, uint64_t addr, unsigned size, struct trap_cfg *out)
{
	uint64_t off;

	if (!trap_mmio_claims(t, addr))
		return TRAP_NONE;
	off = addr - t->ecam_base + ((uint64_t)t->ecam_first << 20);
	if (!size_ok(addr & 3, size))
		return TRAP_INVALID;
	out->sbdf = VT_SBDF(0, (off >> 20) & 0xff, (off >> 12) & 0xff);
	out->reg = (uint16_t)(off & 0xfff);
	out->size = (uint8_t)size;
	return TRAP_CFG;
}

uint32_t trap_pio_read(struct trap *t, uint16_t port, unsigned size)
{
	struct trap_cfg c;

	switch (trap_pio_decode(t->cf8, port, size, &c)) {
	case TRAP_LATCH:
		return t->cf8;
	case TRAP_CFG:
		return vpci_cfg_read(t->m, c.sbdf, c.reg, c.size);
	default:
		return vt_size_mask(size);
	}
}

void trap_pio_write(struct trap *t, uint16_t port, unsigned size, uint32_t val)
{
	struct trap_cfg c;

	switch (trap_pio_decode(t->cf8, port, size, &c)) {
	case TRAP_LATCH:
		t->cf8 = val;
		break;
	case TRAP_CFG:
		vpci_cfg_write(t->m, c.sbdf, c.reg, c.size, val);
		break;
	default:
		break;
	}
}

uint32_t trap_mmio_read(struct trap *t, uint64_t addr, unsigned size)
{
	struct trap_cfg c;

	if (trap_ecam_decode(t, addr, size, &c) != TRAP_CFG)
		return size >= 4 ? 0xffffffffu : vt_size_mask(size);
	return vpci_cfg_read(t->m, c.sbdf, c.reg, c.size);
}

void trap_mmio_write(struct trap *t, uint64_t addr, unsigned size, uint32_t val)
{
	struct trap_cfg c;

	if (trap_ecam_decode(t, addr, size, &c) == TRAP_CFG)
		vpci_cfg_write(t->m, c.sbdf, c.reg, c.size, val);
}

uint32_t trap_cfg_read(struct trap *t, uint32_t sbdf, unsigned reg, unsigned size)
{
	if (reg >= 4096 || !size_ok(reg & 3, size))
		return vt_size_mask(size);
	return vpci_cfg_read(t->m, sbdf, reg, size);
}

void trap_cfg_write(struct trap *t, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	if (reg < 4096 && size_ok(reg & 3, size))
		vpci_cfg_write(t->m, sbdf, reg, size, val);
}
