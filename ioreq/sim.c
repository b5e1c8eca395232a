/*
 * ioreq/sim.c - a simulated hypervisor for one guest domain: ioreq
 * servers, their claims, iomem/ioport permissions and 1:1 mappings, with
 * the checks Xen 4.17 makes and the errors it returns, and a log of every
 * call so that tests can check what a backend did, in which order, with
 * which arguments.
 *
 * Facts reproduced (Xen 4.17):
 *  - dm_op needs a remote domain (rcu_lock_remote_domain_by_id: the caller
 *    cannot target itself; domid 0 is "self" here).
 *  - ioreq_server_create: at most MAX_NR_IOREQ_SERVERS; the ioreq page is
 *    zeroed and vp_eport is written only when the server is enabled
 *    (ioreq_server_enable -> ioreq_update_evtchn).
 *  - claims: one rangeset per kind limited to MAX_NR_IO_RANGES (256);
 *    mapping an overlapping range is -EEXIST, unmapping what is not wholly
 *    claimed is -ENOENT, exceeding the limit -ENOMEM.
 *  - XEN_DOMCTL_memory_mapping needs iomem permission for the target domain
 *    on the machine frames (-EPERM), for add and remove alike, so removal
 *    must come before revoking (the lab saw exactly that EPERM).
 *  - XEN_DOMCTL_ioport_mapping grants/revokes the target's permission itself.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim.h"

void ioreq_sim_logf(struct ioreq_sim *sim, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	char *line;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line = strdup(buf);
	if (!line)
		return;
	pthread_mutex_lock(&sim->log_lock);
	if (sim->nlog == sim->caplog) {
		size_t cap = sim->caplog ? sim->caplog * 2 : 64;
		char **p = realloc(sim->log, cap * sizeof(*p));

		if (!p) {
			pthread_mutex_unlock(&sim->log_lock);
			free(line);
			return;
		}
		sim->log = p;
		sim->caplog = cap;
	}
	sim->log[sim->nlog++] = line;
	pthread_mutex_unlock(&sim->log_lock);
}

size_t ioreq_sim_log_count(struct ioreq_sim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->log_lock);
	n = sim->nlog;
	pthread_mutex_unlock(&sim->log_lock);
	return n;
}

const char *ioreq_sim_log_line(struct ioreq_sim *sim, size_t i)
{
	const char *l = NULL;

	pthread_mutex_lock(&sim->log_lock);
	if (i < sim->nlog)
		l = sim->log[i];
	pthread_mutex_unlock(&sim->log_lock);
	return l;
}

long ioreq_sim_log_find(struct ioreq_sim *sim, const char *prefix, size_t from)
{
	long found = -1;

	pthread_mutex_lock(&sim->log_lock);
	for (size_t i = from; i < sim->nlog && found < 0; i++)
		if (!strncmp(sim->log[i], prefix, strlen(prefix)))
			found = (long)i;
	pthread_mutex_unlock(&sim->log_lock);
	return found;
}

struct ioreq_sim *ioreq_sim_create(uint16_t domid, unsigned nvcpu)
{
	struct ioreq_sim *sim;

	if (!nvcpu || nvcpu > IOREQ_MAX_VCPUS || !domid)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->vcpu = calloc(nvcpu, sizeof(*sim->vcpu));
	if (!sim->vcpu) {
		free(sim);
		return NULL;
	}
	pthread_mutex_init(&sim->lock, NULL);
	pthread_mutex_init(&sim->log_lock, NULL);
	sim->domid = domid;
	sim->nvcpu = nvcpu;
	sim->timeout_ms = 5000;
	sim->next_port = 1; /* 0 is never a valid event channel */
	for (unsigned v = 0; v < nvcpu; v++)
		sim->vcpu[v].efd = -1;
	for (unsigned v = 0; v < nvcpu; v++) {
		sim->vcpu[v].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (sim->vcpu[v].efd < 0) {
			ioreq_sim_destroy(sim);
			return NULL;
		}
	}
	ioreq_rs_init(&sim->iomem_perm, 0);
	ioreq_rs_init(&sim->p2m, 0);
	ioreq_rs_init(&sim->io_perm, 0);
	ioreq_rs_init(&sim->io_map, 0);
	return sim;
}

void ioreq_sim_destroy(struct ioreq_sim *sim)
{
	if (!sim)
		return;
	for (unsigned v = 0; v < sim->nvcpu; v++)
		if (sim->vcpu[v].efd >= 0)
			close(sim->vcpu[v].efd);
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		free(sim->srv[i].page);
		free(sim->srv[i].gport);
		for (int k = 0; k < IOREQ_CLAIM_KINDS; k++)
			ioreq_rs_free(&sim->srv[i].range[k]);
	}
	ioreq_rs_free(&sim->iomem_perm);
	ioreq_rs_free(&sim->p2m);
	ioreq_rs_free(&sim->io_perm);
	ioreq_rs_free(&sim->io_map);
	for (size_t i = 0; i < sim->nlog; i++)
		free(sim->log[i]);
	free(sim->log);
	free(sim->vcpu);
	pthread_mutex_destroy(&sim->lock);
	pthread_mutex_destroy(&sim->log_lock);
	free(sim);
}

void ioreq_sim_set_timeout(struct ioreq_sim *sim, int ms)
{
	sim->timeout_ms = ms;
}

void ioreq_sim_state(struct ioreq_sim *sim, struct ioreq_sim_state *st)
{
	pthread_mutex_lock(&sim->lock);
	*st = sim->st;
	st->servers = st->enabled = st->bound = 0;
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		st->servers += sim->srv[i].used;
		st->enabled += sim->srv[i].used && sim->srv[i].enabled;
	}
	for (int i = 0; i < SIM_MAX_BINDS; i++)
		st->bound += sim->bind[i].used;
	st->pages = sim->pages;
	st->handles = sim->handles;
	st->p2m_pages = ioreq_rs_weight(&sim->p2m, 0, UINT64_MAX);
	st->iomem_perm_pages = ioreq_rs_weight(&sim->iomem_perm, 0, UINT64_MAX);
	st->io_perm_ports = ioreq_rs_weight(&sim->io_perm, 0, UINT64_MAX);
	st->io_mapped_ports = ioreq_rs_weight(&sim->io_map, 0, UINT64_MAX);
	pthread_mutex_unlock(&sim->lock);
}

int sim_dom_check(const struct ioreq_sim *sim, uint16_t domid)
{
	if (domid == 0)
		return -EPERM;
	return domid == sim->domid ? 0 : -ESRCH;
}

static struct sim_server *sim_server(struct ioreq_sim *sim, uint16_t id)
{
	for (int i = 0; i < SIM_MAX_SERVERS; i++)
		if (sim->srv[i].used && sim->srv[i].id == id)
			return &sim->srv[i];
	return NULL;
}

struct sim_server *sim_server_for(struct ioreq_sim *sim, enum ioreq_claim_kind kind, uint64_t first,
				  uint64_t last)
{
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		struct sim_server *s = &sim->srv[i];

		if (s->used && s->enabled && ioreq_rs_contains(&s->range[kind], first, last))
			return s;
	}
	return NULL;
}

bool sim_port_owner(struct ioreq_sim *sim, uint32_t remote, struct sim_server **out, unsigned *vcpu)
{
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		struct sim_server *s = &sim->srv[i];

		if (!s->used || !s->gport)
			continue;
		for (unsigned v = 0; v < sim->nvcpu; v++) {
			if (s->gport[v] == remote) {
				*out = s;
				*vcpu = v;
				return true;
			}
		}
	}
	return false;
}

int ioreq_sim_domain_info(struct ioreq_sim *sim, uint16_t domid, unsigned *nvcpu)
{
	int rc = domid == sim->domid ? 0 : -ESRCH; /* getinfo may name dom0 too; we know only one */

	if (!rc)
		*nvcpu = sim->nvcpu;
	ioreq_sim_logf(sim, "xc_domain_getinfo(%u) = %d vcpus=%u", domid, rc, rc ? 0 : sim->nvcpu);
	return rc;
}

/* A slot for a new server: its page, its guest ports. */
static int sim_server_new(struct ioreq_sim *sim, struct sim_server **out)
{
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		struct sim_server *s = &sim->srv[i];

		if (s->used)
			continue;
		if (!s->page) {
			s->page = aligned_alloc(IOREQ_PAGE_SIZE, IOREQ_PAGE_SIZE);
			s->gport = calloc(sim->nvcpu, sizeof(*s->gport));
			if (!s->page || !s->gport)
				return -ENOMEM;
		}
		memset(s->page, 0, IOREQ_PAGE_SIZE);
		for (unsigned v = 0; v < sim->nvcpu; v++)
			s->gport[v] = sim->next_port++;
		for (int k = 0; k < IOREQ_CLAIM_KINDS; k++) {
			ioreq_rs_free(&s->range[k]);
			ioreq_rs_init(&s->range[k], IOREQ_MAX_RANGES);
		}
		s->used = true;
		s->enabled = s->page_mapped = false;
		s->id = (uint16_t)i;
		*out = s;
		return 0;
	}
	return -ENOSPC;
}

int ioreq_sim_server_create(struct ioreq_sim *sim, uint16_t domid, int bufioreq, uint16_t *id)
{
	struct sim_server *s = NULL;
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	/* HVM_IOREQSRV_BUFIOREQ_OFF only: the sim has no buffered ring. */
	if (!rc && bufioreq != 0)
		rc = -EOPNOTSUPP;
	if (!rc)
		rc = sim_server_new(sim, &s);
	if (!rc)
		*id = s->id;
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xendevicemodel_create_ioreq_server(%u, %d) = %d id=%d", domid, bufioreq,
		       rc, rc ? -1 : s->id);
	return rc;
}

int ioreq_sim_server_destroy(struct ioreq_sim *sim, uint16_t domid, uint16_t id)
{
	struct sim_server *s;
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	s = rc ? NULL : sim_server(sim, id);
	if (!rc && !s)
		rc = -ENOENT;
	if (s) {
		s->used = s->enabled = false;
		/* The guest ports go with the server (free_xen_event_channel). */
		memset(s->gport, 0, sim->nvcpu * sizeof(*s->gport));
	}
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xendevicemodel_destroy_ioreq_server(%u, %u) = %d", domid, id, rc);
	return rc;
}

int ioreq_sim_server_enable(struct ioreq_sim *sim, uint16_t domid, uint16_t id, bool on)
{
	struct sim_server *s;
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	s = rc ? NULL : sim_server(sim, id);
	if (!rc && !s)
		rc = -ENOENT;
	if (s) {
		s->enabled = on;
		for (unsigned v = 0; on && v < sim->nvcpu; v++)
			ioreq_abi_slot(s->page, v)->vp_eport = s->gport[v];
	}
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xendevicemodel_set_ioreq_server_state(%u, %u, %d) = %d", domid, id, on, rc);
	return rc;
}

int ioreq_sim_server_page(struct ioreq_sim *sim, uint16_t domid, uint16_t id, unsigned long frame,
			  unsigned long nr, struct shared_iopage **page)
{
	struct sim_server *s;
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	s = rc ? NULL : sim_server(sim, id);
	if (!rc && !s)
		rc = -ENOENT;
	/* Frame 0 is the buffered page (none here), 1 the synchronous one: XENMEM_resource_ioreq_server_frame_ioreq(0). */
	if (!rc && (frame != 1 || nr != 1))
		rc = -EINVAL;
	if (!rc) {
		if (!s->page_mapped)
			sim->pages++;
		s->page_mapped = true;
		*page = s->page;
	}
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xenforeignmemory_map_resource(%u, %u, %u, %lu, %lu) = %d", domid,
		       0u /* XENMEM_resource_ioreq_server */, id, frame, nr, rc);
	return rc;
}

int ioreq_sim_server_unpage(struct ioreq_sim *sim, uint16_t domid, uint16_t id)
{
	int rc = 0;

	pthread_mutex_lock(&sim->lock);
	/* The page may outlive its server (a resource mapping holds its own reference). */
	if (id >= SIM_MAX_SERVERS || !sim->srv[id].page_mapped)
		rc = -ENOENT;
	else {
		sim->srv[id].page_mapped = false;
		sim->pages--;
	}
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xenforeignmemory_unmap_resource(%u, %u) = %d", domid, id, rc);
	return rc;
}

static int sim_claim_locked(struct ioreq_sim *sim, uint16_t domid, uint16_t id,
			    enum ioreq_claim_kind kind, uint64_t first, uint64_t last, bool map)
{
	struct sim_server *s;
	struct ioreq_rs *r;
	int rc = sim_dom_check(sim, domid);

	if (rc)
		return rc;
	s = sim_server(sim, id);
	if (!s)
		return -ENOENT;
	if (first > last || kind >= IOREQ_CLAIM_KINDS || (kind == IOREQ_CLAIM_PORT && last > 0xffff))
		return -EINVAL;
	r = &s->range[kind];
	if (map)
		return ioreq_rs_overlaps(r, first, last) ? -EEXIST : ioreq_rs_add(r, first, last);
	return ioreq_rs_contains(r, first, last) ? ioreq_rs_remove(r, first, last) : -ENOENT;
}

int ioreq_sim_claim(struct ioreq_sim *sim, uint16_t domid, uint16_t id, enum ioreq_claim_kind kind,
		    uint64_t first, uint64_t last, bool map)
{
	int rc;
	char a[16];

	pthread_mutex_lock(&sim->lock);
	rc = sim_claim_locked(sim, domid, id, kind, first, last, map);
	pthread_mutex_unlock(&sim->lock);
	if (kind == IOREQ_CLAIM_PCI && first == last)
		ioreq_sim_logf(sim, "xendevicemodel_%s_pcidev_%s_ioreq_server(%u, %u, %s) = %d",
			       map ? "map" : "unmap", map ? "to" : "from", domid, id,
			       vt_fmt_sbdf((uint32_t)first, a), rc);
	else
		ioreq_sim_logf(sim, "xendevicemodel_%s_io_range_%s_ioreq_server(%u, %u, %s, 0x%llx, 0x%llx) = %d",
			       map ? "map" : "unmap", map ? "to" : "from", domid, id,
			       ioreq_claim_name(kind), (unsigned long long)first,
			       (unsigned long long)last, rc);
	return rc;
}

int ioreq_sim_iomem_permission(struct ioreq_sim *sim, uint16_t domid, uint64_t first, uint64_t nr,
			       bool allow)
{
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	if (!rc && (!nr || first + nr - 1 < first))
		rc = -EINVAL;
	if (!rc)
		rc = allow ? ioreq_rs_add(&sim->iomem_perm, first, first + nr - 1)
			   : ioreq_rs_remove(&sim->iomem_perm, first, first + nr - 1);
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xc_domain_iomem_permission(%u, 0x%llx, 0x%llx, %d) = %d", domid,
		       (unsigned long long)first, (unsigned long long)nr, allow, rc);
	return rc;
}

static int sim_mapping_locked(struct ioreq_sim *sim, uint16_t domid, uint64_t gfn, uint64_t mfn,
			      uint64_t nr, bool add)
{
	int rc = sim_dom_check(sim, domid);
	uint64_t have;

	if (rc)
		return rc;
	if (!nr || mfn + nr - 1 < mfn || gfn + nr - 1 < gfn)
		return -EINVAL;
	if (!ioreq_rs_contains(&sim->iomem_perm, mfn, mfn + nr - 1))
		return -EPERM;
	if (gfn != mfn)
		sim->st.nonidentity++;
	have = ioreq_rs_weight(&sim->p2m, gfn, gfn + nr - 1);
	if (add) {
		sim->st.double_maps += have;
		return ioreq_rs_add(&sim->p2m, gfn, gfn + nr - 1);
	}
	sim->st.bad_unmaps += nr - have;
	return ioreq_rs_remove(&sim->p2m, gfn, gfn + nr - 1);
}

int ioreq_sim_memory_mapping(struct ioreq_sim *sim, uint16_t domid, uint64_t gfn, uint64_t mfn,
			     uint64_t nr, bool add)
{
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_mapping_locked(sim, domid, gfn, mfn, nr, add);
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xc_domain_memory_mapping(%u, 0x%llx, 0x%llx, 0x%llx, %d) = %d", domid,
		       (unsigned long long)gfn, (unsigned long long)mfn, (unsigned long long)nr, add,
		       rc);
	return rc;
}

int ioreq_sim_ioport_permission(struct ioreq_sim *sim, uint16_t domid, uint32_t first, uint32_t nr,
				bool allow)
{
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	if (!rc && (!nr || first + nr > 0x10000))
		rc = -EINVAL;
	if (!rc)
		rc = allow ? ioreq_rs_add(&sim->io_perm, first, first + nr - 1)
			   : ioreq_rs_remove(&sim->io_perm, first, first + nr - 1);
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xc_domain_ioport_permission(%u, 0x%x, 0x%x, %d) = %d", domid, first, nr,
		       allow, rc);
	return rc;
}

int ioreq_sim_ioport_mapping(struct ioreq_sim *sim, uint16_t domid, uint32_t gport, uint32_t mport,
			     uint32_t nr, bool add)
{
	int rc;

	pthread_mutex_lock(&sim->lock);
	rc = sim_dom_check(sim, domid);
	if (!rc && (!nr || gport + nr > 0x10000 || mport + nr > 0x10000))
		rc = -EINVAL;
	if (!rc && gport != mport)
		sim->st.nonidentity++;
	if (!rc && add) {
		sim->st.double_maps += ioreq_rs_weight(&sim->io_map, gport, gport + nr - 1);
		rc = ioreq_rs_add(&sim->io_map, gport, gport + nr - 1);
		/* XEN_DOMCTL_ioport_mapping: ioports_permit_access(d, ...) itself. */
		if (!rc)
			rc = ioreq_rs_add(&sim->io_perm, mport, mport + nr - 1);
	} else if (!rc) {
		sim->st.bad_unmaps += nr - ioreq_rs_weight(&sim->io_map, gport, gport + nr - 1);
		rc = ioreq_rs_remove(&sim->io_map, gport, gport + nr - 1);
		if (!rc)
			rc = ioreq_rs_remove(&sim->io_perm, mport, mport + nr - 1);
	}
	pthread_mutex_unlock(&sim->lock);
	ioreq_sim_logf(sim, "xc_domain_ioport_mapping(%u, 0x%x, 0x%x, 0x%x, %d) = %d", domid, gport,
		       mport, nr, add, rc);
	return rc;
}
