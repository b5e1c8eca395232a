/*
 * ioreq/ioreq.h - the ioreq server: serving a Xen domain's PCI config
 * space from dom0, and a simulated hypervisor that speaks the same ABI.
 *
 * Xen sends a device model the guest accesses it claimed, one request per
 * vCPU in a shared page (struct ioreq, xen/include/public/hvm/ioreq.h),
 * with an event channel per vCPU. This module has four layers:
 *
 *   server  transport independent: turns a struct ioreq into a trap call
 *           (PIO -> trap_pio_*, COPY in the ECAM window -> trap_mmio_*,
 *           PCI_CONFIG -> trap_cfg_*), answers INVALIDATE, refuses what it
 *           cannot do (data_is_ptr, rep counts, odd sizes) with a logged
 *           error and a defined result, keeps the claims (ports 0xcf8-0xcff,
 *           the ECAM window, every device's current SBDF) in step with bus
 *           renumbering, prints events and writes the --record trace.
 *   loop    the slot protocol READY -> INPROCESS -> IORESP_READY with the
 *           ABI's barriers, driven by a port source (event channels).
 *   xen     the real backend over libxendevicemodel, libxenforeignmemory,
 *           libxenevtchn and libxenctrl (only when configure found Xen).
 *   sim     a simulated hypervisor: the same page layout and states, one
 *           slot per vCPU, eventfd notifications, Xen's routing of
 *           0xcf8/0xcfc into IOREQ_TYPE_PCI_CONFIG, claims with Xen's
 *           range limits, 1:1 mappings with Xen's permission checks; and a
 *           guest that plays a trace from N vCPU threads.
 *
 * Nothing here includes Xen headers: struct ioreq and struct shared_iopage
 * are the ABI's own tags, declared here and defined in ioreq/abi.h.
 * Library code never exits; set-up returns 0 or -errno.
 */
#ifndef VT_IOREQ_H
#define VT_IOREQ_H

#include <stdio.h>

#include "../common/event.h"
#include "../common/trace.h"
#include "../common/vt.h"
#include "../mapper/mapper.h"
#include "../traps/traps.h"
#include "../vpci/vpci.h"

struct ioreq;         /* one request (xen/include/public/hvm/ioreq.h) */
struct shared_iopage; /* the synchronous ioreq page: one struct ioreq per vCPU */

/*
 * Xen keeps a server's claims in one rangeset per kind, each limited to
 * MAX_NR_IO_RANGES (256, xen/include/xen/ioreq.h); adjacent claims merge
 * (rangeset_add_range), so 256 devices with consecutive SBDFs cost one.
 */
#define IOREQ_MAX_RANGES 256

/* ------------------------------------------------------------------ */
/* Claims: what Xen sends to this server.                              */

enum ioreq_claim_kind {
	IOREQ_CLAIM_PORT, /* I/O ports (XEN_DMOP_IO_RANGE_PORT) */
	IOREQ_CLAIM_MMIO, /* guest physical memory (XEN_DMOP_IO_RANGE_MEMORY) */
	IOREQ_CLAIM_PCI,  /* SBDFs, segment << 16 | bus << 8 | devfn (XEN_DMOP_IO_RANGE_PCI) */
	IOREQ_CLAIM_KINDS
};

/*
 * The backend that claims. first..last inclusive; for IOREQ_CLAIM_PCI the
 * Xen backend issues one map_pcidev per SBDF (the public library has no
 * range call for PCI), and Xen merges them. 0 or -errno.
 */
struct ioreq_claim_ops {
	const char *name;
	int (*map)(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last);
	int (*unmap)(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last);
};

/* ------------------------------------------------------------------ */
/* The server core.                                                    */

struct ioreq_server;

struct ioreq_opts {
	/*
	 * Events as CONTRACT §6 lines "LINE: text", flushed per request; LINE
	 * is the line of the access in the recording (counted even when not
	 * recording), so that `vpcitrap replay` of the recording prints the
	 * same lines. NULL: print nothing.
	 */
	FILE *out;
	/* --record: every access with its result, every event as `expect`. */
	FILE *record;
	/* Diagnostics (refusals, claim errors); NULL: stderr. */
	FILE *log;
	/* --claim-buses: whole buses (0..255, segment 0) claimed from the start. */
	const struct vt_range *claim_buses;
	unsigned nclaim_buses;
	/*
	 * --leave-ports: claim no ports (0xcf8-0xcff stay with the device
	 * model, as in an HVM guest where QEMU owns them, 0xcf9 reset
	 * included). Xen latches 0xcf8 itself and still sends 0xcfc-0xcff
	 * accesses for the claimed SBDFs as IOREQ_TYPE_PCI_CONFIG.
	 */
	bool leave_ports;
};

struct ioreq_stats {
	unsigned long requests;    /* answered, of every type */
	unsigned long accesses;    /* dispatched to traps and recorded */
	unsigned long reads, writes;
	unsigned long refused;     /* answered with the defined result of a refusal */
	unsigned long invalidates; /* IOREQ_TYPE_INVALIDATE answered */
	unsigned long not_ready;   /* notifications whose slot was not READY */
	unsigned long claim_moves; /* claim resyncs after renumbering */
	unsigned long claim_errors;
	unsigned long record_errors;
};

/*
 * A server for machine m (events go through vpci_machine_events(m)). It
 * subscribes to the events at once, so create it before
 * vpci_machine_finish() to print and record the initial mappings (line 0).
 * ops/ctx claim (NULL ops: claims are only counted). NULL on ENOMEM.
 */
struct ioreq_server *ioreq_server_create(struct vpci_machine *m, const struct ioreq_claim_ops *ops,
					 void *ctx, const struct ioreq_opts *o);
/* A line of the recording's machine section (no newline); counted. */
int ioreq_server_record_text(struct ioreq_server *s, const char *line);
/*
 * After vpci_machine_finish(): decode set-up (trap_init) and the claims.
 * Fails with -ENOSPC and a message when the PCI claims need more than
 * IOREQ_MAX_RANGES ranges, or with the backend's error.
 */
int ioreq_server_claim(struct ioreq_server *s, struct vt_err *err);
/* One line saying what is claimed (no newline). */
int ioreq_server_describe(const struct ioreq_server *s, char *buf, size_t len);
/*
 * Handle one request (a private copy: the loop copies the slot). Sets
 * req->data for reads. Never fails: a refused request reads all ones (when
 * data is not a pointer) and writes nothing; guest memory is never touched.
 */
void ioreq_server_handle(struct ioreq_server *s, struct ioreq *req);
/* Release every claim (teardown). 0 or the first -errno. */
int ioreq_server_unclaim(struct ioreq_server *s);
/*
 * Teardown: an `unmap` event for every BAR the machine has mapped
 * (vpci_machine_mapped), numbered one past the recording's last line and
 * not recorded (no access caused them). The backend's close undoes the
 * mappings themselves (it keeps its own record of what it mapped).
 * Returns how many.
 */
size_t ioreq_server_release(struct ioreq_server *s);
const struct ioreq_stats *ioreq_server_stats(const struct ioreq_server *s);
/* The claimed set of a kind, for tests: calls fn per merged range. */
void ioreq_server_claims(const struct ioreq_server *s, enum ioreq_claim_kind kind,
			 void (*fn)(void *ctx, uint64_t first, uint64_t last), void *ctx);
/* The CONTRACT §6 summary line, as replay prints it (with newline). */
int ioreq_server_summary(const struct ioreq_server *s, FILE *f);
/* Unsubscribes; does not unclaim (call ioreq_server_unclaim first). */
void ioreq_server_destroy(struct ioreq_server *s);

/* ------------------------------------------------------------------ */
/* The slot protocol and the request loop.                             */

/*
 * Serve one slot of the shared page: if it is STATE_IOREQ_READY, read
 * barrier, INPROCESS, handle a copy, write the answer, write barrier,
 * STATE_IORESP_READY. 1: served (the caller notifies), 0: not READY.
 */
int ioreq_slot_serve(struct ioreq_server *s, struct ioreq *slot);

/* Where notifications come from: event channels, or the sim's eventfds. */
struct ioreq_port_ops {
	/* A descriptor readable while some port is pending. */
	int (*fd)(void *ctx);
	/* Take one pending port, unmask it, say whose vCPU it is: 0, -EAGAIN (nothing, or not ours), -errno. */
	int (*pending)(void *ctx, unsigned *vcpu);
	int (*notify)(void *ctx, unsigned vcpu);
};

struct ioreq_loop {
	struct ioreq_server *srv;
	struct shared_iopage *page;
	unsigned nvcpu;
	const struct ioreq_port_ops *ops;
	void *ctx;
	int stop_fd;         /* readable: stop (a signal handler's pipe); -1: none */
	/* Called after idle_ms without a notification (0: never): 0 go on, 1 stop, -errno fail. */
	int (*idle)(void *ctx);
	int idle_ms;
};

/* Serve every slot that is READY now (after binding: a notification sent before may be lost). */
int ioreq_loop_scan(struct ioreq_loop *lp);
/* Until stop_fd is readable (0) or a port source fails (-errno). */
int ioreq_loop_run(struct ioreq_loop *lp);

/* ------------------------------------------------------------------ */
/* The Xen backend (defined only when HAVE_XEN).                       */

struct ioreq_xen;

/*
 * Open the four handles, learn the domain's vCPUs (xc_domain_getinfo),
 * create an ioreq server without buffered requests and map its ioreq page
 * (xenforeignmemory_map_resource, XENMEM_resource_ioreq_server). domid must
 * not be the caller's own domain (dm_op refuses it).
 */
int ioreq_xen_open(uint16_t domid, struct ioreq_xen **out, struct vt_err *err);
/* Enable the server, then bind one event channel per vCPU (vp_eport is valid only once enabled). */
int ioreq_xen_enable(struct ioreq_xen *x, struct vt_err *err);
struct shared_iopage *ioreq_xen_page(const struct ioreq_xen *x);
unsigned ioreq_xen_nvcpu(const struct ioreq_xen *x);
unsigned ioreq_xen_id(const struct ioreq_xen *x);
/* Is the domain still running (not dying, not shut down)? 1, 0, or -errno. */
int ioreq_xen_alive(struct ioreq_xen *x);
/*
 * Reserved device memory as Xen reports it (xc_reserved_device_memory_map):
 * all of it (sbdf == UINT32_MAX), or what one device's scope names. On Xen
 * dom0 cannot read the DMAR itself: this is where RMRRs come from. *out is
 * malloc'd ranges in bytes, inclusive.
 */
int ioreq_xen_rdm(struct ioreq_xen *x, uint32_t sbdf, struct vt_range **out, size_t *n);
/* Unbind the ports and disable the server: no more requests (teardown, step 1). */
void ioreq_xen_disable(struct ioreq_xen *x);
/*
 * Teardown, the rest in reverse order (after ioreq_server_unclaim): unmap
 * every 1:1 mapping this backend made (the mapper's own state is not
 * consulted: this is the backend's record of its successful calls), unmap
 * the page, destroy the server, close the handles. Disables first if that
 * was not done. Safe on a partly opened backend.
 */
void ioreq_xen_close(struct ioreq_xen *x);
/* Frames [first, last] are never unmapped, not even at close (the platform's RMRRs). */
int ioreq_xen_keep(struct ioreq_xen *x, uint64_t first, uint64_t last);
/* 1:1 mappings: iomem/ioport permission, then memory/ioport mapping with gfn == mfn. */
extern const struct map_ops map_ops_xen;
extern const struct ioreq_claim_ops ioreq_claim_xen;
extern const struct ioreq_port_ops ioreq_port_xen;

/* ------------------------------------------------------------------ */
/* The simulated hypervisor.                                           */

struct ioreq_sim;
struct ioreq_sim_evtchn;

/* One guest domain with nvcpu vCPUs (<= IOREQ_MAX_VCPUS). NULL on ENOMEM/EINVAL. */
struct ioreq_sim *ioreq_sim_create(uint16_t domid, unsigned nvcpu);
void ioreq_sim_destroy(struct ioreq_sim *sim);
/* How long a vCPU waits for its answer before giving up (ms; default 5000). */
void ioreq_sim_set_timeout(struct ioreq_sim *sim, int ms);

/*
 * Hypervisor calls, checked as Xen checks them: 0 or -errno. domid 0 is
 * the caller itself (-EPERM: dm_op needs a remote domain), another unknown
 * domid is -ESRCH. Every call is logged (ioreq_sim_log_*).
 */
int ioreq_sim_domain_info(struct ioreq_sim *sim, uint16_t domid, unsigned *nvcpu);
int ioreq_sim_server_create(struct ioreq_sim *sim, uint16_t domid, int bufioreq, uint16_t *id);
int ioreq_sim_server_destroy(struct ioreq_sim *sim, uint16_t domid, uint16_t id);
int ioreq_sim_server_enable(struct ioreq_sim *sim, uint16_t domid, uint16_t id, bool on);
/* The ioreq page (resource frame XENMEM_resource_ioreq_server_frame_ioreq(0) == 1). */
int ioreq_sim_server_page(struct ioreq_sim *sim, uint16_t domid, uint16_t id, unsigned long frame,
			  unsigned long nr, struct shared_iopage **page);
int ioreq_sim_server_unpage(struct ioreq_sim *sim, uint16_t domid, uint16_t id);
int ioreq_sim_claim(struct ioreq_sim *sim, uint16_t domid, uint16_t id, enum ioreq_claim_kind kind,
		    uint64_t first, uint64_t last, bool map);
int ioreq_sim_iomem_permission(struct ioreq_sim *sim, uint16_t domid, uint64_t first, uint64_t nr,
			       bool allow);
int ioreq_sim_memory_mapping(struct ioreq_sim *sim, uint16_t domid, uint64_t gfn, uint64_t mfn,
			     uint64_t nr, bool add);
int ioreq_sim_ioport_permission(struct ioreq_sim *sim, uint16_t domid, uint32_t first, uint32_t nr,
				bool allow);
int ioreq_sim_ioport_mapping(struct ioreq_sim *sim, uint16_t domid, uint32_t gport, uint32_t mport,
			     uint32_t nr, bool add);

/* Event channels, with the Linux evtchn device's semantics: a delivered port stays masked until unmasked. */
struct ioreq_sim_evtchn *ioreq_sim_evtchn_open(struct ioreq_sim *sim);
int ioreq_sim_evtchn_close(struct ioreq_sim_evtchn *h);
int ioreq_sim_evtchn_fd(struct ioreq_sim_evtchn *h);
/* Bind to the guest's port (vp_eport): the local port, or -errno. */
int ioreq_sim_evtchn_bind(struct ioreq_sim_evtchn *h, uint16_t domid, uint32_t remote);
int ioreq_sim_evtchn_unbind(struct ioreq_sim_evtchn *h, uint32_t port);
/* A pending port, or -EAGAIN (never blocks). */
int ioreq_sim_evtchn_pending(struct ioreq_sim_evtchn *h);
int ioreq_sim_evtchn_unmask(struct ioreq_sim_evtchn *h, uint32_t port);
int ioreq_sim_evtchn_notify(struct ioreq_sim_evtchn *h, uint32_t port);

/*
 * The guest: vCPU vcpu performs one access and waits for it (up to the
 * timeout: -ETIMEDOUT, and the vCPU stays stuck, -EBUSY after). Routed as
 * Xen routes it: a 4-byte write to 0xcf8 latches the domain's CONFIG_ADDRESS
 * (hvm_access_cf8) and still goes on; 0xcfc-0xcff with the enable bit set
 * becomes IOREQ_TYPE_PCI_CONFIG for the server that claimed the SBDF
 * (arch_ioreq_server_get_type_addr); otherwise a claimed port/range goes to
 * its server; a 1:1 mapped frame or port reaches the "device" (reads
 * IOREQ_SIM_MEM_MARK/IOREQ_SIM_IO_MARK); anything else reads all ones.
 * A `cfg` access is delivered as PCI_CONFIG as if decoded from cf8/cfc.
 */
int ioreq_sim_pio(struct ioreq_sim *sim, unsigned vcpu, bool write, uint16_t port, unsigned size,
		  uint32_t *val);
int ioreq_sim_mmio(struct ioreq_sim *sim, unsigned vcpu, bool write, uint64_t addr, unsigned size,
		   uint64_t *val);
int ioreq_sim_cfg(struct ioreq_sim *sim, unsigned vcpu, bool write, uint32_t sbdf, unsigned reg,
		  unsigned size, uint32_t *val);
/* Send req as given (malformed ones too) to the first enabled server; *data: the answer. */
int ioreq_sim_raw(struct ioreq_sim *sim, unsigned vcpu, const struct ioreq *req, uint64_t *data);
/* Raise a notification for vcpu's port without a request (a spurious event). */
int ioreq_sim_kick(struct ioreq_sim *sim, unsigned vcpu);
/* IOREQ_TYPE_INVALIDATE to every enabled server, as send_invalidate_ioreq() broadcasts it. */
int ioreq_sim_invalidate(struct ioreq_sim *sim, unsigned vcpu);

#define IOREQ_SIM_MEM_MARK(addr) (0x4d000000u | (uint32_t)(((addr) >> 12) & 0xffffff))
#define IOREQ_SIM_IO_MARK(port)  (0x10000000u | (uint32_t)(port))

/* What the hypervisor holds now, for leak and misuse checks. */
struct ioreq_sim_state {
	unsigned servers, enabled, pages, handles, bound;
	uint64_t p2m_pages, iomem_perm_pages, io_perm_ports, io_mapped_ports;
	unsigned long nonidentity;  /* mappings with gfn != mfn */
	unsigned long double_maps;  /* pages mapped while already mapped */
	unsigned long bad_unmaps;   /* pages unmapped that were not mapped */
	unsigned long lost_events;  /* notifications to an unbound port */
	unsigned long timeouts;     /* vCPU waits that gave up */
};
void ioreq_sim_state(struct ioreq_sim *sim, struct ioreq_sim_state *st);

/* The call log: one line per hypervisor or library call, "name(args) = rc". */
void ioreq_sim_logf(struct ioreq_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t ioreq_sim_log_count(struct ioreq_sim *sim);
/* The i-th line (valid until the sim is destroyed). */
const char *ioreq_sim_log_line(struct ioreq_sim *sim, size_t i);
/* First line at or after from starting with prefix; -1 if none. */
long ioreq_sim_log_find(struct ioreq_sim *sim, const char *prefix, size_t from);

/*
 * The server side over the sim without Xen libraries (serve --sim): the
 * same steps as the Xen backend, as direct sim calls.
 */
struct ioreq_simport;
int ioreq_simport_open(struct ioreq_sim *sim, uint16_t domid, struct ioreq_simport **out);
int ioreq_simport_enable(struct ioreq_simport *p);
void ioreq_simport_disable(struct ioreq_simport *p);
struct shared_iopage *ioreq_simport_page(const struct ioreq_simport *p);
unsigned ioreq_simport_nvcpu(const struct ioreq_simport *p);
void ioreq_simport_close(struct ioreq_simport *p);
extern const struct map_ops map_ops_sim;
extern const struct ioreq_claim_ops ioreq_claim_sim;
extern const struct ioreq_port_ops ioreq_port_sim;

/*
 * A guest that plays a trace's accesses from nvcpu threads. Accesses are
 * grouped as an OS issues them: a 4-byte write to 0xcf8 and the data-port
 * accesses after it form one transaction (Linux holds pci_config_lock over
 * the pair); every other access is its own. Transaction t runs on vCPU
 * t % nvcpu, in trace order, except that consecutive lone reads of ECAM or
 * `cfg` (no side effects) are issued concurrently, and a transaction with
 * a write waits until every earlier read has been answered.
 */
struct ioreq_sim_access {
	struct vt_rec rec;      /* VT_REC_PIO, VT_REC_MMIO or VT_REC_CFG */
	unsigned long line;     /* in the trace, for messages */
};
struct ioreq_sim_result {
	unsigned long done;        /* accesses performed */
	unsigned long mismatches;  /* reads that differed from the trace's value */
	unsigned long errors;      /* accesses that failed (timeouts, stuck vCPUs) */
};
struct ioreq_sim_guest;
/* Starts the threads; done_fd (if >= 0) gets an 8-byte write when the last finishes. */
int ioreq_sim_guest_start(struct ioreq_sim *sim, const struct ioreq_sim_access *acc, size_t n,
			  unsigned nvcpu, int done_fd, FILE *log, struct ioreq_sim_guest **out);
/* Have all threads finished? */
bool ioreq_sim_guest_done(struct ioreq_sim_guest *g);
/* Stop issuing: each thread finishes the access in flight and returns. */
void ioreq_sim_guest_abort(struct ioreq_sim_guest *g);
/* Join the threads and free; the result of the run. */
void ioreq_sim_guest_join(struct ioreq_sim_guest *g, struct ioreq_sim_result *res);

#endif
