# Scenario 5, PVH: SIGTERM to the server while the guest uses a 1:1 mapping.
. /xt/dom0/lib.sh
. /xt/dom0/s5-common.sh
ivshmem_find || { check "lab host has an ivshmem-plain device" false; done_scen; exit; }
ivshmem_place "$IVS_HOME"
BARH=$(printf %x $((IVS_BAR)))
DEVN=4
NAME=xt-s5
CFG=/tmp/s5.cfg
READY_TIMEOUT=150
SERVE_ARGS=(--machine /xt/machines/pvh-ivshmem.machine --host "$IVS@00:04.0" --record "$REC/s5.rec")
cfg_pvh $NAME "xt=s5 xt_dev=00:04.0 xt_off=0x5000 xt_tag=PRE xt_tag2=PST xt_stay=1" > $CFG
s5_run
check "guest saw the served devices before SIGTERM" has "$OUT/s5.guest.log" '^G lspci 00:04\.0 0500: 1af4:1110'
done_scen
