#!/usr/bin/env bash
# bench-placement.sh — does sharing memory between two threads cost here?
#
# Runs scripts/placement.c (the training loop's row traffic without the
# training; see its header) at one thread and at two, in the layouts LAYOUTS
# names (below; by default shared, split-rows, split-blocks, private), taking
# turns round by round, and times a cache line's round trip between CPUs 0
# and 1 (scripts/line-latency.c) before and after each round. A round whose two
# readings are both under FAR_NS is "near", both at or above it "far", else
# it is left out. Prints, per placement, the median million steps/s
# (min-max) of each layout and its speed-up over one thread (shared layout,
# the same round).
#
# Why: on the 2-vCPU benchmark machine w2v's second thread adds ~1.9x when
# the host runs the two vCPUs close (~55 ns line round trip) and ~1.25x
# when far apart (~360 ns); this tells what part of that any program pays
# whose two threads write the same memory, and whether it is the rows both
# write or the pages both use (docs/BENCHMARKS.md).
#
#   scripts/bench-placement.sh [ROUNDS] [SECONDS]   (default 20 rounds of 1 s runs)
#
# LAYOUTS="shared split-blocks:16 split-rows:256:3 read-shared ..." picks the
# two-thread runs (default: shared split-rows split-blocks private); each is
# LAYOUT[:BLOCK[:AHEAD]], placement.c's layout, block size in rows and
# prefetch distance in steps (its header).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
ROUNDS=${1:-20}
SECONDS_PER_RUN=${2:-1}
FAR_NS=${FAR_NS:-200}
OUT=${BENCH_DIR:-$ROOT/build/bench-placement}

die() { echo "bench-placement.sh: $*" >&2; exit 1; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive whole number, not '$ROUNDS'"
[[ $SECONDS_PER_RUN =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SECONDS must be a number, not '$SECONDS_PER_RUN'"
command -v cc >/dev/null || die "needs a C compiler (cc)"
[[ $(nproc) -ge 2 ]] || die "needs at least 2 CPUs"
mkdir -p "$OUT"
cc -O2 -pthread "$ROOT/scripts/placement.c" -o "$OUT/placement" -lm || die "cannot build placement.c"
cc -O2 -pthread "$ROOT/scripts/line-latency.c" -o "$OUT/line-latency" || die "cannot build line-latency.c"

read -r -a LAYOUTS <<<"${LAYOUTS:-shared split-rows split-blocks private}"
for layout in "${LAYOUTS[@]}"; do
    [[ $layout =~ ^(shared|split-rows|split-blocks|read-shared|private)(:[1-9][0-9]*(:[0-9]+)?)?$ ]] ||
        die "LAYOUTS: '$layout' is not LAYOUT[:BLOCK[:AHEAD]] (placement.c's layouts)"
done
RAW=$OUT/raw.tsv
: >"$RAW"
echo "# $(date -u +%FT%TZ) $(uptime)" >&2
for ((round = 1; round <= ROUNDS; round++)); do
    before=$("$OUT/line-latency")
    one=$("$OUT/placement" shared 1 "$SECONDS_PER_RUN")
    line="$one"
    for layout in "${LAYOUTS[@]}"; do
        IFS=: read -r name block ahead <<<"$layout"
        line="$line $("$OUT/placement" "$name" 2 "$SECONDS_PER_RUN" "${block:-256}" "${ahead:-0}")"
    done
    after=$("$OUT/line-latency")
    echo "$round $before $after $line" | tee -a "$RAW" >&2
done
echo "# $(date -u +%FT%TZ) $(uptime)" >&2

echo "placement: the line's round trip before and after the round (< $FAR_NS ns both: near, >= $FAR_NS both: far);"
echo "million steps/s, median (min-max) over the rounds, and the speed-up over one thread (shared, the same round)"
echo
echo "| placement | rounds | one thread | ${LAYOUTS[*]/%/ |}"
echo "|---|---:|---:|$(printf -- '---:|%.0s' "${LAYOUTS[@]}")"
for want in near far; do
    awk -v want="$want" -v far="$FAR_NS" -v layouts="${#LAYOUTS[@]}" '
        function median_range(v, n, unit,    i, j, t, m) {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            return sprintf("%.2f%s (%.2f-%.2f)", m, unit, v[1], v[n])
        }
        (want == "near" && $2 < far && $3 < far) || (want == "far" && $2 >= far && $3 >= far) {
            n++
            one[n] = $4
            for (k = 1; k <= layouts; k++) { rate[k, n] = $(4 + k); ratio[k, n] = $(4 + k) / $4 }
        }
        END {
            if (n == 0) {
                row = sprintf("| %s | 0 | - |", want)
                for (k = 1; k <= layouts; k++) row = row " - |"
                print row
                exit
            }
            row = sprintf("| %s | %d | %s |", want, n, median_range(one, n, ""))
            for (k = 1; k <= layouts; k++) {
                for (i = 1; i <= n; i++) { a[i] = rate[k, i]; b[i] = ratio[k, i] }
                row = row sprintf(" %s, %s |", median_range(a, n, ""), median_range(b, n, "x"))
            }
            print row
        }' "$RAW"
done
