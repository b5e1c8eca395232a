#!/bin/bash
# Dom0 side of a lab run (/xt/dom0/main.sh on the per-run disk, started by /xenlab-init).
# Starts the Xen tools, then runs each scenario named in /xt/run.env (SCENARIOS) with a
# time limit, cleaning up guests and servers between them. Results go to the serial console
# (XT-* lines, read by tests/xen/run.sh) and to /xt/out.
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
SCENARIOS="s1 s2 s3 s4 s5 s5h"
NEGATIVE=
SCEN_TIMEOUT=300
. /xt/run.env
up() { cut -d' ' -f1 /proc/uptime; }
mkdir -p /xt/out
echo "XT-MAIN start uptime=$(up) scenarios=[$SCENARIOS] negative=[$NEGATIVE]"

for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd; do
	modprobe $m || echo "XT-MAIN modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen
mkdir -p /run/xenstored /run/xen /var/log/xen/console /var/lib/xen /var/run/xen
xenstored --pid-file /run/xenstored.pid
for i in $(seq 1 30); do xenstore-read / > /dev/null 2>&1 && break; sleep 1; done
timeout 60 xen-init-dom0 > /dev/null || echo "XT-MAIN xen-init-dom0 failed"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
echo "XT-MAIN tools up uptime=$(up)"
xl info | grep -E '^(xen_version|xen_caps|virt_caps|total_memory|free_memory)' | sed 's/^/XT-MAIN /'
{
	echo "== lspci"
	lspci -nn
	echo "== /proc/iomem"
	cat /proc/iomem
	echo "== ldd vpcitrap"
	ldd /xt/bin/vpcitrap
	echo "== vpcitrap --version"
	/xt/bin/vpcitrap --version
} > /xt/out/dom0-facts.log 2>&1
lspci -nn | sed 's/^/XT-MAIN lspci /'
IVS=$(lspci -D -n -d 1af4:1110 | awk 'NR == 1 {print $1}')
if [ -n "$IVS" ]; then
	lo=$(setpci -s "$IVS" BASE_ADDRESS_2)
	hi=$(setpci -s "$IVS" BASE_ADDRESS_3)
	printf 0x%x $(((0x$hi << 32) | (0x$lo & 0xfffffff0))) > /tmp/xt-ivs-home
	echo "XT-MAIN ivshmem $IVS BAR2 at $(cat /tmp/xt-ivs-home) COMMAND=$(setpci -s "$IVS" COMMAND)"
else
	echo "XT-MAIN no ivshmem-plain device (1af4:1110) in dom0"
fi
grep -q 'not found' /xt/out/dom0-facts.log && grep 'not found' /xt/out/dom0-facts.log | sed 's/^/XT-MAIN ldd /'

for s in $SCENARIOS; do
	echo "XT-BEGIN $s uptime=$(up)"
	t0=$(up)
	SCEN=$s NEGATIVE=$NEGATIVE timeout -k 10 $SCEN_TIMEOUT bash /xt/dom0/$s.sh > /xt/out/$s.dom0.log 2>&1
	rc=$?
	cat /xt/out/$s.dom0.log
	[ $rc = 124 ] || [ $rc = 137 ] && echo "XT-CHECK $s FAIL: scenario timed out after $SCEN_TIMEOUT s"
	# whatever the script left behind: its server, its guests
	if [ -f /tmp/xt-server.pid ]; then
		kill -TERM "$(cat /tmp/xt-server.pid)" 2>/dev/null
		sleep 2
		kill -KILL "$(cat /tmp/xt-server.pid)" 2>/dev/null
		rm -f /tmp/xt-server.pid
	fi
	for d in $(xl list 2>/dev/null | awk 'NR > 1 && $2 != 0 {print $2}'); do
		echo "XT-LOG $s cleanup: destroying leftover domain $d"
		xl destroy "$d" 2>/dev/null
	done
	echo "XT-END $s rc=$rc wall=$(awk "BEGIN{print $(up) - $t0}") uptime=$(up)"
done
xl dmesg > /xt/out/xl-dmesg.log 2>&1
echo "XT-MAIN all done uptime=$(up)"
