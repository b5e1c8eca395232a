/*
 * ioreq/abi.h - the ioreq ABI shared by Xen and its device models
 * (xen/include/public/hvm/ioreq.h).
 *
 * When configure found the Xen headers we use them, so the layout is the
 * hypervisor's by construction; otherwise (a build without Xen: the
 * simulated hypervisor only) a copy of the same definitions. Either way the
 * static assertions below pin the layout the sim and the server rely on:
 * 32 bytes per request, one request per vCPU in a 4 KiB shared page.
 */
#ifndef VT_IOREQ_ABI_H
#define VT_IOREQ_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef HAVE_XEN_HVM_IOREQ_H
#include <xen/hvm/ioreq.h>
#else
/* Verbatim from Xen 4.17 xen/include/public/hvm/ioreq.h (MIT). */
#define IOREQ_READ  1
#define IOREQ_WRITE 0

#define STATE_IOREQ_NONE      0
#define STATE_IOREQ_READY     1
#define STATE_IOREQ_INPROCESS 2
#define STATE_IORESP_READY    3

#define IOREQ_TYPE_PIO        0 /* pio */
#define IOREQ_TYPE_COPY       1 /* mmio ops */
#define IOREQ_TYPE_PCI_CONFIG 2
#define IOREQ_TYPE_TIMEOFFSET 7
#define IOREQ_TYPE_INVALIDATE 8 /* mapcache */

struct ioreq {
	uint64_t addr;         /* physical address */
	uint64_t data;         /* data (or paddr of data) */
	uint32_t count;        /* for rep prefixes */
	uint32_t size;         /* size in bytes */
	uint32_t vp_eport;     /* evtchn for notifications to/from device model */
	uint16_t _pad0;
	uint8_t state : 4;
	uint8_t data_is_ptr : 1; /* if 1, data above is the guest paddr of the real data */
	uint8_t dir : 1;       /* 1=read, 0=write */
	uint8_t df : 1;
	uint8_t _pad1 : 1;
	uint8_t type;          /* I/O type */
};

struct shared_iopage {
	struct ioreq vcpu_ioreq[1];
};
#endif

_Static_assert(sizeof(struct ioreq) == 32, "struct ioreq is 32 bytes in Xen's ABI");
_Static_assert(offsetof(struct ioreq, data) == 8, "ioreq.data at 8");
_Static_assert(offsetof(struct ioreq, count) == 16, "ioreq.count at 16");
_Static_assert(offsetof(struct ioreq, size) == 20, "ioreq.size at 20");
_Static_assert(offsetof(struct ioreq, vp_eport) == 24, "ioreq.vp_eport at 24");
_Static_assert(offsetof(struct ioreq, type) == 31, "ioreq.type at 31");

#define IOREQ_PAGE_SIZE 4096u
/*
 * Xen 4.17 hands out one synchronous ioreq page per server
 * (XENMEM_resource_ioreq_server_frame_ioreq(0)); get_ioreq() indexes it by
 * vcpu_id, so a server can serve at most this many vCPUs.
 */
#define IOREQ_MAX_VCPUS (IOREQ_PAGE_SIZE / sizeof(struct ioreq))

/*
 * The slot of a vCPU. shared_iopage declares vcpu_ioreq[1]; Xen and QEMU
 * index past it, we do the same through a plain pointer.
 */
static inline struct ioreq *ioreq_abi_slot(struct shared_iopage *page, unsigned vcpu)
{
	return (struct ioreq *)(void *)page + vcpu;
}

/*
 * Barriers of the protocol. Xen (hvm_wait_for_io / ioreq_send) and QEMU
 * (cpu_get_ioreq, cpu_handle_ioreq) use smp_rmb after seeing
 * STATE_IOREQ_READY and before reading the request, smp_wmb after writing
 * the response and before STATE_IORESP_READY. On x86 both are compiler
 * barriers; the C11 fences say the same portably.
 */
#define ioreq_abi_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ioreq_abi_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

static inline unsigned ioreq_abi_state(const struct ioreq *r)
{
	return ((const volatile struct ioreq *)r)->state;
}

static inline void ioreq_abi_set_state(struct ioreq *r, unsigned state)
{
	((volatile struct ioreq *)r)->state = state & 0xf;
}

#endif
