/*
 * tools/import_qemu_run.c - one pass over the log: pair each config access
 * with QEMU's pci_cfg_* line for it, feed the function's model, and in
 * pass 2 write the access and expect lines.
 *
 * The order of one access (README "Ordering of one access"): a type 1 read
 * is the 0xcf8 write, then pci_cfg_read, then the data port read that
 * carries the size; a write is the data port write, then pci_cfg_write, then
 * the mapping events it caused. ECAM is the same without the index write.
 * A data read with no pci_cfg_read before it reached no function.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "import_qemu.h"

static uint32_t mask_size(uint64_t v, unsigned size)
{
	return size >= 4 ? (uint32_t)v : (uint32_t)(v & ((1u << (8 * size)) - 1));
}

/* Pass 1 learns the ECAM base from the first ECAM access QEMU decoded. */
static int ecam_base(struct iq *q, const struct iq_line *c, uint64_t addr)
{
	uint64_t off = (uint64_t)c->bus << 20 | (uint64_t)c->devfn << 12 | c->off;

	if (q->have_ecam)
		return 0;
	if (addr < off || ((addr - off) & 0xfffff))
		return iq_err(q, "ECAM access 0x%llx does not fit %02x:%02x.%x @0x%x",
			      (unsigned long long)addr, c->bus, c->devfn >> 3, c->devfn & 7, c->off);
	q->ecam_base = addr - off;
	q->have_ecam = true;
	return 0;
}

/* Check that the access decodes (CONTRACT §2) to what QEMU traced. */
static int check_decode(struct iq *q, const struct iq_line *c, enum iq_region rgn, uint64_t addr,
			unsigned size)
{
	unsigned bus, devfn, reg;

	if (rgn == IQ_RGN_ECAM) {
		uint64_t off;

		if (ecam_base(q, c, addr))
			return -1;
		off = addr - q->ecam_base;
		if (addr < q->ecam_base || off >= (256u << 20))
			return iq_err(q, "ECAM access 0x%llx outside the window at 0x%llx",
				      (unsigned long long)addr, (unsigned long long)q->ecam_base);
		bus = (unsigned)(off >> 20), devfn = (off >> 12) & 0xff, reg = off & 0xfff;
	} else {
		if (!q->cf8_set)
			return iq_err(q, "config access before any 0xcf8 index write");
		if (!(q->cf8 & 0x80000000u))
			return iq_err(q, "QEMU traced a config access with 0xcf8 bit 31 clear");
		bus = (q->cf8 >> 16) & 0xff, devfn = (q->cf8 >> 8) & 0xff;
		reg = (q->cf8 & 0xfc) | (addr & 3);
		/* QEMU forms the offset as (cf8 | port & 3) & 0xff (pci_host.c). */
		if (reg != c->off && ((q->cf8 | (addr & 3)) & 0xff) == c->off) {
			q->offset_quirks++;
			reg = c->off;
		}
	}
	if (c->off + size > IQ_CFG)
		return iq_err(q, "a %u-byte access at 0x%x crosses the end of config space", size,
			      c->off);
	if (bus != c->bus || devfn != c->devfn || reg != c->off)
		return iq_err(q, "QEMU's %s %02x:%02x.%x @0x%x does not match the access "
			      "(%02x:%02x.%x @0x%x)", c->dev, c->bus, c->devfn >> 3, c->devfn & 7,
			      c->off, bus, devfn >> 3, devfn & 7, reg);
	return 0;
}

static int unpaired_read(struct iq *q)
{
	unsigned long at = q->lineno;

	q->lineno = q->rd_line;
	iq_err(q, "pci_cfg_read is not followed by its data read");
	q->lineno = at;
	return -1;
}

/* A data read (port 0xcfc-0xcff or ECAM), with its pci_cfg_read if any. */
static int data_read(struct iq *q, const struct iq_line *l, uint32_t v)
{
	struct iq_dev *d;
	unsigned long at;

	if (!q->rd_valid) {
		q->absent++;
		return 0;
	}
	q->rd_valid = false;
	if (check_decode(q, &q->rd, l->rgn, l->addr, l->opsize))
		return -1;
	if (q->rd.val != v)
		return iq_err(q, "pci_cfg_read returned 0x%x, the data read 0x%x", q->rd.val, v);
	/* The function is named on the pci_cfg_read line: that line is where
	 * it is first seen and what an error about it names. */
	at = q->lineno;
	q->lineno = q->rd_line;
	d = iq_dev_get(q, q->rd.bus, q->rd.devfn, q->rd.dev, true);
	if (d)
		iq_dev_read(q, d, q->rd.off, l->opsize, v);
	q->lineno = at;
	return d ? 0 : -1;
}

static int ops(struct iq *q, const struct iq_line *l)
{
	bool write = l->ev == IQ_EV_OPS_WRITE;
	uint32_t v = mask_size(l->value, l->opsize);

	if (l->rgn == IQ_RGN_OTHER)
		return 0;
	if (l->rgn == IQ_RGN_DEBUGCON) {
		if (write && iq_writing(q))
			iq_emit_debugcon(q, (uint8_t)v);
		return 0;
	}
	if (q->rd_valid && (write || l->rgn == IQ_RGN_IDX))
		return unpaired_read(q);
	q->accesses++;
	write ? q->writes++ : q->reads++;
	iq_emit_access(q, l->rgn == IQ_RGN_ECAM ? "mmio" : "pio", write, l->addr, l->opsize, v);
	q->acc.valid = false;
	if (l->rgn == IQ_RGN_IDX) {
		/* Only a dword write at 0xcf8 latches (Linux's outb to 0xcfb does not). */
		if (write && l->addr == 0xcf8 && l->opsize == 4) {
			q->cf8 = v;
			q->cf8_set = true;
		}
		return 0;
	}
	if (!write)
		return data_read(q, l, v);
	q->acc = (struct iq_access){ .valid = true, .write = true, .rgn = l->rgn, .addr = l->addr,
				     .size = l->opsize, .value = v, .line = q->lineno };
	return 0;
}

static int cfg_write(struct iq *q, const struct iq_line *l)
{
	struct iq_dev *d;

	if (q->rd_valid)
		return unpaired_read(q);
	if (!q->acc.valid)
		return iq_err(q, "pci_cfg_write without a config data write before it");
	q->acc.valid = false;
	if (check_decode(q, l, q->acc.rgn, q->acc.addr, q->acc.size))
		return -1;
	if (mask_size(l->val, q->acc.size) != q->acc.value)
		return iq_err(q, "pci_cfg_write of 0x%x, the data write 0x%x", l->val, q->acc.value);
	d = iq_dev_get(q, l->bus, l->devfn, l->dev, true);
	if (!d)
		return -1;
	iq_dev_write(q, d, l->off, q->acc.size, q->acc.value);
	return 0;
}

static int mapping(struct iq *q, const struct iq_line *l)
{
	struct iq_dev *d;

	if (!q->accesses)
		return iq_err(q, "mapping event before any config access");
	d = iq_dev_get(q, l->bus, l->devfn, l->dev, false);
	if (!d)
		return -1;
	if (l->bar != IQ_ROM && l->bar >= (d->bridge ? 2 : 6))
		return iq_err(q, "mapping event for BAR %d of a bridge", l->bar);
	if (q->pass == 1) {
		if (d->map_size[l->bar] && d->map_size[l->bar] != l->size)
			return iq_err(q, "%s %s: mapped with size 0x%llx, before 0x%llx", d->path,
				      l->bar == IQ_ROM ? "rom" : "bar", (unsigned long long)l->size,
				      (unsigned long long)d->map_size[l->bar]);
		d->map_size[l->bar] = l->size;
		return 0;
	}
	q->expects++;
	if (iq_writing(q))
		iq_emit_expect(q, d, l);
	return 0;
}

static int apply(struct iq *q, const struct iq_line *l)
{
	if (iq_writing(q) && !q->linux_marked && q->last_fwcfg && q->lineno > q->last_fwcfg)
		iq_emit_phase(q);
	switch (l->ev) {
	case IQ_EV_NONE:
		return 0;
	case IQ_EV_FW_CFG:
		q->last_fwcfg = q->pass == 1 ? q->lineno : q->last_fwcfg;
		return 0;
	case IQ_EV_CFG_READ:
		if (q->rd_valid)
			return unpaired_read(q);
		q->rd = *l;
		q->rd_valid = true;
		q->rd_line = q->lineno;
		return 0;
	case IQ_EV_CFG_WRITE:
		return cfg_write(q, l);
	case IQ_EV_MAP_ADD:
	case IQ_EV_MAP_DEL:
		return mapping(q, l);
	case IQ_EV_OPS_READ:
	case IQ_EV_OPS_WRITE:
		return ops(q, l);
	}
	return 0;
}

int iq_pass(struct iq *q, FILE *in, FILE *copy)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	q->lineno = 0;
	while (!rc && (n = getline(&line, &cap, in)) >= 0) {
		struct iq_line l;
		const char *why;

		q->lineno++;
		if (copy && fwrite(line, 1, (size_t)n, copy) != (size_t)n)
			rc = iq_err(q, "cannot spool standard input");
		else if (iq_parse_line(line, &l, &why))
			rc = iq_err(q, "%s", why);
		else
			rc = apply(q, &l);
	}
	free(line);
	if (!rc && ferror(in))
		rc = iq_err(q, "read error");
	if (!rc && q->rd_valid)
		rc = unpaired_read(q);
	return rc;
}
