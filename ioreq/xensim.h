/*
 * ioreq/xensim.h - libxensim.a: the Xen library entry points the backend
 * calls (libxenctrl, libxendevicemodel, libxenforeignmemory, libxenevtchn),
 * implemented over the simulated hypervisor. Linked instead of the real
 * libraries, it runs ioreq/xen.c unchanged: the backend's calls, their
 * order and their arguments land in the sim's call log, and the sim fails
 * them as Xen would. Built only where the Xen headers are, since it
 * defines the functions with their real prototypes.
 */
#ifndef VT_IOREQ_XENSIM_H
#define VT_IOREQ_XENSIM_H

#include "ioreq.h"

/* The hypervisor behind every handle opened from now on (NULL: none, opens fail with ENOENT). */
void xensim_attach(struct ioreq_sim *sim);
/* Reserved device memory: a range and the device its scope names (UINT32_MAX: no device). */
int xensim_add_rdm(const struct vt_range *r, uint32_t sbdf);
void xensim_clear_rdm(void);
/* Make the next call of function name fail with errno err (one shot). */
void xensim_fail_next(const char *name, int err);

#endif
