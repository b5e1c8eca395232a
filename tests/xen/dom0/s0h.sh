# Scenario 0: the lab's self-test, without vpcitrap. A PVH guest boots from the lab's
# initramfs, dom0 maps the real ivshmem BAR into it 1:1 with xtmap (libxenctrl), and the
# guest writes through it (run.sh checks the backing file). If this fails, the lab is broken.
. /xt/dom0/lib.sh
ivshmem_find || { check "lab host has an ivshmem-plain device" false; done_scen; exit; }
N=xt-$SCEN
if [ "$SCEN" = s0h ]; then
	# the HVM variant (not in the default list): the BAR below hvmloader's 0xfc000000
	ivshmem_place 0xd8000000
	export GCONS=/tmp/xt-s0h-serial.log
	cfg_hvm $N "xt=s0 xt_bar=$IVS_BAR" > /tmp/s0.cfg
else
	ivshmem_place "$IVS_HOME"
	cfg_pvh $N "xt=s0 xt_bar=$IVS_BAR" > /tmp/s0.cfg
fi
MFN=$(printf 0x%x $((IVS_BAR >> 12)))
guest_create /tmp/s0.cfg $N || { check "xl create" false; done_scen; exit; }
if [ -n "$NEGATIVE" ]; then
	log "NEGATIVE: BAR not mapped"
else
	/xt/bin/xtmap add "$D" "$MFN" 0x1000
	check "xtmap add" [ $? = 0 ]
fi
xl unpause $N
wait_cons '^G END' 240
check "guest booted and ran its script" [ $? = 0 ]
for i in $(seq 1 25); do xl domid $N > /dev/null 2>&1 || break; sleep 0.2; done
[ -n "$NEGATIVE" ] || /xt/bin/xtmap remove "$D" "$MFN" 0x1000
dom_gone $N 20
GONE=$?
collect
G=$OUT/$SCEN.guest.log
check "guest initramfs has lspci and setpci" has "$G" '^G S0 tools: /usr/bin/lspci /usr/bin/setpci lspci version'
check "write+readback through the 1:1 mapping" has "$G" '^G S0-lab read .* MATCH'
check "Xen: memory_map:add" has "$OUT/$SCEN.xl-dmesg.log" "memory_map:add: d$D gfn=${MFN#0x} mfn=${MFN#0x} nr=1000"
check "domain gone" [ "$GONE" = 0 ]
done_scen
