# tests: conflicts (issue 4: RAM, reserved and RMRR conflicts, RDM policy, p2m rules, real tables, replay)
check_PROGRAMS += test_conflicts
TESTS += test_conflicts
test_conflicts_SOURCES = test_conflicts.c test_conflicts_real.c test_conflicts_fx.c conflicts_fx.h $(CORE_TEST_UTIL)
test_conflicts_LDADD = $(TEST_LIBS)
