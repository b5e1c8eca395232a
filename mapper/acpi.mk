# ACPI DMAR/IVRS and platform discovery sources (owned by the ACPI work).
libvtmapper_a_SOURCES += \
	acpi.h \
	acpi.c \
	platform.h \
	platform.c
