# Scenario 5 body, shared by the PVH (s5.sh) and HVM (s5h.sh) variants: the guest writes
# through the 1:1 mapping, then dom0 sends SIGTERM to the server while the guest runs.
# The server must unmap everything and destroy its ioreq server (the guest then reads all
# ones from the BAR and from its config space), and the domain must go without lingering.
# Needs: CFG NAME DEVN READY_TIMEOUT, SERVE_ARGS, and GCONS for HVM.
s5_run() {
	guest_create "$CFG" "$NAME" || { check "xl create" false; return; }
	serve "${SERVE_ARGS[@]}" || { check "server started" false; xl destroy "$NAME"; collect; return; }
	xl unpause "$NAME"
	log "unpaused $NAME"
	wait_cons '^G S5-READY' "$READY_TIMEOUT"
	check "guest reached S5-READY" [ $? = 0 ]
	# where the BAR is now (for HVM: where hvmloader put it), as the guest read it
	BARH=$(gcat | sed -n 's/^G S5 BAR=0x//p' | head -n1)
	info "device BAR2 at 0x$BARH in the guest"
	MAPS_BEFORE=$(count "$SRVOUT" "${EV}map ")
	cp "$SRVOUT" /tmp/s5-before.out
	xl dmesg > /tmp/s5-dmesg-before.log
	if [ -n "$NEGATIVE" ]; then
		log "NEGATIVE: SIGKILL instead of SIGTERM"
		kill -KILL $SRV
		wait $SRV 2>/dev/null
		SRVRC=$?
		SRV=
	else
		serve_stop
	fi
	wait_cons '^G S5-DONE' 90
	check "guest finished its checks after the server went" [ $? = 0 ]
	t0=$(up)
	timeout 60 xl destroy "$NAME"
	info "xl destroy rc=$?"
	dom_gone "$NAME" 15
	GONE=$?
	info "domain gone after $(awk "BEGIN{print $(up) - $t0}") s (rc $GONE)"
	collect
	G=$OUT/$SCEN.guest.log
	S=$SRVOUT
	# after SIGTERM: every mapped BAR unmapped (maps minus unmaps per SBDF+BAR is empty)
	local left
	left=$(sed -E 's/^[0-9]+: //' "$S" | awk '$1 == "map" { m[$2 " " $3] = $0 } $1 == "unmap" { delete m[$2 " " $3] } END { for (k in m) print m[k] }')
	info "maps before SIGTERM: $MAPS_BEFORE; left mapped at exit: [${left}]"
	check "server: something was mapped before SIGTERM" [ "$MAPS_BEFORE" -ge 2 ]
	check "server: every mapping undone at exit" [ -z "$left" ]
	check "server: unmap of the device BAR after SIGTERM" [ "$(diff /tmp/s5-before.out "$S" | grep -cE "^> ${EV#^}unmap 0000:00:0$DEVN\.0 bar2 mem ")" -ge 1 ]
	check "server exited by itself within 15 s, status 0" [ "$SRVRC" = 0 -a -z "${SRVKILLED:-}" ]
	local newd
	newd=$(diff /tmp/s5-dmesg-before.log "$OUT/$SCEN.xl-dmesg.log" | grep -c "memory_map:remove: d$D gfn=${BARH%???} ")
	[ -n "$BARH" ] || newd=0
	check "Xen: memory_map:remove of the BAR after SIGTERM" [ "$newd" -ge 1 ]
	check "guest: write+readback through the mapping before SIGTERM" has "$G" '^G S5-before-term read .* MATCH'
	check "guest: BAR reads all ones after SIGTERM" has "$G" '^G S5-after-term read .* ALLONES'
	check "guest: write after SIGTERM dropped" has "$G" '^G S5-write-after-term read .* ALLONES'
	check "guest: config space of the served devices gone (ioreq server destroyed)" has "$G" "^G S5 H1 after term: '[^']*'\$"
	check "guest: no served device answers after SIGTERM" hasnt "$G" "^G S5 H1 after term: .*(1af4:1110|8086:10d3|1234:5555)"
	check "domain destroyed, nothing lingering (no dying domain)" [ "$GONE" = 0 ]
}
