# Helpers of the dom0 scenario scripts (sourced). Every wait is bounded.
# Lines for the host: "XT-CHECK <scen> ok|FAIL: <what>" (verdicts), "XT-INFO <scen> ..."
# (evidence), "XT-DONE <scen>" (the script ran to its end).
XT=/xt
OUT=$XT/out
# recordings go to tmpfs first (cheap writes while serving), then to $OUT in collect
REC=/tmp/rec
mkdir -p $REC
VPCITRAP=$XT/bin/vpcitrap
CONS=/var/log/xen/console
up() { cut -d' ' -f1 /proc/uptime; }
log() { echo "XT-LOG $SCEN [$(up)] $*"; }
info() { echo "XT-INFO $SCEN $*"; }

FAILS=0
# check WHAT CMD...: run CMD; its status is the verdict.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "XT-CHECK $SCEN ok: $what"
	else
		echo "XT-CHECK $SCEN FAIL: $what"
		FAILS=$((FAILS + 1))
	fi
}
# has FILE EXTENDED-REGEX: FILE has a matching line (printed as evidence).
has() {
	local l
	l=$(grep -E -m1 -- "$2" "$1" 2>/dev/null) || return 1
	echo "XT-EVIDENCE $SCEN $(basename "$1"): $l"
}
hasnt() { ! grep -qE -- "$2" "$1" 2>/dev/null; }
count() { grep -cE -- "$2" "$1" 2>/dev/null || true; }
# Events on the server's stdout (CONTRACT 6), with or without a "N: " prefix.
EV='^([0-9]+: )?'

# Guest console: xenconsoled's log for PVH, the serial file for HVM.
gcons() { echo "${GCONS:-$CONS/guest-$GNAME.log}"; }
# gcat: the guest console without carriage returns (the HVM serial file has them)
gcat() { tr -d '\r' < "$(gcons)" 2>/dev/null; }

# guest_create CFG NAME: xl create -p; sets D (domid).
guest_create() {
	GNAME=$2
	local t0
	t0=$(up)
	rm -f "$(gcons)"
	timeout 120 xl create -p "$1" > "$OUT/$SCEN.xl-create.log" 2>&1
	local rc=$?
	D=$(xl domid "$GNAME" 2>/dev/null)
	log "xl create $GNAME rc=$rc domid=${D:-none} ($(awk "BEGIN{print $(up) - $t0}") s)"
	[ $rc = 0 ] && [ -n "$D" ] || { cat "$OUT/$SCEN.xl-create.log"; return 1; }
}

# serve ARGS...: start "vpcitrap serve --domid $D ARGS" in the background (stdout and
# stderr to $OUT/$SCEN.server.{out,err}); sets SRV. Waits (10 s at most) for its
# "vpcitrap: serving ..." line on stderr, printed once the ioreq server is enabled.
serve() {
	SRVOUT=$OUT/$SCEN.server.out
	SRVERR=$OUT/$SCEN.server.err
	SRVRC=
	SRVKILLED=
	log "vpcitrap serve --domid $D $*"
	echo "vpcitrap serve --domid $D $*" > "$OUT/$SCEN.server.cmd"
	"$VPCITRAP" serve --domid "$D" "$@" > "$SRVOUT" 2> "$SRVERR" &
	SRV=$!
	echo $SRV > /tmp/xt-server.pid
	local t0
	t0=$(up)
	local end=$((SECONDS + 10))
	while [ $SECONDS -lt $end ]; do
		grep -q '^vpcitrap: serving' "$SRVERR" 2>/dev/null && break
		kill -0 $SRV 2>/dev/null || break
		sleep 0.1
	done
	if ! kill -0 $SRV 2>/dev/null; then
		wait $SRV
		SRVRC=$?
		log "server exited at start, rc=$SRVRC: $(head -c 300 "$SRVERR")"
		return 1
	fi
	grep -q '^vpcitrap: serving' "$SRVERR" || log "no 'vpcitrap: serving' line after 10 s; going on"
	log "server pid $SRV up after $(awk "BEGIN{print $(up) - $t0}") s: $(grep -m1 '^vpcitrap: serving' "$SRVERR")"
}

# serve_stop: SIGTERM, wait up to 15 s (then SIGKILL); sets SRVRC and SRVSECS.
serve_stop() {
	[ -n "$SRV" ] || return 0
	local t0
	t0=$(up)
	if kill -0 $SRV 2>/dev/null; then
		kill -TERM $SRV
		local end=$((SECONDS + 15))
		while [ $SECONDS -lt $end ]; do kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
		if kill -0 $SRV 2>/dev/null; then
			log "server still running 15 s after SIGTERM: SIGKILL"
			kill -KILL $SRV
			SRVKILLED=1
		fi
	fi
	wait $SRV 2>/dev/null
	SRVRC=$?
	SRVSECS=$(awk "BEGIN{print $(up) - $t0}")
	log "server gone: rc=$SRVRC after ${SRVSECS} s"
	SRV=
	rm -f /tmp/xt-server.pid
}

# wait_cons PATTERN SECONDS: wait for PATTERN in the guest console; 0 seen, 1 timeout,
# 2 domain gone without it. SECONDS is wall time (bash's $SECONDS), however slow a poll is.
wait_cons() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		gcat | grep -qE -- "$1" && return 0
		if ! xl domid "$GNAME" > /dev/null 2>&1; then
			sleep 1
			gcat | grep -qE -- "$1" && return 0
			log "domain $GNAME gone while waiting for '$1'"
			return 2
		fi
		sleep 0.2
	done
	log "timeout ($2 s) waiting for '$1'"
	return 1
}

# dom_gone NAME SECONDS: wait until no domain but dom0 is listed (not even a dying one).
dom_gone() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		if ! xl list 2>/dev/null | awk 'NR > 1 && $2 != 0' | grep -q .; then
			return 0
		fi
		sleep 0.2
	done
	log "domains still listed after $2 s:"
	xl list 2>&1 | sed "s/^/XT-LOG $SCEN   /"
	return 1
}

# guest_run CFG NAME: create paused, start the server (SERVE_ARGS), unpause, wait for the
# guest to finish (its "G END"), stop the server, wait for the domain to go.
guest_run() {
	guest_create "$1" "$2" || return 1
	serve "${SERVE_ARGS[@]}" || { xl destroy "$GNAME" 2>/dev/null; return 1; }
	xl unpause "$GNAME"
	log "unpaused $GNAME"
	wait_cons '^G END' "${GUEST_TIMEOUT:-150}"
	GRC=$?
	log "guest finished: wait rc=$GRC"
	# a scenario may look at the lab host while the server still runs
	[ -n "${HOOK_END:-}" ] && $HOOK_END
	# the guest powers itself off; give the toolstack a moment before stopping the server
	for i in $(seq 1 25); do xl domid "$GNAME" > /dev/null 2>&1 || break; sleep 0.2; done
	serve_stop
	dom_gone "$GNAME" 20 || { xl destroy "$GNAME" 2>/dev/null; dom_gone "$GNAME" 10; }
	GONE=$?
	collect
}

# collect: copy the guest console and Xen's log into $OUT and onto the serial console.
collect() {
	gcat > "$OUT/$SCEN.guest.log"
	cp $REC/*.rec "$OUT/" 2>/dev/null
	xl dmesg > "$OUT/$SCEN.xl-dmesg.log" 2>&1
	sed "s/^/XT-GUEST $SCEN | /" "$OUT/$SCEN.guest.log" 2>/dev/null | grep -a 'XT-GUEST .* | G '
	sed "s/^/XT-SERVER $SCEN | /" "$SRVOUT" 2>/dev/null | head -200
	sed "s/^/XT-SERVER-ERR $SCEN | /" "$SRVERR" 2>/dev/null | head -100
}

# cfg_pvh NAME RAMDISK EXTRA > FILE
cfg_pvh() {
	cat <<-EOF
	name="$1"
	type="pvh"
	kernel="$XT/guest/vmlinuz"
	ramdisk="$XT/guest/initrd.gz"
	extra="console=hvc0 loglevel=${GLOGLEVEL:-4} pci=conf1,noacpi $2"
	memory=256
	vcpus=1
	on_poweroff="destroy"
	on_crash="destroy"
	EOF
}

cfg_hvm() {
	cat <<-EOF
	name="$1"
	type="hvm"
	device_model_version="qemu-xen"
	kernel="$XT/guest/vmlinuz"
	ramdisk="$XT/guest/initrd.gz"
	extra="console=ttyS0 loglevel=${GLOGLEVEL:-4} $2"
	serial="file:$GCONS"
	vga="none"
	vnc=0
	sdl=0
	nographic=1
	memory=256
	vcpus=1
	on_poweroff="destroy"
	on_crash="destroy"
	EOF
}

# The lab host's ivshmem-plain device: IVS (SBDF), IVS_BAR (BAR2 address from its registers).
ivshmem_find() {
	IVS=$(lspci -D -n -d 1af4:1110 | awk 'NR == 1 {print $1}')
	[ -n "$IVS" ] || return 1
	local lo hi
	lo=$(setpci -s "$IVS" BASE_ADDRESS_2)
	hi=$(setpci -s "$IVS" BASE_ADDRESS_3)
	IVS_BAR=$(printf 0x%x $(((0x$hi << 32) | (0x$lo & 0xfffffff0))))
}

# ivshmem_place ADDR: put the real device's BAR2 at ADDR (decode off, move, decode on), so
# every scenario starts from the same place whatever the previous one left.
ivshmem_place() {
	local a=$(($1))
	setpci -s "$IVS" COMMAND=0000:0002
	setpci -s "$IVS" BASE_ADDRESS_2=$(printf %08x $((a & 0xffffffff))) \
		BASE_ADDRESS_3=$(printf %08x $((a >> 32)))
	setpci -s "$IVS" COMMAND=0002:0002
	ivshmem_find
	log "ivshmem $IVS BAR2 at $IVS_BAR COMMAND=$(setpci -s "$IVS" COMMAND)"
}

# done_scen: the script's closing line.
done_scen() {
	echo "XT-DONE $SCEN fails=$FAILS"
}

# Where the lab host's firmware put the ivshmem BAR (recorded by main.sh at start).
IVS_HOME=$(cat /tmp/xt-ivs-home 2>/dev/null)
