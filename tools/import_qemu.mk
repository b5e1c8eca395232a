# vpcitrap import-qemu (docs/import-qemu.md)
vpcitrap_SOURCES += \
	import_qemu.h \
	import_qemu.c \
	import_qemu_log.c \
	import_qemu_run.c \
	import_qemu_dev.c \
	import_qemu_finish.c \
	import_qemu_emit.c \
	import_qemu_window.c
