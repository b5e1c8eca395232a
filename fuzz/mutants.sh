#!/bin/sh
# fuzz/mutants.sh - every invariant can fail: build the harnesses against a
# copy of the core with one deliberate bug, run them over the seed corpus,
# and require the expected invariant to abort. Prints CAUGHT or MISSED per
# mutant; exits non-zero if any is missed or no longer applies (the core
# changed under it: update the table). ONLY="name ..." runs only those.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
BUILD=${BUILD:-$top/fuzz-build}
work=$BUILD/mutants
fail=0

# name @ file @ code to replace (first occurrence, literally) @ replacement @ harness @ message
# expected @ seed (optional: one file of corpus/<harness>; default the whole corpus)
table() {
	cat <<'TABLE'
routing-not-rebuilt@vpci/header.c@vpci_route_rebuild(d->m, d->bus->seg);@(void)0;@access@routing
readback-mask@vpci/header.c@wm = addr_mask(b);@wm = addr_mask(b) << 1;@access@reads 0x
cfc-offset-ignored@traps/traps.c@out->reg = (uint16_t)((cf8 & 0xfc) | (port & 3));@out->reg = (uint16_t)(cf8 & 0xfc);@access@pio read|bus numbers read
conflicts-ignored@mapper/mapper.c@d->refusing += refuse;@d->refusing += 0;@access@overlaps|map_refcount
ram-not-registered@mapper/mapper.c@return regions_add(&m->regions, kind, r);@return kind == MAP_REGION_RAM ? 0 : regions_add(&m->regions, kind, r);@access@a mapped page overlaps RAM@moves-ram-reserved-sharing
refcount-without-pins@mapper/mapper.c@return n ? n->count : 0;@return n ? n->count - n->pin : 0;@access@map_refcount
unmap-shared-page@mapper/refs.c@n->count--;@n->count--; if (n->count == 1 && !n->pin) run_add(&rn, false, n->first, n->last);@access@still mapped@moves-ram-reserved-sharing
unmap-twice@mapper/mapper.c@refs_add(&m->refs[s->space], f, l, -1, false, apply, &a);@refs_add(&m->refs[s->space], f, l, -1, false, apply, &a); apply(&a, false, f, l);@access@not all mapped
map-twice@mapper/mapper.c@refs_add(&m->refs[space], f, l, 1, false, apply, &a);@refs_add(&m->refs[space], f, l, 1, false, apply, &a); apply(&a, true, f, l);@access@already mapped
32bit-bar-at-4g@vpci/header.c@if (b->type != VPCI_BAR_MEM64 && r->last >= 0xffffffffull)@if (0)@access@map_refcount|map_walk|should be mapped
rmrr-scope-ignored@vpci/tree.c@if (!scoped && !m->rdm.strategy_host)@if (0)@access@map_refcount|map_walk|should be mapped
slow-route-window@vpci/topo.c@want >= sec && want <= sub@want >= sec@access@vpci_route_slow
latch-read@traps/traps.c@return t->cf8;@return t->cf8 ^ 4;@access@0xcf8 reads@raw-odd-accesses
absent-reads-zero@vpci/dev.c@return vt_size_mask(size); /* no function there@return 0; /* no function there@access@read \(
mapped-list-sbdf@vpci/tree.c@if (!vpci_dev_sbdf(d, &v[n].sbdf))@if (1)@access@should be mapped
unmap-event-lost@mapper/mapper.c@emit(m, VT_EV_UNMAP, who, s->space, &s->want, NULL, VT_POLICY_DEFAULT);@(void)0;@access@unmap events
writer-drops-policy@vpci/writer.c@d->policy == VT_POLICY_RELAXED ?@0 ?@access@round trip@roundtrip-moves-into-rmrr-f0
replay-hidden-state@tools/replay.c@vt_event_format(e, buf, sizeof(buf));@vt_event_format(e, buf, sizeof(buf)); { static int n; if (n++ & 1) fputc(' ', r->out); }@trace@not deterministic
replay-exit-status@tools/replay.c@return r.st.mismatches ? 1 : 0;@return 0;@trace@mismatches
ext-mask-ignored@vpci/dev.c@d->cfg[r] &= (uint8_t)~(b & w1c);@(void)w1c;@access@extended reg@host-device-and-ext-masks
host-write-dropped@vpci/dev.c@d->ops->write(d->ops_ctx, reg, size, val); /* to the device@(void)val; /* to the device@access@reads 0x|should be mapped|map_refcount@host-device-and-ext-masks
ext-takes-header-masks@vpci/dev.c@r = reg < PCI_CFG_SPACE_SIZE ? reg : PCI_CFG_SPACE_SIZE;@r = reg & (PCI_CFG_SPACE_SIZE - 1);@access@extended reg|reads 0x
on-change-handlers-skipped@vpci/dev.c@return (h & (HND_ON_CHANGE | HND_ALWAYS)) > (unsigned)(before == after);@return (h & HND_ALWAYS) > (unsigned)(before == after);@access@should be mapped|map_refcount|routing|bus numbers
ivmd-range-backwards@mapper/acpi.c@r.range.last = start + (size - 1);@r.range.last = start - 1;@ivrs@backwards
TABLE
}

table | while IFS='@' read -r name file old new harness expect seed; do
	case " ${ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	m=$work/$name
	rm -rf "$m"
	mkdir -p "$m/tools"
	cp -r "$top/common" "$top/mapper" "$top/vpci" "$top/traps" "$m/"
	cp "$top/tools/replay.c" "$top/tools/replay.h" "$m/tools/"
	mkdir -p "$m/fuzz"
	cp -r "$here"/*.c "$here"/*.h "$here/Makefile" "$here/corpus" "$m/fuzz/"
	OLD=$old NEW=$new perl -0pi -e 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$m/$file"
	if cmp -s "$top/$file" "$m/$file"; then
		echo "STALE   $name: '$old' not found in $file"
		echo 1 >"$work/failed"
		continue
	fi
	if ! make -s -C "$m/fuzz" BUILD="$m/build" HARNESSES="$harness" plain >"$m/build.log" 2>&1; then
		echo "STALE   $name: does not build (see $m/build.log)"
		echo 1 >"$work/failed"
		continue
	fi
	"$m/build/plain/fuzz_$harness" "$m/fuzz/corpus/$harness/$seed" >"$m/run.log" 2>&1
	if grep -Eq "INVARIANT BROKEN.*($expect)" "$m/run.log"; then
		echo "CAUGHT  $name ($file): $(grep -o 'INVARIANT BROKEN.*' "$m/run.log" | sed 's/^.*): //' | cut -c1-110)"
	else
		echo "MISSED  $name ($file): $(tail -1 "$m/run.log")"
		echo 1 >"$work/failed"
	fi
done
[ -f "$work/failed" ] && { rm -f "$work/failed"; exit 1; }
exit 0
