/*
 * tools/import_qemu_log.c - one line of a QEMU 7.x `-trace` log (log
 * backend), as described in shared/traces/qemu/README.md:
 *
 *   [TID@SEC.USEC:]EVENT ARGS
 *
 * The prefix is there with `-msg timestamp=on` and absent without it. Only
 * the events the recording enables are understood; any other event is an
 * error, because an importer that skipped events it does not know could
 * silently drop config accesses.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import_qemu.h"

static const char *const E_TRUNC = "truncated line";
static const char *const E_NUM = "bad number";

/* Next whitespace-separated token, or NULL. */
static char *next_tok(char **p)
{
	char *s = *p, *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	t = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return t;
}

/* "0x..." hex, all of it; QEMU prints every address and value this way. */
static int parse_hex(const char *s, uint64_t *v)
{
	char *end;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isxdigit((unsigned char)s[2]))
		return -1;
	errno = 0;
	*v = strtoull(s + 2, &end, 16);
	return (errno || *end) ? -1 : 0;
}

static int parse_dec(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/* "BB:SS.F", the bus:slot.func of QEMU's pci events (hex, hex, 0-7). */
static int parse_bdf(const char *s, struct iq_line *l)
{
	unsigned bus, slot, fn;
	int n = 0;

	if (sscanf(s, "%2x:%2x.%1u%n", &bus, &slot, &fn, &n) != 3 || s[n] || slot > 31 || fn > 7)
		return -1;
	l->bus = (uint8_t)bus;
	l->devfn = (uint8_t)(slot << 3 | fn);
	return 0;
}

/* pci_cfg_read  DEV BB:SS.F @0xOFF -> 0xVAL
 * pci_cfg_write DEV BB:SS.F @0xOFF <- 0xVAL */
static int parse_cfg(char *p, struct iq_line *l, const char **why)
{
	char *dev = next_tok(&p), *bdf = next_tok(&p), *off = next_tok(&p);
	char *arrow = next_tok(&p), *val = next_tok(&p);
	uint64_t o, v;

	if (!val) {
		*why = E_TRUNC;
		return -1;
	}
	if (next_tok(&p) || strcmp(arrow, l->ev == IQ_EV_CFG_READ ? "->" : "<-") || off[0] != '@') {
		*why = "malformed pci_cfg line";
		return -1;
	}
	if (parse_bdf(bdf, l) || parse_hex(off + 1, &o) || o >= IQ_CFG || parse_hex(val, &v) ||
	    v > 0xffffffffu) {
		*why = E_NUM;
		return -1;
	}
	snprintf(l->dev, sizeof(l->dev), "%s", dev);
	l->off = (uint16_t)o;
	l->val = (uint32_t)v;
	return 0;
}

/* pci_update_mappings_add DEV BB:SS.F BAR,0xADDR+0xSIZE */
static int parse_map(char *p, struct iq_line *l, const char **why)
{
	char *dev = next_tok(&p), *bdf = next_tok(&p), *r = next_tok(&p);
	char *comma, *plus;
	uint64_t bar;

	if (!r) {
		*why = E_TRUNC;
		return -1;
	}
	comma = strchr(r, ',');
	plus = comma ? strchr(comma, '+') : NULL;
	if (next_tok(&p) || !plus) {
		*why = comma ? E_TRUNC : "malformed mapping line";
		return -1;
	}
	*comma = *plus = '\0';
	if (parse_bdf(bdf, l) || parse_dec(r, &bar) || bar > 6 || parse_hex(comma + 1, &l->addr) ||
	    parse_hex(plus + 1, &l->size) || !l->size || l->addr + (l->size - 1) < l->addr) {
		*why = E_NUM;
		return -1;
	}
	snprintf(l->dev, sizeof(l->dev), "%s", dev);
	l->bar = (int)bar;
	return 0;
}

static enum iq_region region_of(const char *name)
{
	static const struct {
		const char *name;
		enum iq_region rgn;
	} tab[] = {
		{ "pci-conf-idx", IQ_RGN_IDX },
		{ "pci-conf-data", IQ_RGN_DATA },
		{ "pcie-mmcfg-mmio", IQ_RGN_ECAM },
		{ "isa-debugcon", IQ_RGN_DEBUGCON },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(name, tab[i].name))
			return tab[i].rgn;
	return IQ_RGN_OTHER;
}

/* memory_region_ops_* cpu N mr 0xP addr 0xA value 0xV size N name 'NAME' */
static int parse_ops(char *p, struct iq_line *l, const char **why)
{
	static const char *const key[] = { "cpu", "mr", "addr", "value", "size" };
	char *tok[5];
	uint64_t v[5], n;
	char *name, *q;

	for (int i = 0; i < 5; i++) {
		char *k = next_tok(&p);

		tok[i] = next_tok(&p);
		if (!tok[i]) {
			*why = E_TRUNC;
			return -1;
		}
		if (strcmp(k, key[i])) {
			*why = "malformed memory_region_ops line";
			return -1;
		}
	}
	/* cpu may be -1 (not a vCPU access); it is not needed. */
	if (parse_hex(tok[1], &v[1]) || parse_hex(tok[2], &v[2]) || parse_hex(tok[3], &v[3]) ||
	    parse_dec(tok[4], &n) || (n != 1 && n != 2 && n != 4 && n != 8)) {
		*why = E_NUM;
		return -1;
	}
	name = next_tok(&p);
	if (name && strcmp(name, "name")) {
		*why = "malformed memory_region_ops line";
		return -1;
	}
	if (!name || *p != '\'' || !(q = strrchr(p + 1, '\''))) {
		*why = E_TRUNC;
		return -1;
	}
	*q = '\0';
	l->rgn = region_of(p + 1);
	l->addr = v[2];
	l->value = v[3];
	l->opsize = (unsigned)n;
	if (l->rgn != IQ_RGN_OTHER && n == 8) {
		*why = "8-byte access to a config mechanism region";
		return -1;
	}
	return 0;
}

/* fw_cfg_select 0xP key 0xKEY 'NAME', ret: N - only its position matters. */
static int parse_fwcfg(char *p, const char **why)
{
	char *ptr = next_tok(&p), *key = next_tok(&p), *k = next_tok(&p);
	uint64_t v;

	if (!k || !strstr(p, "ret:")) {
		*why = E_TRUNC;
		return -1;
	}
	if (parse_hex(ptr, &v) || strcmp(key, "key") || parse_hex(k, &v)) {
		*why = E_NUM;
		return -1;
	}
	return 0;
}

/* Skip "TID@SEC.USEC:" when present. */
static char *skip_prefix(char *s, const char **why)
{
	char *p = s;

	if (!isdigit((unsigned char)*p))
		return s;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '@')
		goto bad;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.')
		goto bad;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ':')
		goto bad;
	return p;
bad:
	*why = "malformed timestamp prefix";
	return NULL;
}

int iq_parse_line(char *s, struct iq_line *l, const char **why)
{
	size_t n = strlen(s);
	char *p, *ev;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	memset(l, 0, sizeof(*l));
	if (!n)
		return 0;
	p = skip_prefix(s, why);
	if (!p)
		return -1;
	ev = next_tok(&p);
	if (!ev) {
		*why = E_TRUNC;
		return -1;
	}
	if (!strcmp(ev, "pci_cfg_read") || !strcmp(ev, "pci_cfg_write")) {
		l->ev = ev[8] == 'r' ? IQ_EV_CFG_READ : IQ_EV_CFG_WRITE;
		return parse_cfg(p, l, why);
	}
	if (!strcmp(ev, "pci_update_mappings_add") || !strcmp(ev, "pci_update_mappings_del")) {
		l->ev = ev[20] == 'a' ? IQ_EV_MAP_ADD : IQ_EV_MAP_DEL;
		return parse_map(p, l, why);
	}
	if (!strcmp(ev, "memory_region_ops_read") || !strcmp(ev, "memory_region_ops_write")) {
		l->ev = ev[18] == 'r' ? IQ_EV_OPS_READ : IQ_EV_OPS_WRITE;
		return parse_ops(p, l, why);
	}
	if (!strcmp(ev, "fw_cfg_select")) {
		l->ev = IQ_EV_FW_CFG;
		return parse_fwcfg(p, why);
	}
	*why = "not a pci_cfg_*, pci_update_mappings_*, memory_region_ops_* or fw_cfg_select event";
	return -1;
}
