#!/bin/sh
# tests/qemu_traces.sh - real clients: import each QEMU/SeaBIOS/Linux boot trace
# in data/qemu with `vpcitrap import-qemu`, replay it, and hold the replay to
# what QEMU itself did (issue 3, docs/qemu-differences.md):
#   - the import counts every config access and every mapping event of the log;
#   - no mismatch in the standard header (0x00-0x3f) of any function, and none
#     anywhere else either (the SHPC window of the PCIe-to-PCI bridge included:
#     the functions with an `indirect` window are checked too); replay exits 0;
#   - every `expect` (QEMU's pci_update_mappings_add/del) met, nothing unexpected;
#   - the final mapped set equals QEMU's, derived independently twice: from the
#     log's last add/del per BAR, and from the monitor's `info pci`;
#   - the kernel's renumbering (c2) and BAR move (d) show as events, and no
#     other scenario shows any under Linux.
# Prints one line per check and a last line "N passed, M failed".

srcdir=${srcdir:-$(dirname "$0")}
VPCITRAP=${VPCITRAP:-../tools/vpcitrap}
DATA=${QEMU_TRACES:-$srcdir/data/qemu}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu_traces.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0

ok() {
	echo "PASS: $1"
	passed=$((passed + 1))
}

ko() {
	echo "FAIL: $1"
	failed=$((failed + 1))
	[ -s "$tmp/why" ] && sed 's/^/    /' "$tmp/why" | head -n 10
	: >"$tmp/why"
}

# check NAME COMMAND...: one line per check; COMMAND may explain itself in $tmp/why.
check() {
	name=$1
	shift
	: >"$tmp/why"
	if "$@"; then ok "$name"; else ko "$name"; fi
}

same_files() {
	cmp -s "$1" "$2" || diff "$1" "$2" >"$tmp/why"
	cmp -s "$1" "$2"
}

# none FILE: FILE is empty (else it is the explanation).
none() {
	[ -s "$1" ] && cp "$1" "$tmp/why"
	[ ! -s "$1" ]
}

equal() {
	[ "$1" = "$2" ] || echo "got $1, want $2" >"$tmp/why"
	[ "$1" = "$2" ]
}

# Hex without leading zeros, lower case (awk, for the outputs compared below).
NORM='function norm(h) { h = tolower(h); sub(/^0x0*/, "", h); return "0x" (h == "" ? "0" : h) }'

# QEMU's final mappings from the log: the last add not undone by a del, per
# (dev.fn, BAR, range). The bus is left out: in c2 it changes after the add.
log_final() {
	xz -dc "$1" | awk '
	$1 ~ /:pci_update_mappings_(add|del)$/ {
		split($3, b, ":"); split($4, r, ","); split(r[2], as, "+")
		key = b[2] " " (r[1] == 6 ? "rom" : "bar" r[1]) " " as[1] " " as[2]
		if ($1 ~ /_add$/) set[key] = 1; else delete set[key]
	}
	END { for (k in set) print k }' | while read -r devfn bar addr size; do
		printf '%s %s 0x%x-0x%x\n' "$devfn" "$bar" "$addr" $((addr + size - 1))
	done | sort
}

# QEMU's final mappings from `info pci` (r->addr is all ones when unmapped).
monitor_final() {
	awk "$NORM"'
	/^ *Bus +[0-9]+, device +[0-9]+, function [0-9]+:/ {
		gsub(/[,:]/, ""); bus = $2; dev = $4; fn = $6; next
	}
	/^ *BAR[0-9]: / {
		bar = substr($1, 4, 1); addr = $(NF - 1); last = $NF
		if (addr == "0xffffffffffffffff") next
		gsub(/[][.]/, "", last)
		printf "0000:%02x:%02x.%s %s %s %s-%s\n", bus, dev, fn,
		       bar == 6 ? "rom" : "bar" bar, $2 == "I/O" ? "io" : "mem", norm(addr), norm(last)
	}' "$1" | sort
}

# Events of the replay at trace lines after the "# phase linux" comment.
linux_events() {
	start=$(grep -n '^# phase linux' "$1" | cut -d: -f1)
	awk -F': ' -v start="${start:-999999999}" -v kind="$3" \
		'$1 + 0 > start && $2 ~ "^" kind " " { print $2 }' "$2"
}

scenario() {
	s=$1
	log=$DATA/$s/trace.log.xz
	trace=$tmp/$s.trace
	out=$tmp/$s.replay

	if ! "$VPCITRAP" import-qemu "$log" -o "$trace" 2>"$tmp/why"; then
		ko "$s: import-qemu exits 0"
		return
	fi
	ok "$s: import-qemu exits 0"
	xz -dc "$log" | "$VPCITRAP" import-qemu - -o "$tmp/stdin.trace" 2>"$tmp/why"
	sed 's/trace log -$/trace log trace.log.xz/' "$tmp/stdin.trace" >"$tmp/stdin2.trace"
	check "$s: the same trace from stdin as from .xz" same_files "$trace" "$tmp/stdin2.trace"

	"$VPCITRAP" replay "$trace" --final >"$out" 2>"$tmp/why"
	rc=$?
	check "$s: replay runs (exit $rc)" test "$rc" -le 1
	check "$s: replay exits 0" test "$rc" -eq 0

	n_log=$(xz -dc "$log" | grep -cE "name '(pci-conf-idx|pci-conf-data|pcie-mmcfg-mmio)'$")
	n_rep=$(sed -n 's/^summary accesses=\([0-9]*\) .*/\1/p' "$out")
	check "$s: replay made the log's $n_log config accesses" equal "$n_rep" "$n_log"

	n_log=$(xz -dc "$log" | grep -c ':pci_update_mappings_')
	n_exp=$(grep -c '^expect ' "$trace")
	check "$s: an expect for each of the log's $n_log mapping events" equal "$n_exp" "$n_log"

	grep ': mismatch ' "$out" | awk '{ r = substr($5, 3); r = substr("000" r, length(r) + 1); if (r < "040") print }' >"$tmp/hdr"
	n_mm=$(grep -c ': mismatch ' "$out")
	check "$s: no mismatch in 0x00-0x3f ($n_mm above)" none "$tmp/hdr"
	grep ': mismatch ' "$out" >"$tmp/allmm"
	check "$s: no mismatch anywhere" none "$tmp/allmm"
	check "$s: summary says mismatches=0" grep -q '^summary .* mismatches=0 ' "$out"

	awk '/^device / { d = $2 } /^indirect / { print d }' "$trace" | tr '\n' ' ' >"$tmp/win"
	check "$s: indirect windows: ${4:-none}" equal "$(cat "$tmp/win")" "$4"

	grep -E ': (missing|unexpected) ' "$out" >"$tmp/unmet"
	check "$s: every expect met, no unexpected map/unmap" none "$tmp/unmet"

	awk '/^mapped / { split($2, a, ":"); print a[3], $3, $5 }' "$out" | sort >"$tmp/rep.devfn"
	log_final "$log" >"$tmp/log.final"
	check "$s: final mapped set = the log's last add/del ($(wc -l <"$tmp/log.final") BARs)" \
		same_files "$tmp/log.final" "$tmp/rep.devfn"
	sed -n 's/^mapped //p' "$out" | awk "$NORM"'{ split($4, r, "-"); print $1, $2, $3, norm(r[1]) "-" norm(r[2]) }' | sort >"$tmp/rep.final"
	monitor_final "$DATA/$s/monitor-info-pci.txt" >"$tmp/mon.final"
	check "$s: final mapped set = QEMU's info pci" same_files "$tmp/mon.final" "$tmp/rep.final"

	linux_events "$trace" "$out" renumber | awk '{ print $2 }' | sort -u | tr '\n' ' ' >"$tmp/ren"
	check "$s: bridges renumbered under Linux: ${2:-none}" equal "$(cat "$tmp/ren")" "$2"
	linux_events "$trace" "$out" move | tr '\n' ';' >"$tmp/mov"
	check "$s: BAR moves under Linux: ${3:-none}" equal "$(cat "$tmp/mov")" "$3"
}

if [ ! -x "$VPCITRAP" ] || ! command -v xz >/dev/null 2>&1; then
	echo "qemu_traces: need $VPCITRAP and xz" >&2
	exit 99
fi

# scenario NAME RENUMBERED MOVED WINDOWS (the functions with an SHPC window)
ppb="00:04.2/00.0 "
scenario a_pc_e1000_virtio_ivshmem_nvme "" "" ""
scenario b_q35_rootports_bridge "" "" "$ppb"
scenario c2_q35_assign_busses_busreserve \
	"0000:00:04.0 0000:00:04.1 0000:00:04.2 0000:03:00.0 " "" "$ppb"
scenario d_q35_realloc "" "move 0000:01:00.0 bar0 0xfe800000 -> 0x20000000;" "$ppb"
scenario e_q35_nommconf "" "" "$ppb"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
