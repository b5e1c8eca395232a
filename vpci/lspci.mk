# lspci dump parsing sources.
libvpci_a_SOURCES += lspci.c lspci_topo.c
