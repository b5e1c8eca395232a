#!/bin/sh
# fuzz/coverage.sh - line and branch coverage of the code under test by each
# harness: the coverage build ($BUILD/cov, make -C fuzz cov) run over the
# campaign's queue ($BUILD/campaign/<h>/default/queue) or, without one, the
# seed corpus; then llvm-cov's report for the core files it reaches.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
BUILD=${BUILD:-$top/fuzz-build}
HARNESSES=${HARNESSES:-"access trace lspci dmar ivrs"}
out=$BUILD/cov
for h in $HARNESSES; do
	in=$BUILD/campaign/$h/default/queue
	[ -d "$in" ] || in=$here/corpus/$h
	rm -f "$out/$h."*.profraw
	LLVM_PROFILE_FILE="$out/$h.%p.profraw" "$out/fuzz_$h" "$in" "$here/regress/$h" >/dev/null 2>&1
	llvm-profdata merge -sparse "$out/$h".*.profraw -o "$out/$h.profdata" || exit 1
	echo "== fuzz_$h over $in"
	printf '%-24s %8s %10s %8s %9s\n' file regions functions lines branches
	llvm-cov report "$out/fuzz_$h" -instr-profile="$out/$h.profdata" \
		-ignore-filename-regex='fuzz/|/usr/' | sed "s|$top/||" |
		awk 'NF >= 13 && $4 ~ /%$/ && $4 != "0.00%" { printf "%-24s %8s %10s %8s %9s\n", $1, $4, $7, $10, $13 }'
done
