# Scenario 1: the guest's Linux enumerated a machine served entirely by vpcitrap.
echo "G S1 lspci -n:"
lsdev
echo "G S1 tree: $(lspci -t | tr '\n' ' ')"
for d in $(lspci | cut -d' ' -f1); do vv "$d"; done
# Config reads straight through cf8/cfc from user space (lspci -H1), bypassing the kernel.
lspci -H1 -n | while read -r l; do echo "G H1 $l"; done
echo "G S1-DONE"
