#!/bin/sh
# fuzz/check.sh - the regression corpus: every harness's plain driver over
# fuzz/regress/<harness>/ (inputs that once crashed or broke an invariant)
# and fuzz/corpus/<harness>/ (the seeds). Exit 0 when all pass.
#
#   fuzz/check.sh [BINDIR]    BINDIR: plain drivers (default: build them
#                             with make in $FUZZ_BUILD, default ../fuzz-build)
#
# For make check (tests/Makefile.am), see docs/fuzzing.md.
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD:-$here/../fuzz-build}
bin=$1
if [ -z "$bin" ]; then
	make -s -C "$here" BUILD="$build" plain >"$build.check.log" 2>&1 ||
		{ cat "$build.check.log"; echo "fuzz/check.sh: building the drivers failed" >&2; exit 1; }
	rm -f "$build.check.log"
	bin=$build/plain
fi
fail=0
for h in access trace lspci dmar ivrs; do
	dirs=
	for d in "$here/regress/$h" "$here/corpus/$h"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	[ -n "$dirs" ] || continue
	# shellcheck disable=SC2086
	if "$bin/fuzz_$h" $dirs; then
		echo "PASS: fuzz_$h"
	else
		echo "FAIL: fuzz_$h (rerun: $bin/fuzz_$h -v$dirs)"
		fail=1
	fi
done
exit $fail
