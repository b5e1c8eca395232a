# Scenario 0, the lab's self-test (no vpcitrap): dom0 mapped the ivshmem BAR 1:1 with
# xtmap; write through it. xt_bar: the BAR's address.
echo "G S0 /proc/iomem: $(tr '\n' ';' < /proc/iomem)"
echo "G S0 tools: $(command -v lspci) $(command -v setpci) $(lspci --version)"
wpat $((bar + 0x7000)) "VPCITRAP-S0-LAB!"
rpat $((bar + 0x7000)) "VPCITRAP-S0-LAB!" S0-lab
echo "G S0-DONE"
