# tests: lspci (real dumps against lspci's own reading, -vvv sizes, malformed dumps)
check_PROGRAMS += test_lspci
TESTS += test_lspci
test_lspci_SOURCES = test_lspci.c test_lspci_cases.c $(CORE_TEST_UTIL)
test_lspci_LDADD = $(TEST_LIBS)
