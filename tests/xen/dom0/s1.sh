# Scenario 1: a PVH guest's Linux enumerates a machine served entirely by vpcitrap.
. /xt/dom0/lib.sh
M=/xt/machines/s1.machine
if [ -n "$NEGATIVE" ]; then
	# negative control: the endpoint behind the bridge is left out of the machine
	sed '/^device 00:1c.0\/00.0/,$d' $M > /tmp/s1-neg.machine
	M=/tmp/s1-neg.machine
	log "NEGATIVE: machine without 00:1c.0/00.0"
fi
SERVE_ARGS=(--machine "$M" --record "$REC/s1.rec")
GLOGLEVEL=7 cfg_pvh xt-s1 "xt=s1" > /tmp/s1.cfg
guest_run /tmp/s1.cfg xt-s1
G=$OUT/s1.guest.log
S=$SRVOUT
check "guest ran to its end" has "$G" '^G S1-DONE'
check "guest lspci: host bridge 00:00.0 8086:29c0" has "$G" '^G lspci 00:00\.0 0600: 8086:29c0'
check "guest lspci: endpoint 00:02.0 8086:10d3" has "$G" '^G lspci 00:02\.0 0200: 8086:10d3'
check "guest lspci: endpoint 00:03.0 1b36:0005" has "$G" '^G lspci 00:03\.0 00ff: 1b36:0005'
check "guest lspci: bridge 00:1c.0 8086:a110" has "$G" '^G lspci 00:1c\.0 0604: 8086:a110'
check "guest lspci: endpoint 01:00.0 10ec:8168 behind the bridge" has "$G" '^G lspci 01:00\.0 0200: 10ec:8168 \(rev 15\)'
check "guest lspci: exactly 5 functions" [ "$(count "$G" '^G lspci ')" = 5 ]
check "00:02.0 BAR0 mem32 e8000000 128K" has "$G" '^G vv 00:02\.0 +Region 0: Memory at e8000000 \(32-bit, non-prefetchable\) \[size=128K\]'
check "00:02.0 BAR2 I/O d000 32" has "$G" '^G vv 00:02\.0 +Region 2: I/O ports at d000 \[size=32\]'
check "00:02.0 BAR3 mem32 e8020000 16K" has "$G" '^G vv 00:02\.0 +Region 3: Memory at e8020000 \(32-bit, non-prefetchable\) \[size=16K\]'
check "00:02.0 subsystem 8086:a01f" has "$G" '^G vv 00:02\.0 +Subsystem: .*\[8086:a01f\]'
check "00:03.0 BAR0 mem64 pref e9000000 1M" has "$G" '^G vv 00:03\.0 +Region 0: Memory at e9000000 \(64-bit, prefetchable\) \[size=1M\]'
check "00:03.0 expansion ROM 64K" has "$G" '^G vv 00:03\.0 +Expansion ROM at .*\[size=64K\]'
check "00:1c.0 bus numbers 00/01/01" has "$G" '^G vv 00:1c\.0 +Bus: primary=00, secondary=01, subordinate=01'
check "00:1c.0 I/O window e000-efff" has "$G" '^G vv 00:1c\.0 +I/O behind bridge: (0000)?e000-(0000)?efff'
check "00:1c.0 memory window ea000000-ea0fffff" has "$G" '^G vv 00:1c\.0 +Memory behind bridge: ea000000-ea0fffff'
check "01:00.0 BAR0 I/O e000 256" has "$G" '^G vv 01:00\.0 +Region 0: I/O ports at e000 \[size=256\]'
check "01:00.0 BAR2 mem64 ea000000 4K" has "$G" '^G vv 01:00\.0 +Region 2: Memory at ea000000 \(64-bit, non-prefetchable\) \[size=4K\]'
check "raw cf8/cfc from guest user space (lspci -H1) reaches 01:00.0" has "$G" '^G H1 01:00\.0 0200: 10ec:8168'
check "guest kernel found the devices itself" has "$G" 'pci 0000:01:00\.0: \[10ec:8168\] type 00 class 0x020000'
check "server: map 00:02.0 bar0" has "$S" "${EV}map 0000:00:02\.0 bar0 mem 0xf?e8000000-0xf?e801ffff"
check "server: map 00:03.0 bar0 (64-bit)" has "$S" "${EV}map 0000:00:03\.0 bar0 mem 0xe9000000-0xe90fffff"
check "server: map 01:00.0 bar2 behind the bridge" has "$S" "${EV}map 0000:01:00\.0 bar2 mem 0xea000000-0xea000fff"
check "server: I/O BAR granted" has "$S" "${EV}map 0000:00:02\.0 bar2 io 0xd000-0xd01f"
check "server: the guest kernel's BAR sizing seen" has "$S" "${EV}sizing 0000:00:02\.0 bar0"
check "Xen: 1:1 memory_map:add for 0xe8000" has "$OUT/s1.xl-dmesg.log" "memory_map:add: d$D gfn=e8000 mfn=e8000"
check "server exit status 0 on SIGTERM" [ "$SRVRC" = 0 ]
check "domain gone, nothing lingering" [ "$GONE" = 0 ]
check "recording written" [ -s "$OUT/s1.rec" ]
info "recording $(wc -l < "$OUT/s1.rec" 2>/dev/null) lines; replayed on the host by run.sh"
done_scen
