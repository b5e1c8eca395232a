# vpcitrap bench (issue 7): the bench code lives in bench/, linked into vpcitrap.
vpcitrap_SOURCES += \
	cmd_bench.c \
	../bench/bench.h \
	../bench/bench_util.c \
	../bench/bench_gen.c \
	../bench/bench_xen.c \
	../bench/bench_trap.c \
	../bench/bench_map.c \
	../bench/bench_replay.c
