#!/bin/sh
# fuzz/campaign.sh - long AFL++ campaigns, one afl-fuzz at a time, niced,
# rotating over the harnesses; each slot resumes where the last one of its
# harness stopped (AFL_AUTORESUME), so a campaign adds up across rounds.
#
#   SLOTS   "harness:seconds ..." one round (default: access gets the most)
#   ROUNDS  how many rounds (default 1)
#   NICE    niceness (default 10)
#   BUILD   build directory (default ../fuzz-build); output in $BUILD/campaign/
#
# After each slot, the new queue and crash entries are replayed under the
# ASan+UBSan build when there is one ($BUILD/asan, make -C fuzz asan):
# failures go to $BUILD/campaign/log and asan.log.
# Each slot runs a private copy of the afl binary (rebuilding the harnesses
# during a campaign does not disturb it; the next slot picks up the new one).
# $BUILD/campaign/log has one line per slot: harness, start, seconds, and the
# fuzzer_stats figures at its end. Stop it with: kill $(cat $BUILD/campaign/pid)
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../fuzz-build}
SLOTS=${SLOTS:-"access:1800 trace:900 lspci:900 dmar:450 ivrs:450"}
ROUNDS=${ROUNDS:-1}
NICE=${NICE:-10}
out=$BUILD/campaign
mkdir -p "$out/bin"
echo $$ >"$out/pid"
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_AUTORESUME=1 AFL_NO_WARN_INSTABILITY=1

stat_of() { sed -n "s/^$2 *: //p" "$1" 2>/dev/null | head -1; }

round=0
while [ "$round" -lt "$ROUNDS" ]; do
	round=$((round + 1))
	for slot in $SLOTS; do
		h=${slot%%:*}
		secs=${slot#*:}
		[ -x "$BUILD/afl/fuzz_$h" ] || { echo "campaign: no $BUILD/afl/fuzz_$h (make -C fuzz afl)" >&2; exit 1; }
		cp "$BUILD/afl/fuzz_$h" "$out/bin/fuzz_$h"
		dict=
		[ -f "$here/dict/$h.dict" ] && dict="-x $here/dict/$h.dict"
		start=$(date +%s)
		# shellcheck disable=SC2086
		nice -n "$NICE" afl-fuzz -V "$secs" -t 1000 $dict -i "$here/corpus/$h" -o "$out/$h" \
			-- "$out/bin/fuzz_$h" >"$out/$h.log" 2>&1
		end=$(date +%s)
		s=$out/$h/default/fuzzer_stats
		printf '%s round=%d start=%s secs=%d execs_done=%s execs_per_sec=%s corpus=%s cvg=%s crashes=%s hangs=%s\n' \
			"$h" "$round" "$(date -d "@$start" +%FT%T)" $((end - start)) \
			"$(stat_of "$s" execs_done)" "$(stat_of "$s" execs_per_sec)" \
			"$(stat_of "$s" corpus_count)" "$(stat_of "$s" bitmap_cvg)" \
			"$(stat_of "$s" saved_crashes)" "$(stat_of "$s" saved_hangs)" >>"$out/log"
		# The campaign build has no sanitizers: replay what the slot found
		# under ASan+UBSan (make -C fuzz asan), and say which inputs fail.
		if [ -x "$BUILD/asan/fuzz_$h" ]; then
			for f in "$out/$h/default/queue"/id:* "$out/$h/default/crashes"/id:*; do
				[ -f "$f" ] || continue
				[ -e "$out/$h/asan-seen/${f##*/}" ] && continue
				mkdir -p "$out/$h/asan-seen"
				: >"$out/$h/asan-seen/${f##*/}"
				nice -n "$NICE" "$BUILD/asan/fuzz_$h" "$f" >/dev/null 2>"$out/asan.tmp" ||
					{ echo "asan: $h $f" >>"$out/log"; cat "$out/asan.tmp" >>"$out/asan.log"; }
			done
		fi
	done
done
rm -f "$out/pid"
