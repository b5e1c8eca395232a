#!/bin/sh
# fuzz/report.sh - one line per harness from a campaign's fuzzer_stats:
# total fuzzing time, executions, executions per second over that time,
# corpus (paths), bitmap coverage, edges found, crashes and hangs saved.
BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/fuzz-build}
dir=${1:-$BUILD/campaign}
printf '%-7s %9s %12s %9s %7s %8s %10s %8s %6s\n' harness run_time execs execs/s corpus bitmap edges crashes hangs
for s in "$dir"/*/default/fuzzer_stats; do
	[ -f "$s" ] || continue
	h=$(basename "$(dirname "$(dirname "$s")")")
	awk -v h="$h" -F' *: ' '
		{ v[$1] = $2 }
		END {
			rt = v["run_time"] + 0; ex = v["execs_done"] + 0
			printf "%-7s %8ds %12d %9.0f %7d %8s %10s %8d %6d\n", h, rt, ex, rt ? ex / rt : 0,
				v["corpus_count"], v["bitmap_cvg"], v["edges_found"] "/" v["total_edges"],
				v["saved_crashes"], v["saved_hangs"]
		}' "$s"
done
