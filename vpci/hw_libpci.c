/*
 * vpci/hw_libpci.c - real host functions through libpci (pciutils), the
 * device backend of `vpcitrap serve --host`.
 *
 * The function's config bytes at start and its BAR/ROM sizes become the
 * device description; afterwards vpci emulates the registers it owns
 * (command, BARs, ROM, bus numbers) and passes reads and writes through
 * this backend. Sizes come from the kernel (PCI_FILL_SIZES: sysfs
 * "resource"), never from probing the BARs ourselves: writing all ones to
 * a live BAR would move it under a running driver. A failed read is all
 * ones, as a master abort would be (libpci itself fills 0xff).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "vpci.h"

struct hw_libpci {
	struct pci_dev *dev;
	bool readonly; /* the dump method: libpci's dump_write() is fatal */
};

static int hw_read(void *ctx, unsigned reg, unsigned size, uint32_t *val)
{
	struct hw_libpci *h = ctx;

	switch (size) {
	case 1: *val = pci_read_byte(h->dev, (int)reg); break;
	case 2: *val = pci_read_word(h->dev, (int)reg); break;
	case 4: *val = pci_read_long(h->dev, (int)reg); break;
	default: *val = 0xffffffffu; return -EINVAL;
	}
	return 0;
}

static int hw_write(void *ctx, unsigned reg, unsigned size, uint32_t val)
{
	struct hw_libpci *h = ctx;
	int ok;

	if (h->readonly)
		return -EROFS;
	switch (size) {
	case 1: ok = pci_write_byte(h->dev, (int)reg, (u8)val); break;
	case 2: ok = pci_write_word(h->dev, (int)reg, (u16)val); break;
	case 4: ok = pci_write_long(h->dev, (int)reg, val); break;
	default: return -EINVAL;
	}
	return ok ? 0 : -EIO;
}

static void hw_destroy(void *ctx)
{
	struct hw_libpci *h = ctx;

	if (!h)
		return;
	pci_free_dev(h->dev);
	free(h);
}

const struct vpci_backend_ops vpci_hw_libpci = {
	.name = "libpci",
	.read = hw_read,
	.write = hw_write,
	.destroy = hw_destroy,
};

/* Has the function a PCI Express capability (so an extended space worth reading)? */
static bool hw_is_pcie(const uint8_t *cfg)
{
	unsigned ptr, guard = 0;

	if (!(cfg[0x06] & 0x10)) /* status: capabilities list */
		return false;
	for (ptr = cfg[0x34] & 0xfc; ptr >= 0x40 && ptr < 0xff && guard < 48; guard++) {
		if (cfg[ptr] == 0x10) /* PCI_CAP_ID_EXP */
			return true;
		ptr = cfg[ptr + 1] & 0xfc;
	}
	return false;
}

/* Config bytes: 64 must be readable; 256 and 4096 as far as the method allows (not root: 64). */
static int hw_read_cfg(struct pci_dev *dev, struct vpci_dev_desc *d)
{
	memset(d->cfg, 0xff, sizeof(d->cfg));
	if (!pci_read_block(dev, 0, d->cfg, 64))
		return -ENODEV; /* libpci cannot read what is not there (sysfs: no config file) */
	d->cfg_len = 64;
	if (!pci_read_block(dev, 64, d->cfg + 64, 192))
		return 0;
	d->cfg_len = 256;
	if (hw_is_pcie(d->cfg) && pci_read_block(dev, 256, d->cfg + 256, VPCI_CFG_SIZE - 256))
		d->cfg_len = VPCI_CFG_SIZE;
	return 0;
}

static void hw_sizes(struct pci_dev *dev, struct vpci_dev_desc *d)
{
	unsigned known = (unsigned)pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_BASES |
						     PCI_FILL_ROM_BASE | PCI_FILL_SIZES);

	if (!(known & PCI_FILL_SIZES))
		return; /* the dump method knows none: the BARs stay unimplemented */
	for (int i = 0; i < 6; i++)
		d->bar_size[i] = dev->size[i];
	d->bar_size[6] = dev->rom_size;
}

int vpci_hw_libpci_desc(struct pci_access *pacc, uint32_t sbdf, const char *path,
			struct vpci_dev_desc *d, struct vt_err *err)
{
	unsigned seg = VT_SBDF_SEG(sbdf), bus = VT_SBDF_BUS(sbdf), devfn = VT_SBDF_DEVFN(sbdf);
	struct hw_libpci *h = calloc(1, sizeof(*h));
	char s[16];
	int rc;

	if (!h)
		return vt_errf(err, ENOMEM, "out of memory");
	h->dev = pci_get_dev(pacc, (int)seg, (int)bus, (int)(devfn >> 3), (int)(devfn & 7));
	h->readonly = pacc->method == PCI_ACCESS_DUMP;
	memset(d, 0, sizeof(*d));
	rc = h->dev ? hw_read_cfg(h->dev, d) : -ENOMEM;
	if (!rc && vt_le_get(d->cfg, 2) == 0xffff)
		rc = -ENODEV;
	if (rc) {
		hw_destroy(h);
		return vt_errf(err, -rc, "host function %s: %s", vt_fmt_sbdf(sbdf, s),
			       rc == -ENODEV ? "no such function (its config space does not read)"
					     : "cannot read its config space");
	}
	hw_sizes(h->dev, d);
	if (path)
		snprintf(d->path, sizeof(d->path), "%s", path);
	else if (seg)
		snprintf(d->path, sizeof(d->path), "%04x:%02x:%02x.%x", seg, bus, devfn >> 3, devfn & 7);
	else
		snprintf(d->path, sizeof(d->path), "%02x:%02x.%x", bus, devfn >> 3, devfn & 7);
	d->ops = &vpci_hw_libpci;
	d->ops_ctx = h;
	d->rdm_policy = VT_POLICY_DEFAULT;
	return 0;
}
