#!/bin/sh
# tests/fuzz_regress.sh - the fuzzers' regression corpus under make check:
# every harness's plain driver (no AFL++ needed) over fuzz/regress/<harness>
# (inputs that once crashed or broke an invariant) and fuzz/corpus/<harness>.
srcdir=${srcdir:-$(dirname "$0")}
top_builddir=${top_builddir:-..}
FUZZ_BUILD=$(cd "$top_builddir" && pwd)/fuzz-build
export FUZZ_BUILD
mkdir -p "$FUZZ_BUILD"
exec sh "$srcdir/../fuzz/check.sh"
