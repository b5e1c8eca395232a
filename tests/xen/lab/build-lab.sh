#!/bin/bash
# tests/xen/lab/build-lab.sh OUTDIR
#
# Builds the real-Xen lab from Debian bookworm packages into OUTDIR:
#   xen               Xen 4.17 hypervisor (ELF with a multiboot header; QEMU -kernel loads it)
#   vmlinuz, initrd   the Debian kernel of the dom0 image (also the guests' kernel)
#   dom0.img          ext4 image of a debootstrapped dom0 with xl, xenstored, pciutils, qemu-xen
#   guest-base.cpio.gz  guest initramfs base: busybox-static, lspci/setpci with their libraries
#   manifest          versions of what went in
#   complete          written last: the cache entry is usable
# The hypervisor and busybox-static are fetched with apt-get download and unpacked with
# dpkg-deb -x: nothing of Xen is installed on the host. Every file in tests/xen/lab/ is part
# of the recipe: run.sh keys the cache by their hash, so editing one rebuilds.
# Needs root, debootstrap, e2fsprogs, cpio; network only to the host's Debian mirrors.
set -euo pipefail
OUT=${1:?usage: build-lab.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
DEBCACHE=${XENLAB_DEBCACHE:-$(dirname "$OUT")/debs}
SUITE=bookworm
IMGSIZE=${XENLAB_IMGSIZE:-3G}

log() { echo "build-lab: [$(date +%T)] $*"; }
pkgs() { sed -n "s/^$1: *//p" "$HERE/packages" | tr '\n' ' '; }

# The host's own Debian mirror for a suite (deb822 sources or one-line sources.list).
host_mirror() {
	local suite=$1 f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v s="$suite" '
			/^[ \t]*$/ { if (u != "" && hit) { print u; exit } u = ""; hit = 0; next }
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
			END { if (u != "" && hit) print u }' "$f" | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk -v s="$suite" '$1 == "deb" { o = 2; if ($2 ~ /^\[/) { while ($o !~ /\]$/) o++; o++ }
			if ($(o+1) == s) { print $o; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

MIRROR=$(host_mirror $SUITE) || { echo "build-lab: no $SUITE entry in the host's apt sources" >&2; exit 2; }
SECMIRROR=$(host_mirror $SUITE-security) || SECMIRROR=
log "mirrors: $SUITE from $MIRROR; security: ${SECMIRROR:-none}"

TMP="$OUT.tmp"
ROOT="$TMP/rootfs"
cleanup() {
	for m in dev/pts dev proc sys; do mountpoint -q "$ROOT/$m" 2>/dev/null && umount -l "$ROOT/$m"; done
	return 0
}
trap cleanup EXIT
cleanup
rm -rf "$TMP"
mkdir -p "$TMP" "$DEBCACHE"

# 1. debootstrap the dom0 root file system
log "debootstrap $SUITE (minbase + $(pkgs debootstrap))"
debootstrap --variant=minbase --cache-dir="$DEBCACHE" \
	--include="$(pkgs debootstrap | tr ' ' ',' | sed 's/,*$//')" \
	$SUITE "$ROOT" "$MIRROR" > "$TMP/debootstrap.log" 2>&1 ||
	{ tail -30 "$TMP/debootstrap.log"; exit 1; }

# 2. the Xen tools and the kernel, from bookworm and bookworm-security, in the chroot
{
	echo "deb $MIRROR $SUITE main"
	echo "deb $MIRROR $SUITE-updates main"
	[ -n "$SECMIRROR" ] && echo "deb $SECMIRROR $SUITE-security main"
} > "$ROOT/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
log "chroot: apt-get update, dist-upgrade, install $(pkgs chroot)"
in_chroot() { DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@"; }
{
	in_chroot apt-get update &&
	in_chroot apt-get -y -o Dir::Cache::archives=/var/cache/apt/archives dist-upgrade &&
	in_chroot apt-get install -y --no-install-recommends $(pkgs chroot)
} > "$TMP/chroot-apt.log" 2>&1 || { tail -30 "$TMP/chroot-apt.log"; exit 1; }
in_chroot apt-get clean
rm -f "$ROOT/usr/sbin/policy-rc.d"
install -m 755 "$HERE/dom0-init.sh" "$ROOT/xenlab-init"
mkdir -p "$ROOT/xt"
echo xenlab-dom0 > "$ROOT/etc/hostname"

KVER=$(ls "$ROOT/lib/modules" | sort -V | tail -n1)
[ -f "$ROOT/boot/vmlinuz-$KVER" ] && [ -f "$ROOT/boot/initrd.img-$KVER" ] ||
	{ echo "build-lab: kernel $KVER or its initrd missing in the image" >&2; exit 1; }
cp "$ROOT/boot/vmlinuz-$KVER" "$TMP/vmlinuz"
cp "$ROOT/boot/initrd.img-$KVER" "$TMP/initrd"

# 3. the hypervisor and busybox-static, unpacked on the host
log "apt-get download $(pkgs host)"
mkdir -p "$TMP/debs" "$TMP/ex"
(cd "$TMP/debs" && apt-get download $(pkgs host) > "$TMP/download.log" 2>&1) ||
	{ cat "$TMP/download.log"; exit 1; }
for d in "$TMP"/debs/*.deb; do dpkg-deb -x "$d" "$TMP/ex"; done
XENGZ=$(ls "$TMP"/ex/boot/xen-4.17*-amd64.gz | head -n1)
zcat "$XENGZ" > "$TMP/xen"

# 4. the guest initramfs base: busybox-static, lspci and setpci with their libraries
log "guest initramfs base"
G="$TMP/gbase"
mkdir -p "$G"/{bin,sbin,usr/bin,usr/sbin,usr/share/misc,proc,sys,dev,tmp,lib64,etc}
cp "$TMP/ex/bin/busybox" "$G/bin/busybox"
for a in $("$G/bin/busybox" --list-full); do
	[ -e "$G/$a" ] || ln -s /bin/busybox "$G/$a"
done
for b in /usr/bin/lspci /usr/bin/setpci; do
	rm -f "$G$b"
	cp "$ROOT$b" "$G$b"
	for l in $(chroot "$ROOT" ldd "$b" | grep -o '/[^ ]*'); do
		mkdir -p "$G$(dirname "$l")"
		cp -L "$ROOT$l" "$G$l"
	done
done
[ -f "$ROOT/usr/share/misc/pci.ids" ] && cp -L "$ROOT/usr/share/misc/pci.ids" "$G/usr/share/misc/"
(cd "$G" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) > "$TMP/guest-base.cpio.gz"

# 5. manifest and the dom0 image
{
	echo "recipe: tests/xen/lab (build-lab.sh, dom0-init.sh, packages)"
	echo "built: $(date -u +%FT%TZ) on $(uname -n)"
	echo "mirror: $MIRROR ${SECMIRROR:+security: $SECMIRROR}"
	echo "kernel: $KVER"
	echo "xen: $(basename "$XENGZ") from $(dpkg-deb -f "$TMP"/debs/xen-hypervisor-4.17-amd64_*.deb Version)"
	echo "busybox-static: $(dpkg-deb -f "$TMP"/debs/busybox-static_*.deb Version)"
	chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}\n' | grep -E '^(xen-utils|xenstore|libxen|qemu-system-xen|pciutils|libpci3|linux-image)' | sed 's/^/dom0: /'
} > "$TMP/manifest"
cleanup
log "dom0 image ($IMGSIZE, mkfs.ext4 -d)"
rm -rf "$ROOT/var/cache/apt/archives"/*.deb "$ROOT/var/lib/apt/lists"/*_Packages
truncate -s "$IMGSIZE" "$TMP/dom0.img"
mkfs.ext4 -q -F -L xenlab-dom0 -d "$ROOT" "$TMP/dom0.img"
rm -rf "$ROOT" "$TMP/ex" "$TMP/gbase"
date -u +%FT%TZ > "$TMP/complete"
rm -rf "$OUT"
mv "$TMP" "$OUT"
log "done: $OUT"
