#!/usr/bin/env bash
# bench-graph.sh — graph embeddings end to end (issue 13): the reference
# pipeline (node2vec walks in Python with networkx, as the reference
# implementation makes them, then gensim skip-gram) against `w2v walks` +
# `w2v train`, and against the one command `w2v train --graph` (no walks
# file), on one generated planted-partition graph, for p = q = 1 (DeepWalk)
# and p = 0.25, q = 4.
#
# Measured per pipeline and (p, q): walk time, training time, the peak
# resident set of each step (GNU time, /usr/bin/time -v), and link-prediction
# AUC on 10% of the edges held out (the same evaluator, `w2v eval-links
# --exclude TRAIN`, for both vector files). Both train skip-gram with the same
# settings: dim 128, window 10, 5 negatives, no subsampling, min-count 1,
# 1 epoch (the reference's main.py trains one epoch), T threads. w2v trains
# the walks with --batch-rows 1 (what the README advises for walks, and the
# default of train --graph); a second w2v row shows whole windows.
#
#   scripts/bench-graph.sh [--nodes N] [--edges M] [--blocks K] [--p-in X]
#                          [--threads T] [--walks R] [--length L] [--tiny]
#                          [--skip-ref] [--reuse-ref-walks] [--work DIR]
# Defaults: 10000 nodes, 1000000 edges, 10 blocks, p-in 0.8, T = all CPUs,
# 10 walks of 80. --tiny: 300 nodes, 3000 edges, 2 walks of 20 (checks the
# script in seconds). --skip-ref runs w2v alone. --reuse-ref-walks takes the
# reference's walks, with their time and memory, from an earlier run in DIR
# (they take the better part of an hour on the default graph); every timed
# step records the load average before and after it in DIR/NAME.load, and
# the table gives CPU seconds (user + system) beside wall seconds. The reference's edge alias
# tables hold sum(deg^2) entries: the script prints that number first (about
# 4e8 for the default graph: several GB and many minutes of Python).
#
# Needs /usr/bin/python3 with python3-networkx and python3-gensim and GNU
# time; installs the missing ones with apt-get (root or sudo). Results go to
# DIR/results.md (DIR: work/bench-graph, git-ignored) and stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
W2V=${W2V:-$ROOT/w2v}
PY=/usr/bin/python3
GNU_TIME=/usr/bin/time
NODES=10000 EDGES=1000000 BLOCKS=10 PIN=0.8 WALKS=10 LENGTH=80 SKIP_REF=0 REUSE_REF=0
THREADS=$(nproc 2>/dev/null || echo 2)
WORK=$ROOT/work/bench-graph
DIM=128 WINDOW=10 NEG=5 EPOCHS=1
while [ $# -gt 0 ]; do
    case $1 in
    --nodes) NODES=$2; shift 2 ;;
    --edges) EDGES=$2; shift 2 ;;
    --blocks) BLOCKS=$2; shift 2 ;;
    --p-in) PIN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --walks) WALKS=$2; shift 2 ;;
    --length) LENGTH=$2; shift 2 ;;
    --tiny) NODES=300 EDGES=3000 BLOCKS=3 WALKS=2 LENGTH=20; shift ;;
    --skip-ref) SKIP_REF=1; shift ;;
    --reuse-ref-walks) REUSE_REF=1; shift ;;
    --work) WORK=$2; shift 2 ;;
    -h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-graph.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
die() { echo "bench-graph.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

. "$ROOT/scripts/apt-install.sh" # apt_install PKG...
need=()
[[ -x $GNU_TIME ]] && "$GNU_TIME" -f %e true 2>/dev/null || need+=(time)
if (( ! SKIP_REF )); then
    "$PY" -c 'import networkx' 2>/dev/null || need+=(python3-networkx)
    "$PY" -c 'import gensim' 2>/dev/null || need+=(python3-gensim)
fi
(( ${#need[@]} == 0 )) || apt_install "${need[@]}"
[[ -x $W2V ]] || make -C "$ROOT" w2v >&2 || die "building w2v failed"

# ---------------------------------------------------------------- the graph
mkdir -p "$WORK"
G=$WORK/sbm-$NODES-$EDGES-$BLOCKS-$PIN
if [[ ! -s $G.train ]]; then
    note "generating $G ($NODES nodes, $EDGES edges, $BLOCKS blocks, p-in $PIN)"
    sh "$ROOT/scripts/sbm.sh" "$NODES" "$BLOCKS" "$EDGES" "$PIN" 1 >"$G.all"
    awk 'NR > 1 && NR % 10 == 0' "$G.all" >"$G.held"
    awk 'NR == 1 || NR % 10 != 0' "$G.all" >"$G.train"
fi
# The reference's edge tables: one entry per (edge, neighbour of its end).
sumdeg2=$(awk '!/^#/ && $1 != $2 { if (!(($1 " " $2) in e)) { e[$1 " " $2] = e[$2 " " $1] = 1; d[$1]++; d[$2]++ } }
    END { for (u in d) s += d[u] * d[u]; printf "%.0f\n", s }' "$G.train")
note "reference edge alias tables: $sumdeg2 entries (sum of deg^2)"

# timed NAME CMD...: run CMD under GNU time; sets T_S (wall seconds), T_CPU
# (user + system seconds) and T_MB (peak resident MB) from NAME.time.
timed() {
    local name=$1; shift
    uptime >"$WORK/$name.load"
    "$GNU_TIME" -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 ||
        { cat "$WORK/$name.log" >&2; die "$name failed"; }
    uptime >>"$WORK/$name.load"
    read_time "$name"
}
# read_time NAME: T_S, T_CPU and T_MB from NAME.time.
read_time() {
    T_S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$WORK/$1.time")
    T_CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$WORK/$1.time")
    T_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$WORK/$1.time")
}
auc_of() {
    "$W2V" eval-links "$1" "$G.held" --exclude "$G.train" --json |
        sed 's/.*"auc": \([0-9.]*\).*/\1/'
}

RES=$WORK/results.md
{
    echo "graph: $NODES nodes, $EDGES edge lines ($BLOCKS blocks, p-in $PIN; 10% held out), $WALKS walks of $LENGTH per node"
    echo "skip-gram: dim $DIM, window $WINDOW, $NEG negatives, sample 0, min-count 1, $EPOCHS epoch, $THREADS threads; reference alias entries: $sumdeg2"
    echo
    echo "| pipeline | p | q | walks s (CPU s) | walks MB | train s (CPU s) | train MB | total s | peak MB | AUC |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$RES"
for pq in "1 1" "0.25 4"; do
    read -r P Q <<<"$pq"
    tag=p$P-q$Q
    note "w2v, p $P q $Q"
    timed "w2v-walks-$tag" "$W2V" walks "$G.train" -o "$WORK/w2v-walks-$tag.txt" --p "$P" --q "$Q" \
        --walks "$WALKS" --length "$LENGTH" --threads "$THREADS" --seed 1 --quiet
    ws="$T_S ($T_CPU)" wsum=$T_S wm=$T_MB
    timed "w2v-train-$tag" "$W2V" train "$WORK/w2v-walks-$tag.txt" -o "$WORK/w2v-$tag.bin" \
        --model skipgram --min-count 1 --sample 0 --dim "$DIM" --window "$WINDOW" \
        --negative "$NEG" --epochs "$EPOCHS" --threads "$THREADS" --batch-rows 1 --quiet
    ts="$T_S ($T_CPU)" tsum=$T_S tm=$T_MB
    echo "| w2v | $P | $Q | $ws | $wm | $ts | $tm | $(awk -v a="$wsum" -v b="$tsum" 'BEGIN { printf "%.2f", a + b }') | $(( wm > tm ? wm : tm )) | $(auc_of "$WORK/w2v-$tag.bin") |" >>"$RES"
    # The same walks, whole windows per block step (text's default): faster, over-steps.
    timed "w2v-train0-$tag" "$W2V" train "$WORK/w2v-walks-$tag.txt" -o "$WORK/w2v0-$tag.bin" \
        --model skipgram --min-count 1 --sample 0 --dim "$DIM" --window "$WINDOW" \
        --negative "$NEG" --epochs "$EPOCHS" --threads "$THREADS" --batch-rows 0 --quiet
    echo "| w2v, --batch-rows 0 | $P | $Q | $ws | $wm | $T_S ($T_CPU) | $T_MB | $(awk -v a="$wsum" -v b="$T_S" 'BEGIN { printf "%.2f", a + b }') | $(( wm > T_MB ? wm : T_MB )) | $(auc_of "$WORK/w2v0-$tag.bin") |" >>"$RES"
    # One command, no walks file: the walks go straight into the id stream.
    timed "w2v-graph-$tag" "$W2V" train --graph "$G.train" -o "$WORK/w2v-graph-$tag.bin" \
        --p "$P" --q "$Q" --walks "$WALKS" --length "$LENGTH" --seed 1 \
        --model skipgram --dim "$DIM" --window "$WINDOW" \
        --negative "$NEG" --epochs "$EPOCHS" --threads "$THREADS" --quiet
    echo "| w2v train --graph | $P | $Q | - | - | ($T_CPU) | - | $T_S | $T_MB | $(auc_of "$WORK/w2v-graph-$tag.bin") |" >>"$RES"
    (( SKIP_REF )) && continue
    note "reference (networkx + gensim), p $P q $Q"
    if (( REUSE_REF )) && [[ -s $WORK/ref-walks-$tag.txt && -s $WORK/ref-walks-$tag.time ]]; then
        note "reusing the reference's walks from $(cat "$WORK/ref-walks-$tag.load" 2>/dev/null | head -1)"
        read_time "ref-walks-$tag"
    else
        timed "ref-walks-$tag" "$PY" "$ROOT/scripts/bench_node2vec_ref.py" "$G.train" \
            -o "$WORK/ref-walks-$tag.txt" --p "$P" --q "$Q" --walks "$WALKS" --length "$LENGTH"
    fi
    ws="$T_S ($T_CPU)" wsum=$T_S wm=$T_MB
    timed "ref-train-$tag" "$PY" "$ROOT/scripts/bench_gensim_train.py" "$WORK/ref-walks-$tag.txt" \
        -o "$WORK/ref-$tag.bin" --sg 1 --hs 0 --negative "$NEG" --dim "$DIM" --window "$WINDOW" \
        --sample 0 --min-count 1 --epochs "$EPOCHS" --threads "$THREADS"
    ts="$T_S ($T_CPU)" tsum=$T_S tm=$T_MB
    echo "| reference | $P | $Q | $ws | $wm | $ts | $tm | $(awk -v a="$wsum" -v b="$tsum" 'BEGIN { printf "%.2f", a + b }') | $(( wm > tm ? wm : tm )) | $(auc_of "$WORK/ref-$tag.bin") |" >>"$RES"
done
cat "$RES"
