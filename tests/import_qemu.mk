# tests: import_qemu
