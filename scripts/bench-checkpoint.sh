#!/usr/bin/env bash
# bench-checkpoint.sh — how long one checkpoint save takes for a model of
# corpus10m's size (V = 45,000 words, dim 100, negative sampling: syn0 and
# syn1neg, a 36.7 MB file). A synthetic corpus of 45,000 distinct words
# gives that vocabulary in seconds; the run saves every 0.3 s and w2v's
# summary reports the last save's time (temporary file, fsync, rename, and
# the checksums). Prints one line per repeat.
#   scripts/bench-checkpoint.sh [--repeats N] [--dir DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
REPEATS=3
DIR=$ROOT/work/bench-checkpoint
while [ $# -gt 0 ]; do
    case $1 in
    --repeats) REPEATS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) echo "usage: scripts/bench-checkpoint.sh [--repeats N] [--dir DIR]" >&2; exit 2 ;;
    esac
done
make -C "$ROOT" -s -j2
mkdir -p "$DIR"
awk 'BEGIN { srand(1); for (l = 0; l < 40000; l++) { s = ""; for (w = 0; w < 12; w++) s = s " x" int(rand() * 45000); print s } }' \
    >"$DIR/corpus.txt"
for r in $(seq "$REPEATS"); do
    "$ROOT/build/w2v" train "$DIR/corpus.txt" -o "$DIR/vec.bin" --min-count 1 --threads 1 \
        --epochs 3 --checkpoint "$DIR/run.ck" --checkpoint-every 0.005 2>&1 |
        grep -E 'checkpoints? saved' | sed "s/^/repeat $r: /"
done
echo "checkpoint size: $(wc -c <"$DIR/run.ck") bytes"
