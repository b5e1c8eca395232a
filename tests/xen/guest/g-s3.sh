# Scenario 3: move the real BAR onto an RMRR range (xt_target), write there (xt_off into
# the BAR, pattern tag xt_tag), then move it to a free place (xt_after) and write again.
OLD=$(bar64 "$dev" 2)
echo "G S3 $tag OLD=$OLD TARGET=$target AFTER=$after"
movebar "$dev" 2 "$target"
wpat $((target + off)) "VPCITRAP-S3-$tag!"
rpat $((target + off)) "VPCITRAP-S3-$tag!" S3-$tag-target
if [ -n "$after" ]; then
	movebar "$dev" 2 "$after"
	wpat $((after + off + 0x800)) "VPCITRAP-S3-AFT!"
	rpat $((after + off + 0x800)) "VPCITRAP-S3-AFT!" S3-$tag-after
fi
echo "G S3-DONE $tag"
