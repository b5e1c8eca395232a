# tests: core (common, mapper, vpci, traps, replay), one CUnit binary per module
CORE_TEST_UTIL = core_util.c core_util.h
check_PROGRAMS += test_common
TESTS += test_common
test_common_SOURCES = test_common.c $(CORE_TEST_UTIL)
test_common_LDADD = $(TEST_LIBS)
check_PROGRAMS += test_mapper
TESTS += test_mapper
test_mapper_SOURCES = test_mapper.c $(CORE_TEST_UTIL)
test_mapper_LDADD = $(TEST_LIBS)
check_PROGRAMS += test_vpci
TESTS += test_vpci
test_vpci_SOURCES = test_vpci.c $(CORE_TEST_UTIL)
test_vpci_LDADD = $(TEST_LIBS)
check_PROGRAMS += test_traps
TESTS += test_traps
test_traps_SOURCES = test_traps.c $(CORE_TEST_UTIL)
test_traps_LDADD = $(TEST_LIBS)
# replay.c is compiled into its test (it is the front end's, not a library's)
check_PROGRAMS += test_replay
TESTS += test_replay
test_replay_SOURCES = test_replay.c $(CORE_TEST_UTIL)
test_replay_LDADD = $(TEST_LIBS)
