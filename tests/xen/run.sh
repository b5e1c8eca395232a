#!/bin/bash
# tests/xen/run.sh - vpcitrap end to end on a real Xen 4.17 (make check-xen).
#
# Builds (or takes from its cache) a lab made of Debian packages: the Xen hypervisor, a
# debootstrapped dom0 image and a guest initramfs. Boots it headless in QEMU (TCG, emulated
# AMD SVM+NPT) with an ivshmem-plain device backed by a file on this machine, runs the
# scenarios in dom0 with the project's own vpcitrap, and prints one PASS/FAIL line per
# scenario and "N passed, M failed". Exit status: 0 all passed, 1 a scenario failed,
# 2 the lab or vpcitrap could not be built.
#
# usage: tests/xen/run.sh [--vpcitrap PATH] [--only "s1 s2 ..."] [--negative] [--work DIR]
#                         [--cache DIR] [--rebuild] [--no-apt] [--timeout SECONDS] [--cpu MODEL]
#                         [--recheck] [--stall SECONDS] [--no-retry]
#   --vpcitrap PATH  a vpcitrap built with --with-xen=yes (default: build one out of tree
#                    from this source tree into WORK/build)
#   --only LIST      scenarios to run (default: s0 s1 s2 s3 s4 s5 s5h; s0 is the lab's
#                    self-test without vpcitrap)
#   --negative       negative control: every scenario is sabotaged (see docs/xenlab.md) and
#                    must FAIL; the exit status is 0 only if every one of them failed
#   --work DIR       per-run files and logs (default /var/tmp/vpcitrap-xenlab)
#   --cache DIR      lab cache root (default /var/cache/vpcitrap-xenlab); the entry used is
#                    DIR/<first 16 hex of sha256 of tests/xen/lab/*>
#   --rebuild        rebuild the lab even if cached
#   --no-apt         do not apt-get install the host's build dependencies
#   --timeout S      bound on the whole QEMU run (default 1200)
#   --cpu MODEL      QEMU CPU model (default qemu64,+svm,+npt,family=18; docs/xenlab.md says why)
#   --recheck        no boot: judge the last run's files in WORK again (after editing checks)
#   --stall S        the emulated machine has stalled when its serial console says nothing
#                    for S seconds (default 240; a normal run's longest silence was 45 s,
#                    printed after each run): QEMU is stopped, and the whole lab runs once
#                    more in WORK/retry unless --no-retry. Seen rarely under TCG: Xen, dom0
#                    and the guest all halted, QEMU idle. A stall caused by vpcitrap would
#                    stall the retry too and fail.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)
VPCITRAP=
ONLY="s0 s1 s2 s3 s4 s5 s5h"
NEGATIVE=
WORK=${XENLAB_WORK:-/var/tmp/vpcitrap-xenlab}
CACHEROOT=${XENLAB_CACHE:-/var/cache/vpcitrap-xenlab}
REBUILD=
RECHECK=
APT=1
QTIMEOUT=1200
CPU=${XENLAB_CPU:-qemu64,+svm,+npt,family=18}
SCEN_TIMEOUT=300
STALL=240
RETRY=1
ARGS=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--vpcitrap) VPCITRAP=$(readlink -f "$2"); shift ;;
	--only) ONLY=$2; shift ;;
	--negative) NEGATIVE=1 ;;
	--work) WORK=$2; shift ;;
	--cache) CACHEROOT=$2; shift ;;
	--rebuild) REBUILD=1 ;;
	--no-apt) APT= ;;
	--timeout) QTIMEOUT=$2; shift ;;
	--cpu) CPU=$2; shift ;;
	--recheck) RECHECK=1 ;;
	--stall) STALL=$2; shift ;;
	--no-retry) RETRY= ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

T0=$(date +%s)
say() { echo "xenlab: [$(($(date +%s) - T0)) s] $*"; }
die() { echo "xenlab: $*" >&2; for s in $ONLY; do echo "FAIL $s: lab not run ($*)"; done; echo "0 passed, $(echo $ONLY | wc -w) failed"; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mkfs)"
mkdir -p "$WORK" "$CACHEROOT"

# 1. host packages
HOSTPKGS="qemu-system-x86 debootstrap e2fsprogs cpio gzip gcc make autoconf automake pkg-config libpci-dev libcunit1-dev libxen-dev"
if [ -n "$APT" ]; then
	missing=$(for p in $HOSTPKGS; do dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep 'install ok installed' > /dev/null || echo "$p"; done)
	if [ -n "$missing" ]; then
		say "apt-get install $(echo $missing)"
		apt-get update > "$WORK/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >> "$WORK/apt.log" 2>&1 ||
			{ tail -20 "$WORK/apt.log"; die "apt-get install failed (see $WORK/apt.log)"; }
	fi
fi
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 missing"

# 2. the lab, cached by the hash of its recipe
KEY=$(cd "$HERE/lab" && cat build-lab.sh dom0-init.sh packages | sha256sum | cut -c1-16)
LAB=$CACHEROOT/$KEY
exec 9> "$CACHEROOT/.lock"
flock -w 1800 9 || die "cache lock $CACHEROOT/.lock busy"
if [ -n "$REBUILD" ] || [ ! -f "$LAB/complete" ]; then
	say "building the lab into $LAB (recipe changed or not cached)"
	t=$(date +%s)
	[ -n "$APT" ] && apt-get update > "$WORK/apt-update.log" 2>&1
	"$HERE/lab/build-lab.sh" "$LAB" 2>&1 | sed 's/^/  /'
	[ -f "$LAB/complete" ] || die "lab build failed"
	say "lab built in $(($(date +%s) - t)) s"
	LABSTATE="built in $(($(date +%s) - t)) s"
	# drop the entries of older recipes (the deb cache stays)
	for d in "$CACHEROOT"/*; do
		[ -d "$d" ] && [ "$d" != "$LAB" ] && [ "$(basename "$d")" != debs ] && rm -rf "$d"
	done
else
	say "lab cached: $LAB"
	LABSTATE="cached"
fi
flock -u 9

# 3. vpcitrap, built with the Xen backend. If it cannot be had, the lab's self-test (s0)
# still runs and every other scenario fails with the reason.
has_xen() { case "$(ldd "$1" 2>/dev/null)" in *libxendevicemodel*) return 0 ;; esac; return 1; }
NOVT=
if [ -n "$VPCITRAP" ] && ! has_xen "$VPCITRAP"; then
	say "$VPCITRAP is not built with the Xen backend: building one with --with-xen=yes"
	VPCITRAP=
fi
NEEDVT=$(for s in $ONLY; do case $s in s0 | s0h) ;; *) echo $s ;; esac; done)
if [ -z "$VPCITRAP" ] && [ -n "$NEEDVT" ]; then
	B=$WORK/build
	say "building vpcitrap out of tree in $B (log $WORK/build.log)"
	t=$(date +%s)
	: > "$WORK/build.log"
	if [ ! -x "$SRCDIR/configure" ]; then
		(cd "$SRCDIR" && ./autogen.sh) >> "$WORK/build.log" 2>&1 || NOVT="autogen.sh failed"
	fi
	if [ -z "$NOVT" ]; then
		mkdir -p "$B"
		( cd "$B" && { [ -f Makefile ] || "$SRCDIR/configure" --with-xen=yes; } && make -j2 ) >> "$WORK/build.log" 2>&1 ||
			NOVT="vpcitrap did not build: $(grep -m1 -E 'error:|No rule|undefined reference' "$WORK/build.log" | cut -c1-160)"
	fi
	VPCITRAP=$B/tools/vpcitrap
	[ -z "$NOVT" ] && ! has_xen "$VPCITRAP" && NOVT="$VPCITRAP has no Xen backend"
	if [ -n "$NOVT" ]; then
		tail -20 "$WORK/build.log" | sed 's/^/  build: /'
		say "$NOVT"
		VPCITRAP=
	else
		say "vpcitrap built in $(($(date +%s) - t)) s"
	fi
fi
RUNLIST=$ONLY
[ -n "$NOVT" ] && RUNLIST=$(for s in $ONLY; do case $s in s0 | s0h) echo $s ;; esac; done)

if [ -n "$RECHECK" ]; then
	say "--recheck: judging the files of the last run in $WORK"
	IVF=$WORK/ivshmem.bin
	LOG=$WORK/serial.log
	QRC=0
	QSECS=0
else
# 4. the per-run disk: vpcitrap, the dom0 scripts, machine files, the guest kernel and initramfs
R=$WORK/run
rm -rf "$R" "$WORK/out"
mkdir -p "$R/bin" "$R/guest" "$R/out"
[ -n "$VPCITRAP" ] && cp "$VPCITRAP" "$R/bin/vpcitrap"
gcc -O2 -Wall -o "$R/bin/xtmap" "$HERE/selftest/xtmap.c" -lxenctrl || die "could not build the self-test helper xtmap"
cp -r "$HERE/dom0" "$HERE/machines" "$R/"
cp "$LAB/vmlinuz" "$R/guest/vmlinuz"
OV=$WORK/overlay
rm -rf "$OV"
mkdir -p "$OV/xt"
install -m 755 "$HERE/guest/init" "$OV/init"
cp "$HERE"/guest/*.sh "$OV/xt/"
# Linux unpacks concatenated cpio archives in order: the base, then this run's overlay
{ cat "$LAB/guest-base.cpio.gz"; (cd "$OV" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1); } > "$R/guest/initrd.gz"
cat > "$R/run.env" <<EOF
SCENARIOS="$RUNLIST"
NEGATIVE=$NEGATIVE
SCEN_TIMEOUT=$SCEN_TIMEOUT
EOF
chmod +x "$R/dom0/"*.sh
rm -f "$WORK/run.img"
truncate -s 128M "$WORK/run.img"
mkfs.ext4 -q -F -L xt -d "$R" "$WORK/run.img" || die "mkfs of the run disk failed"

# 5. boot: Xen, dom0 from the cached image (snapshot: never written), the run disk, ivshmem
IVF=$WORK/ivshmem.bin
rm -f "$IVF"
truncate -s 16M "$IVF"
LOG=$WORK/serial.log
rm -f "$LOG"
say "booting Xen (log: $LOG; timeout ${QTIMEOUT}s)"
t=$(date +%s)
STALLED=
timeout -k 10 "$QTIMEOUT" qemu-system-x86_64 -accel tcg -machine q35 -cpu "$CPU" -m 3072 -smp 1 \
	-display none -vga none -net none -serial "file:$LOG" -monitor none -no-reboot \
	-kernel "$LAB/xen" \
	-append "com1=115200,8n1 console=com1 dom0_mem=1024M,max:1024M loglvl=all guest_loglvl=all conring_size=4M" \
	-initrd "$LAB/vmlinuz console=hvc0 root=/dev/vda ro init=/xenlab-init,$LAB/initrd" \
	-drive "file=$LAB/dom0.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$WORK/run.img,if=virtio,format=raw,cache=unsafe" \
	-object "memory-backend-file,id=hmem,share=on,mem-path=$IVF,size=16M" \
	-device ivshmem-plain,memdev=hmem > "$WORK/qemu.log" 2>&1 &
QPID=$!
# the stall watchdog: no serial output for STALL seconds
last=-1
quiet=0
maxq=0
while kill -0 $QPID 2>/dev/null; do
	sleep 5
	sz=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
	if [ "$sz" != "$last" ]; then
		last=$sz
		quiet=0
	else
		quiet=$((quiet + 5))
		[ $quiet -gt $maxq ] && maxq=$quiet
	fi
	if [ $quiet -ge "$STALL" ]; then
		STALLED=1
		say "the emulated machine has stalled: no serial output for ${quiet} s; stopping QEMU"
		kill $QPID 2>/dev/null
		break
	fi
done
wait $QPID
QRC=$?
QSECS=$(($(date +%s) - t))
say "QEMU exited rc=$QRC after ${QSECS} s; longest serial silence ${maxq} s (a stall at ${STALL} s)"
[ $QRC = 0 ] || { echo "  qemu: $(tail -3 "$WORK/qemu.log")"; }
debugfs -R "rdump /out $WORK" "$WORK/run.img" > /dev/null 2>&1 || say "could not read /out from the run disk"
tr -d '\r' < "$LOG" > "$WORK/serial.txt" 2>/dev/null
fi

# 6. host-side checks: the ivshmem backing file, and replay of the recordings
HOSTCHK=$WORK/host-checks.txt
: > "$HOSTCHK"
hcheck() { # SCEN WHAT CMD...
	local s=$1 w=$2
	shift 2
	if "$@"; then echo "XT-CHECK $s ok: $w"; else echo "XT-CHECK $s FAIL: $w"; fi >> "$HOSTCHK"
}
at() { [ "$(dd if="$IVF" bs=1 skip=$(($1)) count=${#2} 2>/dev/null | tr -d "\\0")" = "$2" ]; }
nowhere() { ! grep -aq -- "$1" "$IVF"; }
replay_clean() { # SCEN RECORDING
	local rec=$WORK/out/$2
	[ -s "$rec" ] || { echo "XT-INFO $1 replay: no recording $2" >> "$HOSTCHK"; return 1; }
	"$VPCITRAP" replay "$rec" > "$WORK/out/$2.replay" 2>&1
	local rc=$?
	echo "XT-EVIDENCE $1 replay $2: rc=$rc $(tail -n1 "$WORK/out/$2.replay")" >> "$HOSTCHK"
	[ $rc = 0 ] && tail -n1 "$WORK/out/$2.replay" | grep 'mismatches=0' > /dev/null
}
for s in $ONLY; do
	case $s in
	s0 | s0h) hcheck $s "host file: the self-test pattern arrived at 0x7000" at 0x7000 "VPCITRAP-S0-LAB!" ;;
	s1) hcheck s1 "host: the recording replays clean (vpcitrap replay)" replay_clean s1 s1.rec ;;
	s2)
		hcheck s2 "host file: pattern written before the move at BAR offset 0x0" at 0 "VPCITRAP-S2-OLD!"
		hcheck s2 "host file: pattern written at the new place at offset 0x1000" at 0x1000 "VPCITRAP-S2-NEW!"
		hcheck s2 "host file: write to the old place after the move never arrived" nowhere "VPCITRAP-S2-STL!"
		hcheck s2 "host: the recording replays clean (vpcitrap replay)" replay_clean s2 s2.rec
		;;
	s3)
		hcheck s3 "host file: strict: write onto the RMRR never arrived" nowhere "VPCITRAP-S3-STR!"
		hcheck s3 "host file: strict: write after moving to a free place at 0x3800" at 0x3800 "VPCITRAP-S3-AFT!"
		hcheck s3 "host file: relaxed: write onto the RMRR arrived at 0x4000" at 0x4000 "VPCITRAP-S3-RLX!"
		hcheck s3 "host: the strict recording replays clean" replay_clean s3 s3-strict.rec
		hcheck s3 "host: the relaxed recording replays clean" replay_clean s3 s3-relaxed.rec
		;;
	s4) hcheck s4 "host: the recording replays clean (vpcitrap replay)" replay_clean s4 s4.rec ;;
	s5)
		hcheck s5 "host file: write before SIGTERM arrived at 0x5000" at 0x5000 "VPCITRAP-S5-PRE!"
		hcheck s5 "host file: write after SIGTERM never arrived" nowhere "VPCITRAP-S5-PST!"
		hcheck s5 "host: the recording replays clean (vpcitrap replay)" replay_clean s5 s5.rec
		;;
	s5h)
		hcheck s5h "host file: HVM write before SIGTERM arrived at 0x6000" at 0x6000 "VPCITRAP-S5-HVM!"
		hcheck s5h "host file: HVM write after SIGTERM never arrived" nowhere "VPCITRAP-S5-HPS!"
		hcheck s5h "host: the recording replays clean (vpcitrap replay)" replay_clean s5h s5h.rec
		;;
	esac
done
# 7. verdicts
ALL=$WORK/all-checks.txt
{ grep -aE '^XT-(CHECK|EVIDENCE|INFO|DONE|END) ' "$WORK/serial.txt"; cat "$HOSTCHK"; } > "$ALL"
echo
echo "== checks (details: $ALL, serial log $LOG, dom0 files $WORK/out)"
grep -E '^XT-CHECK ' "$ALL" | sed 's/^XT-CHECK /  /'
echo
pass=0
fail=0
for s in $ONLY; do
	nok=$(grep -cE "^XT-CHECK $s ok: " "$ALL")
	bad=$(grep -E "^XT-CHECK $s FAIL: " "$ALL" | sed "s/^XT-CHECK $s FAIL: //")
	if [ -n "$NOVT" ] && [ "$s" != s0 ] && [ "$s" != s0h ]; then
		echo "FAIL $s: not run: $NOVT"
		fail=$((fail + 1))
	elif ! grep -qE "^XT-DONE $s " "$ALL"; then
		why="did not finish (no XT-DONE; QEMU rc=$QRC)"
		[ -n "$bad" ] && why="$why; $(echo "$bad" | head -n3 | paste -sd';' | sed 's/;/; /g')"
		echo "FAIL $s: $why"
		fail=$((fail + 1))
	elif [ -n "$bad" ]; then
		echo "FAIL $s: $(echo "$bad" | wc -l) of $((nok + $(echo "$bad" | wc -l))) checks failed: $(echo "$bad" | head -n3 | paste -sd';' | sed 's/;/; /g')$([ "$(echo "$bad" | wc -l)" -gt 3 ] && echo '; ...')"
		fail=$((fail + 1))
	elif [ "$nok" = 0 ]; then
		echo "FAIL $s: no checks ran"
		fail=$((fail + 1))
	else
		echo "PASS $s ($nok checks)"
		pass=$((pass + 1))
	fi
done
[ -n "$STALLED" ] && echo "(the emulated machine stalled: what did not finish was cut short by the stall)"
say "lab $LABSTATE (cache $LAB), QEMU ${QSECS} s, total $(($(date +%s) - T0)) s"
echo "$pass passed, $fail failed"
if [ -n "$STALLED" ] && [ -n "$RETRY" ] && [ -z "$NEGATIVE" ] && [ -z "$RECHECK" ]; then
	say "the emulated machine stalled; the whole lab runs once more in $WORK/retry, and its verdict is the one"
	exec "$0" "${ARGS[@]}" --no-retry --no-apt --work "$WORK/retry"
fi
if [ -n "$NEGATIVE" ]; then
	if [ $pass = 0 ]; then echo "negative control: every scenario failed, as it must"; exit 0; fi
	echo "negative control BROKEN: $pass scenario(s) passed although sabotaged"
	exit 1
fi
[ $fail = 0 ]
