#!/usr/bin/env bash
# bench-copies.sh — what the private row copies and their syncs cost one
# thread at T threads, measured on a machine with fewer cores: one-thread
# runs of diagnostic builds that keep the copies and sync them as each of T
# threads would (-DBATCH_AS_THREADS=T), with the copies chosen as shipped
# (rows touched at least twice between syncs) and, for comparison, every row
# up to the caps as before round 10 (-DBATCH_HOT_TOUCHES=0), side by side
# with the shipped one-thread build through bench-threads.sh (runs taking
# turns, median of --repeats). A build's words/s over the shipped build's is
# the most a thread can reach at T threads with a core each, before any cost
# of the cores sharing rows.
#   scripts/bench-copies.sh [--as LIST] [--corpus FILE] [--repeats N] [--epochs N]
# Defaults: --as 4,8,16, corpus10m, 3 repeats, 1 epoch, all four
# configurations. Any other option goes to bench-threads.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CORPUS=$ROOT/../shared/data/corpus10m.txt.gz
AS=4,8,16
REPEATS=3
EPOCHS=1
REST=()
while [ $# -gt 0 ]; do
    case $1 in
    --as) AS=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    *) REST+=("$1"); shift ;;
    esac
done
make -C "$ROOT" -s -j2 w2v
BINS=$ROOT/w2v
IFS=, read -r -a counts <<<"$AS"
for t in "${counts[@]}"; do
    case $t in '' | *[!0-9]* | 0 | 1) echo "bench-copies.sh: error: --as takes thread counts of 2 or more" >&2; exit 2 ;; esac
    make -C "$ROOT" -s -j2 BUILD="work/build-as$t" CFLAGS="-O3 -g -DBATCH_AS_THREADS=$t" \
        "work/build-as$t/w2v"
    make -C "$ROOT" -s -j2 BUILD="work/build-as$t-all" \
        CFLAGS="-O3 -g -DBATCH_AS_THREADS=$t -DBATCH_HOT_TOUCHES=0" "work/build-as$t-all/w2v"
    BINS="$BINS,$ROOT/work/build-as$t/w2v,$ROOT/work/build-as$t-all/w2v"
done
exec "$ROOT/scripts/bench-threads.sh" --corpus "$CORPUS" --threads 1 \
    --repeats "$REPEATS" --epochs "$EPOCHS" --bin "$BINS" --out "$ROOT/work/bench-copies" \
    "${REST[@]+"${REST[@]}"}"
