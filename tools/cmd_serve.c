/*
 * tools/cmd_serve.c - `vpcitrap serve`: the command line (agreed with the
 * Xen lab; see docs/serve.md and vpcitrap(1)).
 *
 *   serve --domid N [--machine FILE] [--host SBDF[@PATH]]... [--rdm SPEC]
 *         [--rmrr BASE-LAST[@PATH]]... [--dmar FILE] [--ivrs FILE] [--memmap DIR]
 *         [--record FILE] [--claim-buses A-B]... [--leave-ports] [--quiet]
 *   serve --sim TRACE --vcpus N [--machine FILE] [--record FILE] [--rdm SPEC] [--quiet]
 *
 * Extensions: -A METHOD / -O PARAM=VALUE select libpci's access method for
 * --host as in lspci (tests use the dump method); --host, --rmrr, --memmap,
 * --dmar, --ivrs, --claim-buses and --leave-ports also work with --sim; --sim-timeout MS
 * bounds how long a simulated vCPU waits for its answer.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "serve.h"

static void serve_usage(FILE *f)
{
	fputs("usage: vpcitrap serve --domid N [--machine FILE] [--host SBDF[@PATH]]... [--rdm SPEC]\n"
	      "                      [--rmrr BASE-LAST[@PATH]]... [--dmar FILE] [--ivrs FILE]\n"
	      "                      [--memmap DIR] [--record FILE] [--claim-buses A-B]... [--leave-ports]\n"
	      "                      [--quiet]\n"
	      "       vpcitrap serve --sim TRACE --vcpus N [--machine FILE] [--record FILE]\n"
	      "                      [--rdm SPEC] [--quiet]\n"
	      "Events go to stdout (LINE: EVENT), diagnostics to stderr. See vpcitrap(1).\n",
	      f);
}

static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vpcitrap serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

/* SBDF[@PATH] */
static int parse_host(char *arg, struct serve_opts *o)
{
	char *at = strchr(arg, '@');
	struct serve_host *h;

	if (o->nhost == SERVE_MAX_LIST)
		return bad("too many --host");
	h = &o->host[o->nhost];
	if (at)
		*at = 0;
	if (vt_parse_sbdf(arg, &h->sbdf))
		return bad("--host %s: expected SSSS:BB:DD.F or BB:DD.F", arg);
	h->path = at ? at + 1 : NULL;
	if (h->path && !*h->path)
		return bad("--host %s@: empty path", arg);
	o->nhost++;
	return 0;
}

/* BASE-LAST[@PATH] */
static int parse_rmrr(char *arg, struct serve_opts *o)
{
	char *at = strchr(arg, '@');
	struct serve_rmrr *r;

	if (o->nrmrr == SERVE_MAX_LIST)
		return bad("too many --rmrr");
	r = &o->rmrr[o->nrmrr];
	if (at)
		*at = 0;
	if (vt_parse_range(arg, &r->range))
		return bad("--rmrr %s: expected BASE-LAST", arg);
	r->path = at && at[1] ? at + 1 : NULL;
	o->nrmrr++;
	return 0;
}

static int parse_buses(const char *arg, struct serve_opts *o)
{
	struct vt_range *r;

	if (o->nclaim_buses == SERVE_MAX_LIST)
		return bad("too many --claim-buses");
	r = &o->claim_buses[o->nclaim_buses];
	if (vt_parse_range(arg, r) || r->last > 0xff)
		return bad("--claim-buses %s: expected FIRST-LAST bus numbers (0-255)", arg);
	o->nclaim_buses++;
	return 0;
}

static int parse_number(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
	if (vt_parse_u64(arg, out) || *out > max)
		return bad("bad number for %s", opt);
	return 0;
}

static const struct option serve_lo[] = {
	{ "domid", required_argument, 0, 'd' },   { "sim", required_argument, 0, 's' },
	{ "vcpus", required_argument, 0, 'v' },   { "machine", required_argument, 0, 'm' },
	{ "host", required_argument, 0, 'H' },    { "rdm", required_argument, 0, 'r' },
	{ "rmrr", required_argument, 0, 'R' },    { "dmar", required_argument, 0, 'D' },
	{ "ivrs", required_argument, 0, 'I' },    { "memmap", required_argument, 0, 'M' },
	{ "record", required_argument, 0, 'o' },  { "claim-buses", required_argument, 0, 'b' },
	{ "quiet", no_argument, 0, 'q' },         { "sim-timeout", required_argument, 0, 't' },
	{ "leave-ports", no_argument, 0, 'L' },   { "help", no_argument, 0, 'h' },
	{ 0, 0, 0, 0 },
};

static int serve_parse(int argc, char **argv, struct serve_opts *o)
{
	uint64_t n;
	int c, rc = 0;

	while (!rc && (c = getopt_long(argc, argv, "A:O:qh", serve_lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			rc = parse_number("--domid", optarg, 0x7fef /* DOMID_FIRST_RESERVED - 1 */, &n);
			o->domid = (long)n;
			break;
		case 's': o->sim = optarg; break;
		case 'v':
			rc = parse_number("--vcpus", optarg, 128, &n);
			o->vcpus = (unsigned)n;
			break;
		case 'm': o->machine = optarg; break;
		case 'H': rc = parse_host(optarg, o); break;
		case 'r': o->rdm = optarg; break;
		case 'R': rc = parse_rmrr(optarg, o); break;
		case 'D': o->dmar = optarg; break;
		case 'I': o->ivrs = optarg; break;
		case 'M': o->memmap = optarg; break;
		case 'o': o->record = optarg; break;
		case 'b': rc = parse_buses(optarg, o); break;
		case 'q': o->quiet = true; break;
		case 'L': o->leave_ports = true; break;
		case 't':
			rc = parse_number("--sim-timeout", optarg, 3600000, &n);
			o->sim_timeout_ms = (int)n;
			break;
		case 'A': o->pci_method = optarg; break;
		case 'O':
			if (o->npci_param == VT_ARRAY_SIZE(o->pci_param))
				return bad("too many -O");
			o->pci_param[o->npci_param++] = optarg;
			break;
		case 'h': serve_usage(stdout); return -1;
		default: serve_usage(stderr); return 2;
		}
	}
	return rc;
}

static int serve_check(int argc, const struct serve_opts *o)
{
	if (optind != argc)
		return bad("unexpected argument(s) after the options");
	if ((o->domid >= 0) == (o->sim != NULL))
		return bad("give exactly one of --domid N and --sim TRACE");
	if (o->sim && (!o->vcpus || o->vcpus > 128))
		return bad("--sim needs --vcpus N (1..128)");
	if (!o->sim && o->vcpus)
		return bad("--vcpus goes with --sim; with --domid the domain says how many");
	if (o->domid == 0)
		return bad("--domid 0: a server cannot serve its own domain (dm_op targets another one:"
			   " a PVH/HVM driver domain or a late hardware domain)");
	if (o->rdm) {
		struct vpci_rdm r;

		if (vpci_rdm_parse(o->rdm, &r))
			return bad("bad --rdm '%s' (strategy=host,policy=strict|relaxed)", o->rdm);
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static struct serve_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.domid = -1;
	optind = 1;
	rc = serve_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = serve_check(argc, &o)))
		return rc;
	return o.sim ? serve_run_sim(&o) : serve_run_xen(&o);
}
