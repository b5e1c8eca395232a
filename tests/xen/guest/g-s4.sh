# Scenario 4: booted with pci=assign-busses behind served bridges: Linux renumbered them.
echo "G S4 lspci -n:"
lsdev
echo "G S4 tree: $(lspci -t | tr '\n' ' ')"
for d in $(lspci | cut -d' ' -f1); do vv "$d"; done
# The new numbers reach the devices through cf8/cfc from user space; the old ones do not.
lspci -H1 -n | while read -r l; do echo "G H1 $l"; done
for s in $(echo "$old" | tr , " "); do
	echo "G S4 old $s: '$(lspci -H1 -n -s "$s")'"
done
echo "G S4-DONE"
