#!/bin/sh
# Every test there is: the unit and trace suites (make check, make distcheck),
# the fuzz smoke run, a short benchmark run and the real-Xen lab
# (make check-xen). Runs setup.sh first when the tree is not built.
# Ends with one line "N passed, M failed"; exits non-zero on any failure.
cd "$(dirname "$0")"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
[ -x tools/vpcitrap ] || ./setup.sh || exit 1
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	afl++ clang llvm qemu-system-x86 qemu-utils debootstrap busybox-static cpio e2fsprogs \
	>/dev/null || exit 1

passed=0
failed=0
step() {
	name=$1
	shift
	echo "== $name: $*"
	start=$(date +%s)
	if "$@"; then
		passed=$((passed + 1))
		echo "== PASS $name ($(($(date +%s) - start)) s)"
	else
		failed=$((failed + 1))
		echo "== FAIL $name ($(($(date +%s) - start)) s)"
	fi
}

step check make -j"$(nproc)" check
step distcheck make -j"$(nproc)" distcheck
step fuzz-smoke make fuzz-smoke
step bench-quick ./tools/vpcitrap bench --quick
step check-xen make check-xen
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
