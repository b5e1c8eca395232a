#!/bin/bash
# /xenlab-init in the lab's dom0 image (init= on the dom0 kernel command line).
# Deliberately small: everything a run does comes from the per-run disk (/dev/vdb, mounted
# on /xt), so changing a scenario never rebuilds the image.
export PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys 2>/dev/null
mount -t devtmpfs dev /dev 2>/dev/null
mount -o remount,rw / 2>/dev/null
mkdir -p /dev/pts /dev/shm /xt
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
echo "XENLAB-DOM0-INIT uptime=$(cut -d' ' -f1 /proc/uptime)"
for i in $(seq 1 50); do [ -b /dev/vdb ] && break; sleep 0.1; done
if mount -t ext4 /dev/vdb /xt && [ -x /xt/dom0/main.sh ]; then
	/xt/dom0/main.sh
	echo "XENLAB-DOM0-MAIN rc=$?"
else
	echo "XENLAB-DOM0-INIT: no run disk (/dev/vdb with dom0/main.sh)"
fi
sync
umount /xt 2>/dev/null
sync
echo "XENLAB-POWEROFF"
echo o > /proc/sysrq-trigger
sleep 10
poweroff -f
