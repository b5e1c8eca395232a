/*
 * fuzz/access_ops.c - input bytes as a guest's config accesses.
 *
 * Byte 0 picks the machine variant (RDM strategy and policy, per-device
 * policies, an unaligned reserved range) and, bit 4, a round trip of the
 * machine through vpci_machine_write at the end. Then each operation is one byte
 * and its arguments:
 *
 *   0x00-0xef  low 2 bits: mechanism (pre-decoded cfg, 0xcf8/0xcfc, ECAM,
 *              cfg); bits 2-3: 3 = read, else write; then a target and a
 *              register biased to the registers with side effects
 *              (command, BARs, ROM, bridge bus numbers), with values
 *              biased to sizing, RAM, reserved ranges, RMRRs, other BARs.
 *   0xf0-0xf3  a BAR sizing sequence (Linux's __pci_read_base)
 *   0xf4-0xf7  decode off, move a BAR, decode on
 *   0xf8-0xfb  a raw port access around 0xcf8-0xcff, any size
 *   0xfc-0xfd  a raw memory access around the ECAM window, any size
 *   0xfe       a raw CONFIG_ADDRESS latch write
 *   0xff       renumber a bridge (secondary, subordinate), as firmware does
 *
 * Every access is followed by every invariant (access_check.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vpci/pci_regs.h"
#include "access.h"

const char fuzz_name[] = "fuzz_access";

#define AX_MAXOPS 400

enum mech { M_CFG, M_PIO, M_ECAM };

static const uint64_t pool[] = {
	0xe8000000, 0xe8020000, 0xe8024000, 0xe8024010, 0xe8030000, 0xe8031000, 0xe8040000,
	0xe8050000, 0xe8053ff0, 0xe9000000, 0xe9800000, 0xe98ff000, 0xea100000, 0xea100800,
	0xea200000, 0xea210000, 0xea300000, 0xea400000, 0xea500000, 0xea600000, 0xec000000,
	0xfeb00000, 0x7ffff000, 0x80000000, 0x000a0000, 0x0009f000, 0xb0000000, 0xb3fff000,
	0xfec00000, 0xfee00000, 0xfff00000, 0xfffff000, 0x100000000ull, 0x17ffff000ull,
	0x180000000ull, 0x400000000ull, 0xffffffff00000000ull, 0xe001, 0xd001, 0xd101, 0xcf9,
};

static const uint8_t bus_pool[] = { 0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0x81, 0xff };

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* A function of the machine at its current SBDF, or any SBDF at all. */
static uint32_t pick_target(const struct ax_state *s, struct fz_in *in, int *dev)
{
	uint8_t t = fz_u8(in);

	*dev = -1;
	if (t < 0xe0) {
		*dev = (int)(t % ax_ndev);
		return ax_sbdf(s, (unsigned)*dev);
	}
	return VT_SBDF(t & 1, fz_u8(in), fz_u8(in));
}

static unsigned bar_reg(int dev, unsigned k)
{
	bool bridge = dev >= 0 && (ax_devs[dev].hdr & 0x7f) == 1;

	if (k == VT_BAR_ROM)
		return bridge ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
	return PCI_BASE_ADDRESS_0 + 4 * (bridge ? k % 2 : k);
}

static uint32_t bar_value(struct fz_in *in, int dev, unsigned k, bool hi)
{
	uint8_t sel = fz_u8(in);
	uint64_t p = pool[fz_u8(in) % VT_ARRAY_SIZE(pool)];

	switch (sel & 7) {
	case 0: return 0xffffffffu;
	case 1: return 0;
	case 2:
	case 3: return hi ? (uint32_t)(p >> 32) : (uint32_t)p | (sel >> 7);
	case 4: return hi ? (uint32_t)(p >> 32) : (uint32_t)p + ((uint32_t)fz_u8(in) << 4);
	case 5: return hi ? (sel & 8 ? 0xffffffffu : sel >> 4) : (uint32_t)p & ~0xfffu;
	case 6: return fz_u32(in);
	default:
		if (dev < 0 || k >= AX_NBARS)
			return (uint32_t)p;
		return (uint32_t)(ax_devs[dev].addr[k] >> (hi ? 32 : 0));
	}
}

static uint32_t bus_value(struct fz_in *in, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)bus_pool[fz_u8(in) % sizeof(bus_pool)] << (8 * i);
	return v;
}

/* A register (and size, value) biased to those with side effects. */
static void pick_reg(struct fz_in *in, int dev, unsigned *reg, unsigned *size, uint32_t *val)
{
	static const uint8_t sizes[] = { 4, 4, 2, 1, 3, 8, 0, 2 };
	uint8_t c = fz_u8(in), k = (uint8_t)(c >> 3);

	*size = 4;
	switch (c & 7) {
	case 0:
		*reg = PCI_COMMAND, *size = k & 1 ? 4 : 2;
		*val = (fz_u8(in) & 0x47) | (k & 2 ? 0xf9000000u : 0);
		break;
	case 1:
	case 2:
		*reg = bar_reg(dev, k % 6);
		*val = bar_value(in, dev, k % 6, k & 0x10);
		break;
	case 3:
		*reg = bar_reg(dev, VT_BAR_ROM) ^ (k & 1 ? 0x08 : 0);
		*val = bar_value(in, dev, VT_BAR_ROM, false) | (k & 2 ? 1 : 0);
		break;
	case 4:
		*reg = PCI_PRIMARY_BUS + (k & 3), *size = k & 3 ? 1 : (k & 4 ? 2 : 4);
		*val = bus_value(in, *size);
		break;
	case 5:
		*size = sizes[k & 3], *reg = (fz_u8(in) & 0x7f) & ~(*size - 1); /* header, caps, window */
		*val = fz_u32(in);
		break;
	case 6:
		*size = sizes[k & 7], *reg = fz_u16(in) & 0xfff, *val = fz_u32(in);
		break;
	default:
		*size = k & 1 ? 1 : 2, *reg = (0x10 + fz_u8(in) % 0x18) & ~(*size - 1);
		*val = fz_u16(in);
		break;
	}
}

/* With -v, every access as a trace line (for triage: it replays with vpcitrap replay). */
static void show(const struct ax_state *s, const char *kind, bool write, uint64_t addr, unsigned reg,
		 unsigned size, uint32_t val)
{
	if (!fz_verbose)
		return;
	if (!strcmp(kind, "cfg"))
		fprintf(stderr, "  op %lu: cfg %c %04x:%02x:%02x.%x 0x%x %u", s->op, write ? 'w' : 'r',
			(unsigned)(addr >> 16), (unsigned)(addr >> 8) & 0xff, (unsigned)(addr >> 3) & 0x1f,
			(unsigned)addr & 7, reg, size);
	else
		fprintf(stderr, "  op %lu: %s %c 0x%llx %u", s->op, kind, write ? 'w' : 'r',
			(unsigned long long)addr, size);
	if (write)
		fprintf(stderr, " 0x%x", val);
	fputc('\n', stderr);
}

static void after(struct ax_state *s, uint32_t sbdf)
{
	s->op++;
	s->last_sbdf = sbdf;
	ax_check_all(s);
}

static void pio_write(struct ax_state *s, uint16_t port, unsigned size, uint32_t val)
{
	uint32_t sbdf = 0;
	unsigned reg;

	show(s, "pio", true, port, 0, size, val);
	if (port == 0xcf8 && size == 4)
		s->cf8 = val;
	else if (ax_decode_pio(s->cf8, port, size, &sbdf, &reg))
		ax_model_write(s, sbdf, reg, size, val);
	trap_pio_write(&s->trap, port, size, val);
	after(s, sbdf);
}

static void mmio_write(struct ax_state *s, uint64_t addr, unsigned size, uint32_t val)
{
	uint32_t sbdf = 0;
	unsigned reg;

	show(s, "mmio", true, addr, 0, size, val);
	if (ax_decode_ecam(addr, size, &sbdf, &reg))
		ax_model_write(s, sbdf, reg, size, val);
	trap_mmio_write(&s->trap, addr, size, val);
	after(s, sbdf);
}

static void cfg_write(struct ax_state *s, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	show(s, "cfg", true, sbdf, reg, size, val);
	if (ax_decode_cfg(reg, size))
		ax_model_write(s, sbdf, reg, size, val);
	trap_cfg_write(&s->trap, sbdf, reg, size, val);
	after(s, sbdf);
}

/*
 * A read returns the register at the decoded SBDF; all ones when it decodes
 * to nothing, routing reaches no function there, or it is beyond the
 * function's config space.
 */
static uint32_t check_read(struct ax_state *s, bool ok, uint32_t sbdf, unsigned reg, unsigned size,
			   uint32_t got, const char *how)
{
	int i = ok ? ax_route(s, VT_SBDF_SEG(sbdf), VT_SBDF_BUS(sbdf), VT_SBDF_DEVFN(sbdf)) : -1;
	uint32_t want = i >= 0 && reg + size <= (ax_devs[i].ext ? 4096u : 256u) ?
			vpci_cfg_read(s->m, sbdf, reg, size) : all_ones(size);

	FZ_CHECK(got == want, "op %lu: %s read (%05x reg 0x%x size %u) returned 0x%x, expected 0x%x",
		 s->op, how, sbdf, reg, size, got, want);
	after(s, sbdf);
	return got;
}

static uint32_t pio_read(struct ax_state *s, uint16_t port, unsigned size)
{
	uint32_t sbdf = 0, got = trap_pio_read(&s->trap, port, size);
	unsigned reg = 0;

	show(s, "pio", false, port, 0, size, 0);
	if (port == 0xcf8 && size == 4) {
		FZ_CHECK(got == s->cf8, "op %lu: 0xcf8 reads 0x%x, latched 0x%x", s->op, got, s->cf8);
		after(s, 0);
		return got;
	}
	return check_read(s, ax_decode_pio(s->cf8, port, size, &sbdf, &reg), sbdf, reg, size, got, "pio");
}

static uint32_t mmio_read(struct ax_state *s, uint64_t addr, unsigned size)
{
	uint32_t sbdf = 0, got = trap_mmio_read(&s->trap, addr, size);
	unsigned reg = 0;

	show(s, "mmio", false, addr, 0, size, 0);
	return check_read(s, ax_decode_ecam(addr, size, &sbdf, &reg), sbdf, reg, size, got, "ecam");
}

static uint32_t cfg_read(struct ax_state *s, uint32_t sbdf, unsigned reg, unsigned size)
{
	uint32_t got = trap_cfg_read(&s->trap, sbdf, reg, size);

	show(s, "cfg", false, sbdf, reg, size, 0);
	return check_read(s, ax_decode_cfg(reg, size), sbdf, reg, size, got, "cfg");
}

static uint64_t ecam_addr(uint32_t sbdf, unsigned reg)
{
	return AX_ECAM + ((uint64_t)VT_SBDF_BUS(sbdf) << 20 | (uint64_t)VT_SBDF_DEVFN(sbdf) << 12 | reg);
}

static uint32_t cf8_for(uint32_t sbdf, unsigned reg)
{
	return 0x80000000u | (sbdf & 0xffff) << 8 | (reg & 0xfc);
}

/* One access by the given mechanism (pio: latch, then the data port). */
static uint32_t access(struct ax_state *s, enum mech mech, bool write, uint32_t sbdf, unsigned reg,
		       unsigned size, uint32_t val)
{
	switch (mech) {
	case M_PIO:
		if (s->cf8 != cf8_for(sbdf, reg))
			pio_write(s, 0xcf8, 4, cf8_for(sbdf, reg));
		if (!write)
			return pio_read(s, (uint16_t)(0xcfc + (reg & 3)), size);
		pio_write(s, (uint16_t)(0xcfc + (reg & 3)), size, val);
		return 0;
	case M_ECAM:
		if (!write)
			return mmio_read(s, ecam_addr(sbdf, reg), size);
		mmio_write(s, ecam_addr(sbdf, reg), size, val);
		return 0;
	default:
		if (!write)
			return cfg_read(s, sbdf, reg, size);
		cfg_write(s, sbdf, reg, size, val);
		return 0;
	}
}

static const uint8_t odd_sizes[] = { 1, 2, 4, 3, 8, 0, 4, 1 };

/* Linux's __pci_read_base: save, write all ones, read the mask, restore (both halves). */
static void op_sizing(struct ax_state *s, struct fz_in *in, enum mech mech)
{
	int dev;
	uint32_t sbdf = pick_target(s, in, &dev);
	uint8_t k = fz_u8(in);
	unsigned bar = (k & 7) % AX_NBARS, reg = bar_reg(dev, bar);

	for (unsigned half = 0; half < (k & 0x80 ? 2u : 1u); half++, reg += 4) {
		uint32_t orig = access(s, mech, false, sbdf, reg, 4, 0);
		access(s, mech, true, sbdf, reg, 4, 0xffffffffu);
		access(s, mech, false, sbdf, reg, 4, 0);
		access(s, mech, true, sbdf, reg, 4, k & 0x40 ? orig : bar_value(in, dev, bar, half));
	}
}

/* Decode off, move a BAR, decode on: how an OS reassigns resources. */
static void op_move(struct ax_state *s, struct fz_in *in, enum mech mech)
{
	int dev;
	uint32_t sbdf = pick_target(s, in, &dev);
	uint8_t k = fz_u8(in);
	unsigned bar = (k & 7) % AX_NBARS;
	uint32_t cmd = access(s, mech, false, sbdf, PCI_COMMAND, 2, 0);

	access(s, mech, true, sbdf, PCI_COMMAND, 2, cmd & ~3u);
	access(s, mech, true, sbdf, bar_reg(dev, bar), 4, bar_value(in, dev, bar, false));
	if (k & 0x80)
		access(s, mech, true, sbdf, bar_reg(dev, bar) + 4, 4, bar_value(in, dev, 0, true));
	access(s, mech, true, sbdf, PCI_COMMAND, 2, (cmd & ~3u) | (k >> 5 & 3));
}

/* Firmware-style renumbering of one bridge. */
static void op_renumber(struct ax_state *s, struct fz_in *in)
{
	static const unsigned bridges[] = { 5, 6, 10, 12 };
	uint8_t k = fz_u8(in);
	unsigned dev = bridges[k & 3];
	uint32_t sbdf = ax_sbdf(s, dev);
	enum mech mech = (enum mech)((k >> 2) % 3);

	if (k & 0x10) {
		access(s, mech, true, sbdf, PCI_PRIMARY_BUS, 4, bus_value(in, 3));
		return;
	}
	access(s, mech, true, sbdf, PCI_SUBORDINATE_BUS, 1, bus_value(in, 1));
	access(s, mech, true, sbdf, PCI_SECONDARY_BUS, 1, bus_value(in, 1));
}

static void op_raw(struct ax_state *s, struct fz_in *in, uint8_t op)
{
	unsigned size = odd_sizes[fz_u8(in) & 7];
	bool write = op & 1;

	if (op == 0xfe) {
		pio_write(s, 0xcf8, 4, fz_u32(in));
	} else if (op < 0xfc) {
		uint16_t port = (uint16_t)(0xcf7 + fz_u8(in) % 10);
		if (write)
			pio_write(s, port, size, fz_u32(in));
		else
			pio_read(s, port, size);
	} else {
		uint64_t addr = AX_ECAM - 0x1000 + fz_u32(in) % ((uint64_t)(AX_ECAM_LAST_BUS + 1) << 20 | 0x2000);
		if (write)
			mmio_write(s, addr, size, fz_u32(in));
		else
			mmio_read(s, addr, size);
	}
}

static void run_op(struct ax_state *s, struct fz_in *in)
{
	static const enum mech mechs[4] = { M_CFG, M_PIO, M_ECAM, M_CFG };
	uint8_t op = fz_u8(in);
	unsigned reg, size;
	uint32_t val, sbdf;
	int dev;

	if (op >= 0xf8 && op != 0xff)
		op_raw(s, in, op);
	else if (op == 0xff)
		op_renumber(s, in);
	else if (op >= 0xf4)
		op_move(s, in, mechs[op & 3]);
	else if (op >= 0xf0)
		op_sizing(s, in, mechs[op & 3]);
	else {
		sbdf = pick_target(s, in, &dev);
		pick_reg(in, dev, &reg, &size, &val);
		access(s, mechs[op & 3], (op >> 2 & 3) != 3, sbdf, reg, size, val);
	}
}

static struct ax_state state;

void fuzz_init(void)
{
}

int fuzz_one(const uint8_t *buf, size_t len)
{
	struct fz_in in = { buf, len, 0 };
	struct ax_state *s = &state;
	struct vt_err err;

	memset(s, 0, sizeof(*s));
	if (ax_machine_build(s, fz_u8(&in)))
		abort();
	ax_check_init(s);
	if (vpci_machine_finish(s->m, &err))
		FZ_FAIL("machine: %s", err.msg);
	trap_init(&s->trap, s->m);
	ax_check_start(s);
	while (fz_left(&in) && s->op < AX_MAXOPS)
		run_op(s, &in);
	if (s->flags & 0x10)
		ax_check_roundtrip(s);
	ax_machine_free(s);
	return 0;
}
