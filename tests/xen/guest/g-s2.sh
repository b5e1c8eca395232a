# Scenario 2: a real ivshmem-plain device passed 1:1; size, move, write, old place dead.
# xt_dev: its guest BDF; xt_new: where to move BAR2.
vv "$dev"
OLD=$(bar64 "$dev" 2)
echo "G S2 OLD=$OLD NEW=$new"
wpat "$OLD" "VPCITRAP-S2-OLD!"
rpat "$OLD" "VPCITRAP-S2-OLD!" S2-old-before-move
sizebar "$dev" 2
movebar "$dev" 2 "$new"
echo "G S2 BAR2 now $(bar64 "$dev" 2)"
wpat $((new + 0x1000)) "VPCITRAP-S2-NEW!"
rpat $((new + 0x1000)) "VPCITRAP-S2-NEW!" S2-new
rpat "$new" "VPCITRAP-S2-OLD!" S2-new-sees-old-data
rones "$OLD" S2-old-after-move
wpat $((OLD + 0x2000)) "VPCITRAP-S2-STL!"
rones $((OLD + 0x2000)) S2-old-write-after-move
echo "G S2-DONE"
