/*
 * ioreq/loop.c - the slot protocol and the request loop.
 *
 * Per vCPU, Xen writes a request into its slot, a write barrier, then
 * state = STATE_IOREQ_READY, and notifies the vCPU's event channel
 * (ioreq_send, xen/common/ioreq.c). The device model, as QEMU does it
 * (cpu_get_ioreq, cpu_handle_ioreq in hw/xen/xen-hvm-common.c): take the
 * pending port, unmask it, find the vCPU; if the slot is READY, read
 * barrier, state = INPROCESS, handle, write the answer, write barrier,
 * state = STATE_IORESP_READY, notify the port. The vCPU then reads the
 * answer and sets STATE_IOREQ_NONE itself (ioreq_complete / hvm_wait_for_io).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <poll.h>

#include "abi.h"
#include "private.h"

int ioreq_slot_serve(struct ioreq_server *s, struct ioreq *slot)
{
	struct ioreq req;

	if (ioreq_abi_state(slot) != STATE_IOREQ_READY)
		return 0;
	/* See READY, then read the request. */
	ioreq_abi_rmb();
	req = *slot;
	ioreq_abi_set_state(slot, STATE_IOREQ_INPROCESS);
	ioreq_server_handle(s, &req);
	/* Only a read's data is an answer; a pointer's target is never written. */
	if (req.dir == IOREQ_READ && !req.data_is_ptr)
		slot->data = req.data;
	/* Write the answer, then the state that publishes it. */
	ioreq_abi_wmb();
	ioreq_abi_set_state(slot, STATE_IORESP_READY);
	return 1;
}

static int loop_serve_vcpu(struct ioreq_loop *lp, unsigned v)
{
	if (!ioreq_slot_serve(lp->srv, ioreq_abi_slot(lp->page, v))) {
		/* A notification without a READY slot: already served by a scan, or spurious. */
		lp->srv->st.not_ready++;
		return 0;
	}
	return lp->ops->notify(lp->ctx, v);
}

int ioreq_loop_scan(struct ioreq_loop *lp)
{
	for (unsigned v = 0; v < lp->nvcpu; v++) {
		if (ioreq_slot_serve(lp->srv, ioreq_abi_slot(lp->page, v))) {
			int rc = lp->ops->notify(lp->ctx, v);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int ioreq_loop_run(struct ioreq_loop *lp)
{
	struct pollfd pfd[2];
	nfds_t nfd = lp->stop_fd >= 0 ? 2 : 1;

	pfd[0].fd = lp->ops->fd(lp->ctx);
	pfd[0].events = POLLIN;
	pfd[1].fd = lp->stop_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		unsigned v;
		int rc = poll(pfd, nfd, lp->idle && lp->idle_ms > 0 ? lp->idle_ms : -1);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0) {
			rc = lp->idle(lp->ctx);
			if (rc)
				return rc < 0 ? rc : ioreq_loop_scan(lp);
			continue;
		}
		if (nfd == 2 && pfd[1].revents) {
			/* Answer what is in flight: a vCPU left waiting would hang. */
			return ioreq_loop_scan(lp);
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			return -EIO;
		if (!(pfd[0].revents & POLLIN))
			continue;
		rc = lp->ops->pending(lp->ctx, &v);
		if (rc == -EAGAIN)
			continue;
		if (rc < 0)
			return rc;
		if (v >= lp->nvcpu)
			continue;
		rc = loop_serve_vcpu(lp, v);
		if (rc)
			return rc;
	}
}
