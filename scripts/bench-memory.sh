#!/usr/bin/env bash
# bench-memory.sh — bounded memory under --max-vocab (issue 6).
#
# Generates a corpus of N distinct random 8-letter words (20 million by
# default, each about once) plus 100 frequent words (each once per 1,000
# random words: frequent enough to outgrow the pruning floor, which rises by
# one at every prune as in the original's ReduceVocab),
# trains on it with --max-vocab M (1 million by default), measures the peak
# resident set with /usr/bin/time -f %M, checks that the run reports how many
# words it pruned, and compares the peak with the bound
#
#     peak <= 100 B x M  +  4 S V (1 + [hs] + [negative])  +  4 (N' + L)  +  24 MiB
#
# where the first term is the vocabulary's table while counting (per entry:
# 16 B entry + 8 B hash and length, at most twice over for the doubling
# arrays; about 13 B of slots at a load of 0.3-0.6; 32 B for the malloc'd
# word; 8 B of counts during a prune), the second the model (S = dim rounded
# up to 16, V the final vocabulary), the third the id stream (N' tokens kept,
# L lines), the last the read buffer, the binary and libc (include/w2v/train.h
# has the same accounting). Words longer than 8 bytes cost more per entry:
# 16 B of malloc'd word per 16 B of length.
#
# The corpus lives in work/bench-memory/ (git-ignored) and is reused.
#   scripts/bench-memory.sh [--words N] [--max-vocab M] [--threads T] [--no-limit]
# --no-limit also trains without --max-vocab, for comparison (about 100 B per
# distinct word: some 2 GB at the default N).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
W2V=${W2V:-$ROOT/w2v}
PY=/usr/bin/python3
GNU_TIME=/usr/bin/time
WORDS=20000000
MAXV=1000000
THREADS=2
NO_LIMIT=0
while [ $# -gt 0 ]; do
    case $1 in
    --words) WORDS=$2; shift 2 ;;
    --max-vocab) MAXV=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --no-limit) NO_LIMIT=1; shift ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-memory.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$W2V" ] || { echo "bench-memory.sh: build w2v first (make)" >&2; exit 1; }
[ -x "$GNU_TIME" ] || { echo "bench-memory.sh: needs GNU time at $GNU_TIME" >&2; exit 1; }

WORK=$ROOT/work/bench-memory
mkdir -p "$WORK"
CORPUS=$WORK/distinct-$WORDS.txt
if [ ! -s "$CORPUS" ]; then
    echo "generating $CORPUS ($WORDS random 8-letter words + frequent words)"
    # Lines of 1,000 random words, each line starting with f0..f99.
    # Random bytes are mapped to letters and every 9th byte becomes a space,
    # a chunk at a time, so generating takes seconds, not minutes.
    "$PY" - "$CORPUS" "$WORDS" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20240601)
letters = bytes((ord('a') + b % 26) for b in range(256))
per_line, lines_per_chunk = 1000, 1000
freq = (' '.join('f%d' % j for j in range(100)) + ' ').encode()
with open(path + '.tmp', 'wb') as out:
    left = n
    while left > 0:
        k = min(left, per_line * lines_per_chunk)
        buf = bytearray(rng.randbytes(9 * k).translate(letters))
        buf[8::9] = b' ' * k
        for start in range(0, k, per_line):
            end = min(start + per_line, k)
            buf[9 * end - 1] = 10  # '\n' after the line's last word
        chunks = []
        for start in range(0, k, per_line):
            end = min(start + per_line, k)
            chunks.append(freq + bytes(buf[9 * start:9 * end]))
        out.write(b''.join(chunks))
        left -= k
import os
os.replace(path + '.tmp', path)
PY
fi
lines=$(((WORDS + 999) / 1000))
tokens=$((WORDS + 100 * lines))
echo "corpus: $CORPUS: $tokens tokens on $lines lines, $(du -h "$CORPUS" | cut -f1)"

# train LABEL ARGS...: prints "peak_kb seconds" and keeps the log.
train() {
    label=$1
    shift
    "$GNU_TIME" -f '%M %e' -o "$WORK/time-$label.txt" \
        "$W2V" train "$CORPUS" -o "$WORK/vectors-$label.bin" --min-count 5 --dim 100 --epochs 1 \
        --threads "$THREADS" "$@" 2>"$WORK/train-$label.log"
    cat "$WORK/time-$label.txt"
}

echo "training with --max-vocab $MAXV ($THREADS threads) ..."
read -r peak_kb secs < <(train bounded --max-vocab "$MAXV")
log=$WORK/train-bounded.log
sed 's/^/  /' "$log"
pruned=$(sed -n 's/^w2v: pruned \([0-9]*\) rare words while counting.*/\1/p' "$log")
vocab=$(head -c 64 "$WORK/vectors-bounded.bin" | head -n 1 | cut -d' ' -f1)
kept=$(sed -n 's/^w2v: [0-9]* words in the vocabulary, \([0-9]*\) words to train.*/\1/p' "$log")

# The bound, in bytes (see the top of this file).
dim=100
stride=$(((dim + 15) / 16 * 16))
bound=$((100 * MAXV + 4 * stride * vocab * 2 + 4 * (${kept:-0} + lines) + 24 * 1024 * 1024))
peak=$((peak_kb * 1024))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "peak RSS:  $(mib "$peak") ($peak_kb KiB) in $secs s"
echo "bound:     $(mib "$bound") = 100 B x $MAXV + model ($vocab x $stride x 2 floats)" \
     "+ ids (${kept:-?} + $lines) + 24 MiB"
echo "pruned:    ${pruned:-nothing reported} words"
status=0
if [ -z "$pruned" ]; then
    echo "FAIL: the run did not report how many words it pruned"
    status=1
fi
if [ "$peak" -gt "$bound" ]; then
    echo "FAIL: peak RSS above the bound"
    status=1
fi
if [ "$NO_LIMIT" -eq 1 ]; then
    echo "training without --max-vocab, for comparison ..."
    read -r free_kb free_secs < <(train unbounded)
    echo "peak RSS without --max-vocab: $(mib $((free_kb * 1024))) in $free_secs s"
fi
[ "$status" -eq 0 ] && echo "ok: peak RSS within the bound"
exit "$status"
