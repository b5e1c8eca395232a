# Scenario 5, HVM: qemu-xen owns the chipset and port 0xcf8; hvmloader sizes and places the
# BARs of our devices (00:05.0 from the machine file, the real ivshmem at 00:06.0) through
# vpcitrap; then SIGTERM to the server while the guest uses the 1:1 mapping.
. /xt/dom0/lib.sh
. /xt/dom0/s5-common.sh
ivshmem_find || { check "lab host has an ivshmem-plain device" false; done_scen; exit; }
# hvmloader owns 0xfc000000-0xffffffff of an HVM guest: start the real BAR below it
ivshmem_place 0xd8000000
DEVN=6
NAME=xt-s5h
CFG=/tmp/s5h.cfg
READY_TIMEOUT=240
export GCONS=/tmp/xt-s5h-serial.log
# Not --leave-ports: with it, 2 of 6 lab runs stalled the whole emulated machine in this
# scenario (docs/xenlab.md, Stalls); without it, none did
SERVE_ARGS=(--machine /xt/machines/hvm.machine --host "$IVS@00:06.0" --record "$REC/s5h.rec")
cfg_hvm $NAME "xt=s5 xt_dev=00:06.0 xt_off=0x6000 xt_tag=HVM xt_tag2=HPS xt_stay=1" > $CFG
s5_run
G=$OUT/s5h.guest.log
B=$BARH
info "hvmloader placed ivshmem BAR2 at 0x$B"
below_fc() { [ -n "$B" ] && [ $((0x$B)) -lt $((0xfc000000)) ]; }
check "hvmloader sized our 00:05.0 BAR0 (64K)" has "$OUT/s5h.xl-dmesg.log" 'pci dev 05:0 bar 10 size 000010000'
check "hvmloader sized our 00:05.0 BAR1 (64-bit, 2M)" has "$OUT/s5h.xl-dmesg.log" 'pci dev 05:0 bar 14 size 000200000'
check "hvmloader sized the real ivshmem BAR2 (16M)" has "$OUT/s5h.xl-dmesg.log" 'pci dev 06:0 bar 18 size 001000000'
check "ivshmem BAR2 placed below 0xfc000000" below_fc
check "server: sizing of 00:05.0 bar0 by hvmloader" has "$OUT/s5h.server.out" "${EV}sizing 0000:00:05\.0 bar0"
check "server: map of 00:06.0 bar2 where hvmloader put it" has "$OUT/s5h.server.out" "${EV}map 0000:00:06\.0 bar2 mem 0x$B-"
check "guest Linux sees 00:05.0 1234:5555 next to qemu's devices" has "$G" '^G lspci 00:05\.0 0880: 1234:5555'
check "guest Linux sees the real ivshmem at 00:06.0" has "$G" '^G lspci 00:06\.0 0500: 1af4:1110'
done_scen
