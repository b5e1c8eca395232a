# tests: acpi (DMAR/IVRS parsing, memmap and ACPI platform discovery)
check_PROGRAMS += test_acpi
TESTS += test_acpi
test_acpi_SOURCES = test_acpi.c test_acpi_platform.c $(CORE_TEST_UTIL)
test_acpi_LDADD = $(TEST_LIBS)
