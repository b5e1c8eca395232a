# Scenario 2: the lab host's real ivshmem-plain device passed to a PVH guest, BAR 1:1; the
# guest sizes and moves BAR2 and writes through it (run.sh checks the backing file).
. /xt/dom0/lib.sh
NEW=0xe0000000
ivshmem_find || { check "lab host has an ivshmem-plain device" false; done_scen; exit; }
ivshmem_place "$IVS_HOME"
OLD=$IVS_BAR
SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --record "$REC/s2.rec")
[ -n "$NEGATIVE" ] && SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --record "$REC/s2.rec") &&
	log "NEGATIVE: no --host"
info "real device $IVS BAR2 at $OLD; guest moves it to $NEW"
cfg_pvh xt-s2 "xt=s2 xt_dev=00:04.0 xt_new=$NEW" > /tmp/s2.cfg
real_bar() { REAL_AFTER=$(setpci -s "$IVS" BASE_ADDRESS_2):$(setpci -s "$IVS" BASE_ADDRESS_3); log "real device BAR2/3 while served: $REAL_AFTER"; }
HOOK_END=real_bar
guest_run /tmp/s2.cfg xt-s2
G=$OUT/s2.guest.log
S=$SRVOUT
o=$(printf %x $((OLD))); n=$(printf %x $((NEW)))
check "guest ran to its end" has "$G" '^G S2-DONE'
check "guest lspci: ivshmem 1af4:1110 at 00:04.0" has "$G" '^G vv 00:04\.0 00:04\.0 .*\[1af4:1110\]'
check "guest sees the real BAR2 at $OLD, 16M" has "$G" "^G vv 00:04\.0 +Region 2: Memory at $o \(64-bit, prefetchable\) \[size=16M\]"
check "write+readback through the 1:1 mapping at $OLD" has "$G" '^G S2-old-before-move read .* MATCH'
check "guest sized BAR2: 16M" has "$G" '^G sizing 00:04\.0 bar2: read back ff00000c ffffffff -> size 0x1000000'
check "guest moved BAR2 to $NEW" has "$G" "^G moved 00:04\.0 bar2 to $NEW: BAR=${n%?}c 00000000 COMMAND=.*"
check "write+readback at the new place" has "$G" '^G S2-new read .* MATCH'
check "new place is the same device memory" has "$G" '^G S2-new-sees-old-data read .* MATCH'
check "old place reads all ones after the move" has "$G" '^G S2-old-after-move read .* ALLONES'
check "write to the old place dropped" has "$G" '^G S2-old-write-after-move read .* ALLONES'
check "real device followed the move (BAR2 ${n%?}c)" [ "${REAL_AFTER%%:*}" = "${n%?}c" ]
check "server: map bar2 at $OLD" has "$S" "${EV}map 0000:00:04\.0 bar2 mem 0x$o-0x$(printf %x $((OLD + 0xffffff)))"
check "server: sizing bar2" has "$S" "${EV}sizing 0000:00:04\.0 bar2"
check "server: move bar2" has "$S" "${EV}move 0000:00:04\.0 bar2 0x$o -> 0x$n"
check "server: unmap old" has "$S" "${EV}unmap 0000:00:04\.0 bar2 mem 0x$o-"
# the old range's last event before the move is an unmap, and it is never mapped again
old_dead() {
	local mv
	mv=$(grep -nE "${EV}move 0000:00:04\.0 bar2 " "$S" | head -n1 | cut -d: -f1)
	[ -n "$mv" ] || return 1
	head -n "$mv" "$S" | grep -E "${EV}(un)?map 0000:00:04\.0 bar2 mem 0x$o-" | tail -n1 | grep -qE "${EV}unmap " &&
		! tail -n +"$mv" "$S" | grep -qE "${EV}map 0000:00:04\.0 bar2 mem 0x$o-"
}
check "server: old range unmapped before the move, never mapped again" old_dead
check "server: map new" has "$S" "${EV}map 0000:00:04\.0 bar2 mem 0x$n-0x$(printf %x $((NEW + 0xffffff)))"
check "Xen: memory_map:add at the new place" has "$OUT/s2.xl-dmesg.log" "memory_map:add: d$D gfn=${n%???} mfn=${n%???} nr=1000"
check "Xen: memory_map:remove of the old place" has "$OUT/s2.xl-dmesg.log" "memory_map:remove: d$D gfn=${o%???} mfn=${o%???} nr=1000"
check "server exit status 0 on SIGTERM" [ "$SRVRC" = 0 ]
check "domain gone, nothing lingering" [ "$GONE" = 0 ]
done_scen
