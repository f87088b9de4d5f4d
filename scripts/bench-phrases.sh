#!/usr/bin/env bash
# bench-phrases.sh — `w2v phrases` against the original word2phrase and
# gensim's Phrases on the same text (issue 12, part 1).
#
# Runs the three with the same min-count and threshold, measures each one's
# wall time and peak resident set (/usr/bin/time -f "%e %M"), and reports
# the distinct phrases each made (output tokens holding '_' that the input
# does not hold) and the Jaccard similarity of the phrase sets, pairwise.
# gensim is given word2phrase's score, (ab - min_count) / (a b) x total
# words, through its custom-scorer hook (its own default multiplies by the
# vocabulary size instead); it counts pairs within lines only.
#
#   scripts/bench-phrases.sh CORPUS [--threshold T] [--min-count N] [--threads N]
#
# CORPUS may be gzipped. Outputs go to work/bench-phrases/ (git-ignored).
# word2phrase: $WORD2PHRASE, or `word2phrase` on PATH, or built from
# $W2V_PEERS/word2phrase.c (default ../shared/peers/word2vec beside the
# repository). gensim: /usr/bin/python3 with python3-gensim (Debian);
# without it that row is skipped.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
W2V=${W2V:-$ROOT/w2v}
PY=/usr/bin/python3
GNU_TIME=/usr/bin/time
THRESHOLD=100
MIN_COUNT=5
THREADS=$(nproc 2>/dev/null || echo 1)
CORPUS=
while [ $# -gt 0 ]; do
    case $1 in
    --threshold) THRESHOLD=$2; shift 2 ;;
    --min-count) MIN_COUNT=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-phrases.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) CORPUS=$1; shift ;;
    esac
done
[ -n "$CORPUS" ] || { echo "bench-phrases.sh: no corpus given (see --help)" >&2; exit 2; }
[ -f "$CORPUS" ] || { echo "bench-phrases.sh: cannot read '$CORPUS'" >&2; exit 1; }
[ -x "$W2V" ] || { echo "bench-phrases.sh: build w2v first (make)" >&2; exit 1; }
[ -x "$GNU_TIME" ] || { echo "bench-phrases.sh: needs GNU time at $GNU_TIME" >&2; exit 1; }

WORK=$ROOT/work/bench-phrases
mkdir -p "$WORK"
TEXT=$CORPUS
case $CORPUS in
*.gz)
    TEXT=$WORK/$(basename "$CORPUS" .gz)
    [ -s "$TEXT" ] || gzip -dc "$CORPUS" >"$TEXT"
    ;;
esac

W2P=${WORD2PHRASE:-$(command -v word2phrase || true)}
if [ -z "$W2P" ]; then
    PEERS=${W2V_PEERS:-$ROOT/../shared/peers/word2vec}
    if [ -f "$PEERS/word2phrase.c" ]; then
        W2P=$WORK/word2phrase
        [ -x "$W2P" ] || cc -O3 -w "$PEERS/word2phrase.c" -o "$W2P" -lm -pthread
    fi
fi

# timed NAME COMMAND...: run, keep "seconds peak_kB" in $WORK/NAME.time.
timed() {
    name=$1; shift
    "$GNU_TIME" -f "%e %M" -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 ||
        { echo "bench-phrases.sh: $name failed:" >&2; tail -5 "$WORK/$name.log" >&2; exit 1; }
}

echo "corpus $TEXT: $(wc -w <"$TEXT") words; min-count $MIN_COUNT, threshold $THRESHOLD, w2v threads $THREADS"
timed w2v "$W2V" phrases "$TEXT" -o "$WORK/w2v.txt" --min-count "$MIN_COUNT" \
    --threshold "$THRESHOLD" --threads "$THREADS" --quiet
NAMES=w2v
if [ -n "$W2P" ]; then
    timed word2phrase "$W2P" -train "$TEXT" -output "$WORK/word2phrase.txt" \
        -min-count "$MIN_COUNT" -threshold "$THRESHOLD" -debug 0
    NAMES="$NAMES word2phrase"
else
    echo "(no word2phrase: set WORD2PHRASE or W2V_PEERS)"
fi
if "$PY" -c 'import gensim' 2>/dev/null; then
    cat >"$WORK/gensim_phrases.py" <<'PY'
import sys
from gensim.models.phrases import Phrases

path, out, min_count, threshold = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

def word2phrase_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count,
                       corpus_word_count):
    # word2phrase's rule: both words and the pair seen min_count times, and
    # the score scaled by the number of words (gensim's default: vocab size).
    if worda_count < min_count or wordb_count < min_count or bigram_count < min_count:
        return float("-inf")
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count

class Lines:
    def __iter__(self):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                yield line.split()

model = Phrases(Lines(), min_count=min_count, threshold=threshold, delimiter="_",
                scoring=word2phrase_scorer).freeze()
with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
    for s in Lines():
        f.write(" ".join(model[s]) + "\n")
PY
    timed gensim "$PY" "$WORK/gensim_phrases.py" "$TEXT" "$WORK/gensim.txt" "$MIN_COUNT" "$THRESHOLD"
    NAMES="$NAMES gensim"
else
    echo "(no gensim for $PY: apt-get install python3-gensim)"
fi

"$PY" - "$TEXT" "$WORK" $NAMES <<'PY'
import sys
text, work, names = sys.argv[1], sys.argv[2], sys.argv[3:]

def tokens_with_underscore(path):
    s = set()
    with open(path, "rb") as f:
        for line in f:
            for t in line.split():
                if b"_" in t:
                    s.add(t)
    return s

already = tokens_with_underscore(text)
sets, joined = {}, {}
for n in names:
    sets[n] = tokens_with_underscore(f"{work}/{n}.txt") - already
    with open(f"{work}/{n}.time") as f:
        secs, kb = f.read().split()[-2:]
    joined[n] = (float(secs), int(kb) / 1024)
print(f"{'tool':<12} {'seconds':>8} {'peak MB':>8} {'phrases':>9}")
for n in names:
    print(f"{n:<12} {joined[n][0]:>8.2f} {joined[n][1]:>8.1f} {len(sets[n]):>9}")
for i, a in enumerate(names):
    for b in names[i + 1:]:
        u = sets[a] | sets[b]
        j = len(sets[a] & sets[b]) / len(u) if u else 1.0
        print(f"Jaccard {a} / {b}: {j:.4f} ({len(sets[a] - sets[b])} only in {a}, "
              f"{len(sets[b] - sets[a])} only in {b})")
PY
