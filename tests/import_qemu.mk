# tests: import_qemu - real QEMU/SeaBIOS/Linux boot traces imported and
# replayed (qemu_traces.sh), and the importer's hand-made cases (test_import).
TESTS += qemu_traces.sh
EXTRA_DIST += qemu_traces.sh
check_PROGRAMS += test_import
TESTS += test_import
test_import_SOURCES = test_import.c $(CORE_TEST_UTIL)
test_import_LDADD = $(TEST_LIBS)
# The vpci indirect register windows the importer's SHPC lines rely on.
check_PROGRAMS += test_window
TESTS += test_window
test_window_SOURCES = test_window.c core_util.c core_util.h
test_window_LDADD = $(TEST_LIBS)
