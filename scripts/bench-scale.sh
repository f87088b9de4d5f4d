#!/usr/bin/env bash
# bench-scale.sh — a corpus larger than --max-memory (issue 14, part 2).
#
# Trains on CORPUS twice with one thread and a seed: in memory, and with
# --max-memory BOUND (128M by default), where the word ids go to a nameless
# file beside OUT and are read through a read-only mapping. Samples RssAnon
# (anonymous resident memory: a mapped file's pages are page cache and do
# not count) from /proc/PID/status every 20 ms and reports its peak, the
# time before the first training step (the "words in the vocabulary ...
# (X s)" line), the training speed, and whether the two output files are
# identical (they must be).
#
#   scripts/bench-scale.sh [CORPUS] [--max-memory BOUND] [--lines N] [-- TRAIN-OPTIONS...]
# CORPUS: text or .gz (default /work/shared/data/corpus.txt.gz, 42M tokens,
# ~170 MB of ids); --lines N keeps only its first N lines (a quick check).
# TRAIN-OPTIONS default to --dim 100 --epochs 1. Work files go to
# work/bench-scale/ (git-ignored).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
W2V=${W2V:-$ROOT/w2v}
CORPUS=/work/shared/data/corpus.txt.gz
BOUND=128M
LINES=0
TRAIN=(--dim 100 --epochs 1)
while [ $# -gt 0 ]; do
    case $1 in
    --max-memory) BOUND=$2; shift 2 ;;
    --lines) LINES=$2; shift 2 ;;
    --) shift; TRAIN=("$@"); break ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-scale.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) CORPUS=$1; shift ;;
    esac
done
[ -x "$W2V" ] || { echo "bench-scale.sh: build w2v first (make)" >&2; exit 1; }
[ -r "$CORPUS" ] || { echo "bench-scale.sh: cannot read '$CORPUS'" >&2; exit 1; }

WORK=$ROOT/work/bench-scale
mkdir -p "$WORK"
TEXT=$WORK/corpus.txt
case $CORPUS in
*.gz) CAT=(zcat -- "$CORPUS") ;;
*) CAT=(cat -- "$CORPUS") ;;
esac
if [ "$LINES" -gt 0 ]; then
    "${CAT[@]}" | head -n "$LINES" >"$TEXT" || true
else
    "${CAT[@]}" >"$TEXT"
fi

# run NAME EXTRA-OPTIONS...: train, sampling RssAnon; prints one table row.
run() {
    local name=$1 peak=0 kb
    shift
    "$W2V" train "$TEXT" -o "$WORK/$name.bin" --threads 1 --seed 1 "${TRAIN[@]}" "$@" \
        2>"$WORK/$name.err" &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        kb=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$kb" ] && [ "$kb" -gt "$peak" ] && peak=$kb
        sleep 0.02
    done
    wait "$pid" || { echo "bench-scale.sh: the $name run failed:" >&2; cat "$WORK/$name.err" >&2; exit 1; }
    local before rate
    before=$(sed -n 's/.*words to train per epoch (\(.*\) s)$/\1/p' "$WORK/$name.err")
    rate=$(sed -n 's/.* s, \([0-9]*\) words\/s$/\1/p' "$WORK/$name.err")
    printf '%-10s %12.1f %16s %14s\n' "$name" "$(echo "$peak / 1024" | bc -l)" "${before:-?}" \
        "${rate:-?}"
    echo "$peak" >"$WORK/$name.peak"
}

echo "corpus: $CORPUS$([ "$LINES" -gt 0 ] && echo " (first $LINES lines)"), $(wc -c <"$TEXT") bytes"
printf '%-10s %12s %16s %14s\n' run "RssAnon MiB" "before train s" "words/s"
run in-memory
run spilled --max-memory "$BOUND"
grep -q "exceed --max-memory" "$WORK/spilled.err" ||
    echo "note: the stream fit in $BOUND, nothing was spilled"
if cmp -s "$WORK/in-memory.bin" "$WORK/spilled.bin"; then
    echo "outputs: identical"
else
    echo "outputs: DIFFER"; exit 1
fi
