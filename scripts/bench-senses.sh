#!/usr/bin/env bash
# bench-senses.sh — pseudo-words for `train --senses` (issue 15).
#
# The classic test of sense induction (Gale, Church & Yarowsky 1992;
# Schütze 1998): every occurrence of two unrelated words (say `banana` and
# `door`) is replaced by one made-up token `banana_door`; a sense model must
# split it again.
#
#  1. A plain skip-gram model of the original corpus (one thread, seed 1,
#     so the same on every run) gives each original word's top-20
#     neighbours (its neighbourhood), and the vocabulary.
#  2. PAIRS pairs are drawn (fixed seed) from the mid-frequency words (ranks
#     RANK_LO..RANK_HI, lower-case letters only, 4+ letters): each word is
#     paired with the least similar (by cosine in the plain model) of 20
#     random candidates, so the two are unrelated, of different kinds;
#     every occurrence of either becomes the pair's token.
#  3. On the merged corpus, REPEATS times (seeds 1, 2, ...), one after the
#     other: plain skip-gram (the single-vector baseline) and skip-gram with
#     --senses SENSES (same settings and seed), scored; then the same two runs
#     at TIME_THREADS threads for the speed ratio (the scored runs themselves
#     when TIME_THREADS = THREADS).
#  4. A pair is SPLIT when its two leading senses (`w2v senses`, top 20
#     neighbours each among the single vectors) go to different originals:
#     sense 1 shares more neighbours with word A's neighbourhood than with
#     B's and sense 2 more with B's than with A's, or the other way round.
#     The single vector cannot split; for it (and for the senses) the script
#     also reports COVERS: some neighbour shared with each original.
#
# Prints, for each run, one line per pair and a summary
#   run R: pairs N  split S (P%)  senses>=2 M  covers: single X%  senses Y%
#          words/s in training: plain A  senses B (the "trained ... words/s" line
#          of the speed pair)
# and then over all runs (the split's mean and range; the time ratio from
# the median words/s of the training phase, and from the median seconds
# end to end):
#   split: mean P% (min-max A-B%) over R runs of N pairs
#   time ratio senses/plain X in training at T thread(s) (median words/s of R: ...);
#   end to end Y (...)
# Goals (issue 15): split >= 80%, ratio <= 2.
#
#   scripts/bench-senses.sh [CORPUS.txt[.gz]]   (default: /work/shared/data/corpus10m.txt.gz)
# Environment: PAIRS (40), RANK_LO (300), RANK_HI (3000), LINES (all: a
# first-N-lines cut for a quick check), THREADS (2), EPOCHS (5), DIM (100),
# SENSES (2: a pseudo-word has two planted meanings; with 3 the frequent
# word's own second meaning often takes the second place), THRESHOLD (the
# train default), REPEATS (3), TIME_THREADS (1: the threads of the speed
# pair; on a virtual machine the speed-up of a second thread swings with the
# host's placement of the vCPUs, bench-threads.sh), W2V (./w2v), WORK
# (work/bench-senses).
# A check of the script itself on a tiny input:
#   LINES=3000 PAIRS=10 RANK_LO=50 RANK_HI=400 EPOCHS=2 scripts/bench-senses.sh \
#       /work/shared/data/corpus1m.txt.gz
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
W2V=${W2V:-$ROOT/w2v}
PY=${PY:-/usr/bin/python3}
CORPUS=${1:-/work/shared/data/corpus10m.txt.gz}
PAIRS=${PAIRS:-40}
RANK_LO=${RANK_LO:-300}
RANK_HI=${RANK_HI:-3000}
LINES=${LINES:-}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-5}
DIM=${DIM:-100}
SENSES=${SENSES:-2}
THRESHOLD=${THRESHOLD:-}
REPEATS=${REPEATS:-3}
TIME_THREADS=${TIME_THREADS:-1}
WORK=${WORK:-$ROOT/work/bench-senses}
case ${1:-} in -h | --help) sed -n '2,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ -x "$W2V" ] || { echo "bench-senses.sh: build w2v first (make)" >&2; exit 1; }
[ -r "$CORPUS" ] || { echo "bench-senses.sh: cannot read '$CORPUS'" >&2; exit 1; }
mkdir -p "$WORK"

# 1. the original corpus and its plain model
case $CORPUS in *.gz) cat_corpus() { zcat "$CORPUS"; } ;; *) cat_corpus() { cat "$CORPUS"; } ;; esac
if [ -n "$LINES" ]; then
    cat_corpus | head -n "$LINES" >"$WORK/orig.txt" || true
else
    cat_corpus >"$WORK/orig.txt"
fi
# One thread and a fixed seed: the same plain model, hence the same pairs,
# on every run of the script (with several threads the pairs changed from
# run to run, and the split with them: 70-90% on corpus10m).
"$W2V" train "$WORK/orig.txt" -o "$WORK/orig.bin" --model skipgram --dim "$DIM" --epochs "$EPOCHS" \
    --threads 1 --seed 1 --quiet --save-vocab "$WORK/vocab.txt"

# 2. the pairs and the merged corpus
"$PY" - "$WORK" "$W2V" "$PAIRS" "$RANK_LO" "$RANK_HI" <<'PY'
import random, re, subprocess, sys
work, w2v, n_pairs, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
words = [l.split()[0] for l in open(f"{work}/vocab.txt") if l.strip()]
pool = [w for w in words[lo:hi] if re.fullmatch(r"[a-z]{4,}", w)]
rng = random.Random(15)
rng.shuffle(pool)
def cos(a, b):
    out = subprocess.run([w2v, "similarity", f"{work}/orig.bin", a, b], capture_output=True, text=True)
    return float(out.stdout.strip() or 1.0)
pairs, used = [], set()
for a in pool:
    if len(pairs) == n_pairs:
        break
    if a in used:
        continue
    cands = [b for b in pool if b != a and b not in used]
    cands = rng.sample(cands, min(20, len(cands)))
    if cands:
        b = min(cands, key=lambda b: cos(a, b))
        pairs.append((a, b)); used.update((a, b))
if len(pairs) < n_pairs:
    sys.exit(f"bench-senses.sh: only {len(pairs)} pairs in ranks {lo}..{hi} (raise RANK_HI)")
with open(f"{work}/pairs.txt", "w") as f:
    for a, b in pairs:
        f.write(f"{a} {b} {a}_{b}\n")
swap = {}
for a, b in pairs:
    swap[a] = swap[b] = f"{a}_{b}"
with open(f"{work}/orig.txt") as fin, open(f"{work}/merged.txt", "w") as fout:
    for line in fin:
        fout.write(" ".join(swap.get(w, w) for w in line.split()) + "\n")
PY

# 4. scoring: one run's senses model against the originals' neighbourhoods
score_run() {
    "$PY" - "$WORK" "$W2V" "$1" "$THREADS" <<'PY'
import subprocess, sys
work, w2v, run_no, threads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def run(*args):
    out = subprocess.run([w2v, *args], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else ""
def nearest(model, word):
    return {l.split("\t")[0] for l in run("nearest", model, word, "-k", "20").splitlines() if l}
def senses(word):
    blocks, cur = [], None
    for l in run("senses", f"{work}/senses.bin", word, "-k", "20").splitlines():
        if l.startswith("  "):
            cur[1].add(l.split("\t")[0].strip())
        elif l:
            name, share, _ = l.split("\t")
            cur = (f"{name} {float(share):.2f}", set())
            blocks.append(cur)
    return blocks
n = split = multi = cover_single = cover_senses = 0
for line in open(f"{work}/pairs.txt"):
    a, b, p = line.split()
    na, nb = nearest(f"{work}/orig.bin", a), nearest(f"{work}/orig.bin", b)
    single = nearest(f"{work}/plain.bin", p)
    ss = senses(p)
    n += 1
    cs = bool(single & na) and bool(single & nb)
    cover_single += cs
    union = set().union(*(s for _, s in ss)) if ss else set()
    cover_senses += bool(union & na) and bool(union & nb)
    ok = False
    if len(ss) >= 2:
        multi += 1
        s1, s2 = ss[0][1], ss[1][1]
        o = lambda s, t: len(s & t)
        ok = (o(s1, na) > o(s1, nb) and o(s2, nb) > o(s2, na)) or \
             (o(s1, nb) > o(s1, na) and o(s2, na) > o(s2, nb))
    split += ok
    desc = "  ".join(f"{name}[A{len(s & na)} B{len(s & nb)}]" for name, s in ss)
    print(f"{'SPLIT' if ok else 'no   '}  {p:28s} single[A{len(single & na)} B{len(single & nb)}]  {desc}")
pct = lambda x: 100.0 * x / n if n else 0.0
print(f"run {run_no}: pairs {n}  split {split} ({pct(split):.1f}%)  senses>=2 {multi}  "
      f"covers: single {pct(cover_single):.1f}%  senses {pct(cover_senses):.1f}%")
with open(f"{work}/splits.txt", "a") as f:
    f.write(f"{n} {split}\n")
t = open(f"{work}/times.txt").read().split("\n")[-2].split()
print(f"run {run_no}: words/s in training at {threads} threads: plain {t[1]}  senses {t[2]}")
PY
}

# The summary over all runs: the split's mean and range, the medians of the times.
summary() {
    "$PY" - "$WORK" "$TIME_THREADS" <<'PY'
import statistics, sys
work, threads = sys.argv[1], sys.argv[2]
splits = [tuple(map(int, l.split())) for l in open(f"{work}/splits.txt") if l.strip()]
pct = [100.0 * s / n for n, s in splits]
print(f"split: mean {statistics.mean(pct):.1f}% (min-max {min(pct):.1f}-{max(pct):.1f}%) "
      f"over {len(pct)} runs of {splits[0][0]} pairs")
rows = [l.split() for l in open(f"{work}/times-speed.txt") if l.strip()]
med = lambda xs: statistics.median(xs)
plain, sens = med([float(r[1]) for r in rows]), med([float(r[2]) for r in rows])
e_plain = med([float(r[4]) - float(r[3]) for r in rows])
e_sens = med([float(r[5]) - float(r[4]) for r in rows])
print(f"time ratio senses/plain {plain / sens if sens > 0 else 0:.2f} in training at {threads} "
      f"thread(s) (median words/s of {len(rows)}: plain {plain:.0f}  senses {sens:.0f}); end to end "
      f"{e_sens / e_plain if e_plain > 0 else 0:.2f} (median seconds: plain {e_plain:.1f}  "
      f"senses {e_sens:.1f})")
PY
}

# 3. the merged corpus: plain, then senses, REPEATS times, each scored; the
#    speed pair (the same two runs at TIME_THREADS threads) right after
now() { date +%s.%N; }
# The training phase's words/s from the "trained ... in N s, W words/s" line.
words_per_s() { sed -n 's/.* trained .* s, \([0-9]*\) words\/s.*/\1/p' "$1" | tail -n 1; }
SENSE_OPTS=(--senses "$SENSES" --senses-vocab "$RANK_HI")
[ -n "$THRESHOLD" ] && SENSE_OPTS+=(--senses-threshold "$THRESHOLD")
# train_pair THREADS SEED SUFFIX: plain and senses, timed, a line in times$SUFFIX.txt
train_pair() {
    local t0 t1 t2 opts=(--model skipgram --dim "$DIM" --epochs "$EPOCHS" --threads "$1" --seed "$2")
    t0=$(now)
    "$W2V" train "$WORK/merged.txt" -o "$WORK/plain$3.bin" "${opts[@]}" 2>"$WORK/plain.err" >/dev/null
    t1=$(now)
    "$W2V" train "$WORK/merged.txt" -o "$WORK/vec$3.bin" "${opts[@]}" "${SENSE_OPTS[@]}" \
        --senses-output "$WORK/senses$3.bin" 2>"$WORK/senses.err" >/dev/null
    t2=$(now)
    echo "$2 $(words_per_s "$WORK/plain.err") $(words_per_s "$WORK/senses.err") $t0 $t1 $t2" \
        >>"$WORK/times$3.txt"
}
: >"$WORK/times.txt"
: >"$WORK/times-speed.txt"
: >"$WORK/splits.txt"
for run in $(seq 1 "$REPEATS"); do
    train_pair "$THREADS" "$run" ""
    score_run "$run"
    if [ "$TIME_THREADS" != "$THREADS" ]; then
        train_pair "$TIME_THREADS" "$run" -speed
        rm -f "$WORK/plain-speed.bin" "$WORK/vec-speed.bin" "$WORK"/senses-speed.bin*
    else
        cp "$WORK/times.txt" "$WORK/times-speed.txt"
    fi
done
summary
