# Scenario 3: an RMRR (--rmrr) over the place the guest moves the real BAR to.
# Strict (the default policy): refused, the write there never reaches the device, and a
# later move to a free place is mapped. Relaxed (--rdm ...policy=relaxed): mapped, warned.
. /xt/dom0/lib.sh
T=0xd0000000
AFTER=0xe0000000
RMRR=0xd0000000-0xd0ffffff
ivshmem_find || { check "lab host has an ivshmem-plain device" false; done_scen; exit; }
t=$(printf %x $T); a=$(printf %x $AFTER)

# --- strict
ivshmem_place "$IVS_HOME"
SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --rmrr "$RMRR@00:04.0" --record "$REC/s3-strict.rec")
[ -n "$NEGATIVE" ] && SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --record "$REC/s3-strict.rec") &&
	log "NEGATIVE: strict run without --rmrr"
cfg_pvh xt-s3s "xt=s3 xt_dev=00:04.0 xt_target=$T xt_off=0x3000 xt_tag=STR xt_after=$AFTER" > /tmp/s3s.cfg
guest_run /tmp/s3s.cfg xt-s3s
for f in guest.log xl-dmesg.log server.out server.err server.cmd; do mv "$OUT/s3.$f" "$OUT/s3-strict.$f" 2>/dev/null; done
G=$OUT/s3-strict.guest.log
S=$OUT/s3-strict.server.out
check "strict: guest ran to its end" has "$G" '^G S3-DONE STR'
check "strict: guest moved BAR2 onto the RMRR" has "$G" "^G moved 00:04\.0 bar2 to $T: BAR=${t%?}c "
check "strict: server reports the refusal" has "$S" "${EV}refuse 0000:00:04\.0 bar2 0x$t-0xd0ffffff rmrr 0x$t-0xd0ffffff policy=strict"
check "strict: server did not map the RMRR range" hasnt "$S" "${EV}map 0000:00:04\.0 bar2 mem 0x$t-"
check "strict: Xen never mapped it" hasnt "$OUT/s3-strict.xl-dmesg.log" "memory_map:add: d$D gfn=${t%???} "
check "strict: guest's write there did not read back" has "$G" '^G S3-STR-target read .* MISMATCH'
check "strict: moved on to a free place: mapped" has "$S" "${EV}map 0000:00:04\.0 bar2 mem 0x$a-0xe0ffffff"
check "strict: write at the free place reads back" has "$G" '^G S3-STR-after read .* MATCH'
check "strict: server exit status 0" [ "$SRVRC" = 0 ]
check "strict: domain gone" [ "$GONE" = 0 ]
STRICT_D=$D

# --- relaxed
ivshmem_place "$IVS_HOME"
SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --rmrr "$RMRR@00:04.0" --rdm strategy=host,policy=relaxed --record "$REC/s3-relaxed.rec")
[ -n "$NEGATIVE" ] && SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --rmrr "$RMRR@00:04.0" --record "$REC/s3-relaxed.rec") &&
	log "NEGATIVE: relaxed run without --rdm ...policy=relaxed"
cfg_pvh xt-s3r "xt=s3 xt_dev=00:04.0 xt_target=$T xt_off=0x4000 xt_tag=RLX xt_after=" > /tmp/s3r.cfg
guest_run /tmp/s3r.cfg xt-s3r
for f in guest.log xl-dmesg.log server.out server.err server.cmd; do mv "$OUT/s3.$f" "$OUT/s3-relaxed.$f" 2>/dev/null; done
G=$OUT/s3-relaxed.guest.log
S=$OUT/s3-relaxed.server.out
check "relaxed: guest ran to its end" has "$G" '^G S3-DONE RLX'
check "relaxed: server warns" has "$S" "${EV}warn 0000:00:04\.0 bar2 0x$t-0xd0ffffff rmrr 0x$t-0xd0ffffff policy=relaxed"
check "relaxed: server mapped the RMRR range" has "$S" "${EV}map 0000:00:04\.0 bar2 mem 0x$t-0xd0ffffff"
check "relaxed: the warning comes before the map" [ "$(grep -nE "${EV}(warn|map) 0000:00:04\.0 bar2 (mem )?0x$t-" "$S" | head -n1 | grep -c warn)" = 1 ]
check "relaxed: Xen mapped it" has "$OUT/s3-relaxed.xl-dmesg.log" "memory_map:add: d$D gfn=${t%???} mfn=${t%???} nr=1000"
check "relaxed: guest's write there reads back" has "$G" '^G S3-RLX-target read .* MATCH'
check "relaxed: server exit status 0" [ "$SRVRC" = 0 ]
check "relaxed: domain gone" [ "$GONE" = 0 ]
done_scen
