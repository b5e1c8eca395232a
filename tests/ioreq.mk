# tests: ioreq (owned by the ioreq work)
check_PROGRAMS += test_ioreq
TESTS += test_ioreq
test_ioreq_SOURCES = test_ioreq.c test_ioreq_rs.c test_ioreq_sim.c test_ioreq_xen.c test_ioreq_cli.c ioreq_test.h $(CORE_TEST_UTIL)
test_ioreq_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -pthread
# The Xen backend (xen.o in libvtioreq.a) is linked against libxensim.a,
# never the real libraries: the test drives the real backend code over the
# simulated hypervisor.
test_ioreq_LDADD = ../ioreq/libvtioreq.a
if HAVE_XEN
test_ioreq_LDADD += ../ioreq/libxensim.a ../ioreq/libvtioreq.a
endif
test_ioreq_LDADD += $(TEST_LIBS) -lpthread
