# vpcitrap serve / snapshot (owned by the ioreq work).
vpcitrap_SOURCES += \
	serve.h \
	cmd_serve.c \
	serve_machine.c \
	serve_run.c \
	cmd_snapshot.c
# libvtioreq.a sits above the core libraries: they are listed again after it.
vpcitrap_LDADD += ../ioreq/libvtioreq.a $(VT_LIBS) $(LIBPCI_LIBS) -lpthread
if HAVE_XEN
vpcitrap_LDADD += $(XEN_LIBS)
endif
