/*
 * tools/serve.h - `vpcitrap serve` and `vpcitrap snapshot` (the front end
 * of ioreq/): options, building the machine, running on Xen or on the
 * simulated hypervisor.
 */
#ifndef VT_SERVE_H
#define VT_SERVE_H

#include <stdio.h>

#include "../ioreq/ioreq.h"

#define SERVE_MAX_LIST 64

struct pci_access;

struct serve_host {
	uint32_t sbdf;        /* the real dom0 function */
	const char *path;     /* where the guest sees it; NULL: the same bus/dev.fn */
};

struct serve_rmrr {
	struct vt_range range;
	const char *path;     /* NULL: no device scope */
};

struct serve_opts {
	long domid;           /* --domid; -1 with --sim */
	const char *sim;      /* --sim TRACE */
	unsigned vcpus;       /* --vcpus */
	const char *machine, *rdm, *dmar, *ivrs, *memmap, *record;
	struct serve_host host[SERVE_MAX_LIST];
	unsigned nhost;
	struct serve_rmrr rmrr[SERVE_MAX_LIST];
	unsigned nrmrr;
	struct vt_range claim_buses[SERVE_MAX_LIST];
	unsigned nclaim_buses;
	bool leave_ports;     /* --leave-ports */
	bool quiet;
	int sim_timeout_ms;   /* --sim-timeout MS (tests) */
	/* libpci access, as lspci's -A METHOD / -O PARAM=VALUE */
	const char *pci_method;
	const char *pci_param[8];
	unsigned npci_param;
};

/* A machine being built: every machine line goes to the parser and to the recording. */
struct serve_machine {
	struct vpci_machine *m;
	struct vpci_parser *parser;
	struct ioreq_server *srv;
	struct ioreq_sim_access *acc;  /* --sim: the trace's accesses */
	size_t nacc, capacc;
	struct pci_access *pacc;
};

/* libpci with the -A/-O settings; errors go through the front end (which may exit). */
struct pci_access *serve_pci_open(const struct serve_opts *o, struct vt_err *err);
void serve_pci_close(struct pci_access *pacc);

/* Feed one machine line (to the parser and to the recording). */
int serve_machine_line(struct serve_machine *sm, const char *file, unsigned long ln, const char *line,
		       struct vt_err *err);
/*
 * Everything the options say about the machine: --machine, the --sim
 * trace's machine section (and its accesses into sm->acc), --host, --rmrr,
 * --memmap, --dmar, --ivrs, --rdm, plus Xen's reserved device memory (may be NULL).
 */
int serve_machine_build(struct serve_machine *sm, const struct serve_opts *o,
			const struct serve_rmrr *xen_rdm, size_t nxen_rdm, struct vt_err *err);
void serve_machine_free(struct serve_machine *sm);

/* The runs; each returns the exit status. */
int serve_run_sim(const struct serve_opts *o);
int serve_run_xen(const struct serve_opts *o);

/* One function's description as machine lines (device, hex rows, bar/rom sizes). */
int serve_device_lines(const struct vpci_dev_desc *d, int (*emit)(void *ctx, const char *line),
		       void *ctx);
/* emit for serve_device_lines: ctx is a FILE *. */
int serve_emit_file(void *ctx, const char *line);

#endif
