# ioreq server sources (owned by the ioreq work).
# libvtioreq.a: the server core, the request loop, the simulated hypervisor
# and, when configure found Xen, the Xen backend. libxensim.a: the Xen
# library entry points over the simulated hypervisor, linked by tests in
# place of the real libraries (needs the Xen headers, so HAVE_XEN only).
noinst_LIBRARIES = libvtioreq.a
libvtioreq_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -pthread
libvtioreq_a_SOURCES = \
	ioreq.h \
	abi.h \
	private.h \
	sim.h \
	rangeset.c \
	server.c \
	claims.c \
	loop.c \
	sim.c \
	sim_evtchn.c \
	sim_guest.c \
	sim_trace.c \
	simport.c
EXTRA_DIST = xen.c xensim.c xensim.h

if HAVE_XEN
libvtioreq_a_SOURCES += xen.c
noinst_LIBRARIES += libxensim.a
libxensim_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -pthread
libxensim_a_SOURCES = \
	xensim.h \
	xensim.c
endif
