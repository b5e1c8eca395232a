/*
 * tools/import_qemu_emit.c - writing the trace (CONTRACT §5 and the
 * extensions `compare`, `mask` and `indirect`): the machine section, then
 * one line per access, `expect` lines and comments for the phases of the
 * boot.
 */
#include <string.h>

#include "import_qemu.h"

static void emit_rows(FILE *f, const struct iq_dev *d)
{
	for (unsigned row = 0; row < d->cfg_len; row += 16) {
		fprintf(f, row < 0x100 ? "%02x:" : "%03x:", row);
		for (unsigned i = 0; i < 16; i++)
			fprintf(f, " %02x", d->reset[row + i]);
		fputc('\n', f);
	}
}

static void emit_device(FILE *f, const struct iq_dev *d)
{
	unsigned nbar = d->bridge ? 2 : 6;

	fprintf(f, "\n# %s, first seen as %02x:%02x.%x at log line %lu\n", d->type, d->first_bus,
		d->devfn >> 3, d->devfn & 7, d->first_line);
	fprintf(f, "device %s\n", d->path);
	emit_rows(f, d);
	for (unsigned i = 0; i < nbar; i++)
		if (d->bar_size[i])
			fprintf(f, "bar %u size 0x%llx\n", i, (unsigned long long)d->bar_size[i]);
	if (d->bar_size[IQ_ROM])
		fprintf(f, "rom size 0x%llx\n", (unsigned long long)d->bar_size[IQ_ROM]);
	for (unsigned i = 0; i < d->nmask; i++)
		fprintf(f, "mask 0x%02x %u 0x%0*x 0x%0*x\n", d->mask[i].reg, d->mask[i].size,
			2 * d->mask[i].size, d->mask[i].wmask, 2 * d->mask[i].size, d->mask[i].w1c);
	iq_win_emit(f, d);
}

void iq_emit_machine(struct iq *q)
{
	FILE *f = q->out;

	fprintf(f, "# vpcitrap trace imported from the QEMU trace log %s\n", q->name);
	fprintf(f, "# by `vpcitrap import-qemu` (docs/import-qemu.md). Machine: %u functions, "
		   "reconstructed from the log;\n# accesses: every access to 0xcf8-0xcff and "
		   "ECAM, as the guest made it; expect: QEMU's own\n# pci_update_mappings_add/del "
		   "events, compared by replay (map and unmap only).\n", q->ndev);
	if (q->have_ecam)
		fprintf(f, "ecam 0x%llx 0x00-0xff\n", (unsigned long long)q->ecam_base);
	fprintf(f, "compare map unmap\n");
	for (unsigned i = 0; i < q->ndev; i++)
		emit_device(f, q->dev[i]);
	fprintf(f, "\n# phase firmware (log line 1)\n");
}

void iq_emit_access(struct iq *q, const char *kind, bool write, uint64_t addr, unsigned size,
		    uint32_t value)
{
	if (iq_writing(q))
		fprintf(q->out, "%s %c 0x%llx %u 0x%x\n", kind, write ? 'w' : 'r',
			(unsigned long long)addr, size, value);
}

void iq_emit_expect(struct iq *q, const struct iq_dev *d, const struct iq_line *l)
{
	char bar[8];

	if (l->bar == IQ_ROM)
		snprintf(bar, sizeof(bar), "rom");
	else
		snprintf(bar, sizeof(bar), "bar%d", l->bar);
	fprintf(q->out, "expect %s 0000:%02x:%02x.%x %s %s 0x%llx-0x%llx\n",
		l->ev == IQ_EV_MAP_ADD ? "map" : "unmap", l->bus, l->devfn >> 3, l->devfn & 7, bar,
		iq_dev_bar_io(d, l->bar) ? "io" : "mem", (unsigned long long)l->addr,
		(unsigned long long)(l->addr + l->size - 1));
}

/* The line after the last fw_cfg_select starts the Linux phase (README "Phases"). */
void iq_emit_phase(struct iq *q)
{
	fprintf(q->out, "# phase linux (log line %lu: after the last fw_cfg_select)\n", q->lineno);
	q->linux_marked = true;
}

/*
 * isa-debugcon bytes: the /init markers ("=== INIT START ===") and
 * SeaBIOS's own PCI lines ("PCI: map device ...") become comments.
 */
void iq_emit_debugcon(struct iq *q, uint8_t ch)
{
	if (ch != '\n' && ch != '\r' && q->ndbg < sizeof(q->dbg) - 1) {
		if (ch >= 0x20 && ch < 0x7f)
			q->dbg[q->ndbg++] = (char)ch;
		return;
	}
	q->dbg[q->ndbg] = '\0';
	if (!strncmp(q->dbg, "===", 3))
		fprintf(q->out, "# marker %s (log line %lu)\n", q->dbg, q->lineno);
	else if (!strncmp(q->dbg, "PCI: map device", 15) || !strncmp(q->dbg, "PCI: secondary bus", 18))
		fprintf(q->out, "# seabios %s\n", q->dbg);
	q->ndbg = 0;
}
