# Scenario 4: pci=assign-busses in a PVH guest behind served bridges; the devices must be
# reachable at their new bus numbers, because the server re-claimed them.
. /xt/dom0/lib.sh
SERVE_ARGS=(--machine /xt/machines/s4.machine --record "$REC/s4.rec")
EXTRA="pci=assign-busses"
[ -n "$NEGATIVE" ] && EXTRA= && log "NEGATIVE: guest without pci=assign-busses"
GLOGLEVEL=7 cfg_pvh xt-s4 "$EXTRA xt=s4 xt_old=10:00.0,10:01.0,11:00.0" > /tmp/s4.cfg
guest_run /tmp/s4.cfg xt-s4
G=$OUT/s4.guest.log
S=$SRVOUT
check "guest ran to its end" has "$G" '^G S4-DONE'
check "guest lspci: bridge 00:01.0" has "$G" '^G lspci 00:01\.0 0604: 1b36:0001'
check "guest lspci: bridge at its new number 01:00.0" has "$G" '^G lspci 01:00\.0 0604: 1b36:0001'
check "guest lspci: endpoint at its new number 01:01.0" has "$G" '^G lspci 01:01\.0 0880: 1234:2222'
check "guest lspci: endpoint at its new number 02:00.0" has "$G" '^G lspci 02:00\.0 0880: 1234:1111'
check "00:01.0 renumbered: 00/01/02" has "$G" '^G vv 00:01\.0 +Bus: primary=00, secondary=01, subordinate=02'
check "01:00.0 renumbered: 01/02/02" has "$G" '^G vv 01:00\.0 +Bus: primary=01, secondary=02, subordinate=02'
check "02:00.0 BAR0 still eb000000 4K" has "$G" '^G vv 02:00\.0 +Region 0: Memory at eb000000 \(32-bit, non-prefetchable\) \[size=4K\]'
check "raw cf8/cfc (lspci -H1) reaches 02:00.0" has "$G" '^G H1 02:00\.0 0880: 1234:1111'
check "raw cf8/cfc (lspci -H1) reaches 01:01.0" has "$G" '^G H1 01:01\.0 0880: 1234:2222'
check "old number 11:00.0 is empty" has "$G" "^G S4 old 11:00\.0: ''"
check "old number 10:01.0 is empty" has "$G" "^G S4 old 10:01\.0: ''"
check "server: renumber 00:01.0 to secondary 1" has "$S" "${EV}renumber 0000:00:01\.0 secondary [^ ]+->(0x)?0*1 "
check "server: renumber 00:01.0 to subordinate 2" has "$S" "${EV}renumber 0000:00:01\.0 secondary [^ ]+ subordinate [^ ]+->(0x)?0*2\$"
check "server: renumber the inner bridge to secondary 2" has "$S" "${EV}renumber 0000:01:00\.0 secondary [^ ]+->(0x)?0*2 "
check "server exit status 0 on SIGTERM" [ "$SRVRC" = 0 ]
check "domain gone, nothing lingering" [ "$GONE" = 0 ]
done_scen
