# Real host devices through libpci (owned by the ioreq work): vpci_hw_libpci.
libvpci_a_SOURCES += hw_libpci.c
