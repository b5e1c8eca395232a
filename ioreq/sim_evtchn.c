/*
 * ioreq/sim_evtchn.c - event channels as the Linux evtchn device presents
 * them (drivers/xen/evtchn.c, tools/libs/evtchn): a handle is one file
 * descriptor, readable while ports are queued; reading takes one port and
 * the port stays masked until the reader unmasks it; an event raised while
 * masked is latched and delivered on unmask. Here the descriptor is a
 * semaphore eventfd (one count per queued port), so a poll() loop sees
 * exactly what it would see on /dev/xen/evtchn.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim.h"

struct ioreq_sim_evtchn *ioreq_sim_evtchn_open(struct ioreq_sim *sim)
{
	struct ioreq_sim_evtchn *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->sim = sim;
	h->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
	if (h->efd < 0) {
		free(h);
		return NULL;
	}
	pthread_mutex_lock(&sim->lock);
	sim->handles++;
	pthread_mutex_unlock(&sim->lock);
	return h;
}

void sim_evtchn_drop(struct ioreq_sim *sim, struct ioreq_sim_evtchn *h)
{
	for (int i = 0; i < SIM_MAX_BINDS; i++)
		if (sim->bind[i].used && sim->bind[i].h == h)
			sim->bind[i].used = false;
}

int ioreq_sim_evtchn_close(struct ioreq_sim_evtchn *h)
{
	struct ioreq_sim *sim;

	if (!h)
		return 0;
	sim = h->sim;
	pthread_mutex_lock(&sim->lock);
	/* Closing the device unbinds what is still bound (evtchn_release). */
	sim_evtchn_drop(sim, h);
	sim->handles--;
	pthread_mutex_unlock(&sim->lock);
	close(h->efd);
	free(h);
	return 0;
}

int ioreq_sim_evtchn_fd(struct ioreq_sim_evtchn *h)
{
	return h->efd;
}

static struct sim_bind *bind_local(struct ioreq_sim *sim, struct ioreq_sim_evtchn *h, uint32_t port)
{
	for (int i = 0; i < SIM_MAX_BINDS; i++)
		if (sim->bind[i].used && sim->bind[i].h == h && sim->bind[i].local == port)
			return &sim->bind[i];
	return NULL;
}

static int bind_locked(struct ioreq_sim_evtchn *h, uint16_t domid, uint32_t remote)
{
	struct ioreq_sim *sim = h->sim;
	struct sim_server *s;
	unsigned v;
	int rc = sim_dom_check(sim, domid);

	if (rc)
		return rc;
	/* Only an unbound guest port offered to us can be bound (evtchn_bind_interdomain: -EINVAL). */
	if (!remote || !sim_port_owner(sim, remote, &s, &v))
		return -EINVAL;
	for (int i = 0; i < SIM_MAX_BINDS; i++)
		if (sim->bind[i].used && sim->bind[i].remote == remote)
			return -EINVAL;
	for (int i = 0; i < SIM_MAX_BINDS; i++) {
		struct sim_bind *b = &sim->bind[i];

		if (b->used)
			continue;
		b->used = true;
		b->masked = b->pending = false;
		b->h = h;
		b->remote = remote;
		b->local = sim->next_port++;
		return (int)b->local;
	}
	return -ENOSPC;
}

int ioreq_sim_evtchn_bind(struct ioreq_sim_evtchn *h, uint16_t domid, uint32_t remote)
{
	int rc;

	pthread_mutex_lock(&h->sim->lock);
	rc = bind_locked(h, domid, remote);
	pthread_mutex_unlock(&h->sim->lock);
	ioreq_sim_logf(h->sim, "xenevtchn_bind_interdomain(%u, %u) = %d", domid, remote, rc);
	return rc;
}

int ioreq_sim_evtchn_unbind(struct ioreq_sim_evtchn *h, uint32_t port)
{
	struct sim_bind *b;
	int rc = 0;

	pthread_mutex_lock(&h->sim->lock);
	b = bind_local(h->sim, h, port);
	if (b)
		b->used = false;
	else
		rc = -EINVAL;
	pthread_mutex_unlock(&h->sim->lock);
	ioreq_sim_logf(h->sim, "xenevtchn_unbind(%u) = %d", port, rc);
	return rc;
}

/* Under the lock: queue the local port and make the descriptor readable. */
static void deliver(struct sim_bind *b)
{
	struct ioreq_sim_evtchn *h = b->h;

	if (b->masked) {
		b->pending = true;
		return;
	}
	if (h->n == SIM_QUEUE) {
		/* The kernel's ring overflowed: the reader sees an error. */
		b->pending = true;
		return;
	}
	b->masked = true;
	h->queue[(h->head + h->n++) % SIM_QUEUE] = b->local;
	eventfd_write(h->efd, 1);
}

void sim_evtchn_guest_notify(struct ioreq_sim *sim, uint32_t remote)
{
	for (int i = 0; i < SIM_MAX_BINDS; i++) {
		if (sim->bind[i].used && sim->bind[i].remote == remote) {
			deliver(&sim->bind[i]);
			return;
		}
	}
	/* An unbound port: the event is lost, as with ECS_UNBOUND in Xen. */
	sim->st.lost_events++;
}

int ioreq_sim_evtchn_pending(struct ioreq_sim_evtchn *h)
{
	eventfd_t one;
	int port = -EAGAIN;

	pthread_mutex_lock(&h->sim->lock);
	if (h->n) {
		port = (int)h->queue[h->head];
		h->head = (h->head + 1) % SIM_QUEUE;
		h->n--;
		eventfd_read(h->efd, &one);
	}
	pthread_mutex_unlock(&h->sim->lock);
	return port;
}

int ioreq_sim_evtchn_unmask(struct ioreq_sim_evtchn *h, uint32_t port)
{
	struct sim_bind *b;
	int rc = 0;

	pthread_mutex_lock(&h->sim->lock);
	b = bind_local(h->sim, h, port);
	if (!b) {
		rc = -EINVAL;
	} else {
		b->masked = false;
		if (b->pending) {
			b->pending = false;
			deliver(b);
		}
	}
	pthread_mutex_unlock(&h->sim->lock);
	return rc;
}

int ioreq_sim_evtchn_notify(struct ioreq_sim_evtchn *h, uint32_t port)
{
	struct ioreq_sim *sim = h->sim;
	struct sim_server *s;
	struct sim_bind *b;
	unsigned v;
	int rc = 0;

	pthread_mutex_lock(&sim->lock);
	b = bind_local(sim, h, port);
	if (!b)
		rc = -EINVAL;
	else if (sim_port_owner(sim, b->remote, &s, &v))
		eventfd_write(sim->vcpu[v].efd, 1);
	else
		sim->st.lost_events++; /* the server went away: nobody listens */
	pthread_mutex_unlock(&sim->lock);
	return rc;
}
