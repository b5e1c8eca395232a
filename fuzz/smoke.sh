#!/bin/sh
# fuzz/smoke.sh - make -C fuzz smoke: the ASan+UBSan drivers over the seed
# and regression corpora, then a short AFL++ run per harness (the
# ASan+UBSan AFL++ build; skipped when AFL++ is not installed). Non-zero on
# any crash, sanitizer report or broken invariant. Run by the Makefile,
# which has built $BUILD/asan (and $BUILD/aflasan).
#   SMOKE_SECS  seconds of AFL++ per harness (default 8)
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../fuzz-build}
HARNESSES=${HARNESSES:-"access trace lspci dmar ivrs"}
SMOKE_SECS=${SMOKE_SECS:-8}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
start=$(date +%s)
fail=0

for h in $HARNESSES; do
	dirs="$here/corpus/$h"
	[ -d "$here/regress/$h" ] && dirs="$dirs $here/regress/$h"
	# shellcheck disable=SC2086
	if "$BUILD/asan/fuzz_$h" $dirs 2>"$BUILD/asan/$h.log"; then
		echo "smoke: asan fuzz_$h: $(tail -1 "$BUILD/asan/$h.log")"
	else
		cat "$BUILD/asan/$h.log"
		echo "smoke: FAIL asan fuzz_$h over$dirs"
		fail=1
	fi
done

if ! command -v afl-fuzz >/dev/null || [ ! -d "$BUILD/aflasan" ]; then
	echo "smoke: SKIP the AFL++ runs (afl-fuzz or the aflasan build missing; apt-get install afl++ clang)"
else
	export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
	export AFL_NO_WARN_INSTABILITY=1
	unset ASAN_OPTIONS UBSAN_OPTIONS # afl-fuzz sets its own
	for h in $HARNESSES; do
		out=$BUILD/smoke/$h
		rm -rf "$out"
		mkdir -p "$BUILD/smoke"
		dict=
		[ -f "$here/dict/$h.dict" ] && dict="-x $here/dict/$h.dict"
		# shellcheck disable=SC2086
		nice -n 5 afl-fuzz -V "$SMOKE_SECS" -m none -t 2000 $dict -i "$here/corpus/$h" -o "$out" \
			-- "$BUILD/aflasan/fuzz_$h" >"$out.log" 2>&1
		st=$out/default/fuzzer_stats
		if [ ! -f "$st" ]; then
			tail -20 "$out.log"
			echo "smoke: FAIL afl fuzz_$h did not run (log: $out.log)"
			fail=1
			continue
		fi
		crashes=$(find "$out/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
		echo "smoke: afl fuzz_$h: $(sed -n 's/^execs_done *: //p' "$st") execs," \
			"$(sed -n 's/^execs_per_sec *: //p' "$st")/s, corpus $(sed -n 's/^corpus_count *: //p' "$st")," \
			"$crashes crashes"
		if [ "$crashes" -gt 0 ]; then
			echo "smoke: FAIL afl fuzz_$h found crashes; reproduce with:"
			find "$out/default/crashes" -name 'id:*' | head -3 | sed "s|^|  $BUILD/asan/fuzz_$h -v |"
			fail=1
		fi
	done
fi
echo "smoke: $([ $fail = 0 ] && echo PASS || echo FAIL) in $(($(date +%s) - start)) s"
exit $fail
