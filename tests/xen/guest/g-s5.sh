# Scenario 5: dom0 stops the server with SIGTERM while this guest runs; its mappings and
# its config space must go away. xt_dev: the passed-through device; xt_off: where to write.
vv "$dev"
BAR=$(bar64 "$dev" 2)
echo "G S5 BAR=$BAR"
lsdev
wpat $((BAR + off)) "VPCITRAP-S5-$tag!"
rpat $((BAR + off)) "VPCITRAP-S5-$tag!" S5-before-term
echo "G S5-READY (waiting for the server to go)"
n=0
while [ $n -lt 120 ]; do
	[ "$(devmem $(hx $((BAR + off))) 32)" = 0xFFFFFFFF ] && break
	sleep 0.5
	n=$((n + 1))
done
echo "G S5 mapping gone after $n polls uptime=$(up)"
rones $((BAR + off)) S5-after-term
wpat $((BAR + off + 0x800)) "VPCITRAP-S5-$tag2!"
rones $((BAR + off + 0x800)) S5-write-after-term
echo "G S5 H1 after term: '$(lspci -H1 -n | tr '\n' ';')'"
echo "G S5-DONE"
