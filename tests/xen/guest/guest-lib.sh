# Helpers of the guest scenarios (sourced by /init). Only busybox, lspci and setpci.
up() { cut -d' ' -f1 /proc/uptime; }
hx() { printf 0x%x "$1"; }

# A 16-byte pattern as four little-endian 32-bit words ("VPCI" -> 0x49435056).
words() { printf '%s' "$1" | od -A n -t x4 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

# wpat ADDR STRING: write STRING (16 bytes) at ADDR with 32-bit stores through /dev/mem.
wpat() {
	local a=$(($1)) w rc=0
	for w in $(words "$2"); do
		devmem "$(hx $a)" 32 "0x$w" || rc=1
		a=$((a + 4))
	done
	echo "G wrote '$2' at $(hx $1) rc=$rc"
}

# rwords ADDR: the four 32-bit words at ADDR, as 8-digit lower-case hex.
rwords() {
	local a=$(($1)) i v out=
	for i in 0 1 2 3; do
		v=$(devmem "$(hx $a)" 32)
		out="$out $(printf %08x "$v")"
		a=$((a + 4))
	done
	echo "${out# }"
}

# rpat ADDR STRING LABEL: read 16 bytes at ADDR and say whether they are STRING.
rpat() {
	local got want
	got=$(rwords "$1")
	want=$(words "$2")
	if [ "$got" = "$want" ]; then
		echo "G $3 read $(hx $1): $got MATCH"
	else
		echo "G $3 read $(hx $1): $got MISMATCH want $want"
	fi
}

# rones ADDR LABEL: read 16 bytes at ADDR and say whether they are all ones.
rones() {
	local got
	got=$(rwords "$1")
	if [ "$got" = "ffffffff ffffffff ffffffff ffffffff" ]; then
		echo "G $2 read $(hx $1): $got ALLONES"
	else
		echo "G $2 read $(hx $1): $got NOT-ALLONES"
	fi
}

# bar64 BDF N: the address of the 64-bit memory BAR N (guest config space, via sysfs).
bar64() {
	local lo hi
	lo=$(setpci -s "$1" "BASE_ADDRESS_$2")
	hi=$(setpci -s "$1" "BASE_ADDRESS_$(($2 + 1))")
	hx $(((0x$hi << 32) | (0x$lo & 0xfffffff0)))
}

# movebar BDF N ADDR: move 64-bit memory BAR N as a driver would: decode off, program
# both halves, decode on.
movebar() {
	local a=$(($3))
	setpci -s "$1" COMMAND=0000:0002
	setpci -s "$1" "BASE_ADDRESS_$2=$(printf %08x $((a & 0xffffffff)))" \
		"BASE_ADDRESS_$(($2 + 1))=$(printf %08x $((a >> 32)))"
	setpci -s "$1" COMMAND=0002:0002
	echo "G moved $1 bar$2 to $(hx $a): BAR=$(setpci -s "$1" "BASE_ADDRESS_$2") $(setpci -s "$1" "BASE_ADDRESS_$(($2 + 1))") COMMAND=$(setpci -s "$1" COMMAND)"
}

# sizebar BDF N: size 64-bit memory BAR N the way firmware does (decode off, all ones,
# read back, restore) and print the size.
sizebar() {
	local lo0 hi0 lo hi cmd
	cmd=$(setpci -s "$1" COMMAND)
	lo0=$(setpci -s "$1" "BASE_ADDRESS_$2")
	hi0=$(setpci -s "$1" "BASE_ADDRESS_$(($2 + 1))")
	setpci -s "$1" COMMAND=0000:0002
	setpci -s "$1" "BASE_ADDRESS_$2=ffffffff" "BASE_ADDRESS_$(($2 + 1))=ffffffff"
	lo=$(setpci -s "$1" "BASE_ADDRESS_$2")
	hi=$(setpci -s "$1" "BASE_ADDRESS_$(($2 + 1))")
	setpci -s "$1" "BASE_ADDRESS_$2=$lo0" "BASE_ADDRESS_$(($2 + 1))=$hi0"
	setpci -s "$1" "COMMAND=$cmd"
	local mask=$(((0x$hi << 32) | (0x$lo & 0xfffffff0)))
	echo "G sizing $1 bar$2: read back $lo $hi -> size $(hx $((~mask + 1))) (restored $(setpci -s "$1" "BASE_ADDRESS_$2") $(setpci -s "$1" "BASE_ADDRESS_$(($2 + 1))"))"
}

# lsdev: the guest's PCI devices as lspci -n sees them, one "G lspci" line each.
lsdev() {
	lspci -n "$@" | while read -r l; do echo "G lspci $l"; done
}

# vv BDF: lspci -vv of one device, prefixed.
vv() {
	lspci -nn -vv -s "$1" | while read -r l; do echo "G vv $1 $l"; done
}
