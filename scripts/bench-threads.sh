#!/usr/bin/env bash
# bench-threads.sh — how w2v's training speed grows with threads.
#
# For each configuration and thread count, trains on one corpus, taking turns
# (repeat by repeat, every configuration, thread count and binary in the same
# round, so a change in the machine's load hits them all alike), and prints a
# markdown table of medians: the training phase (w2v's "trained ... in N s"
# line, which leaves out counting and encoding), its words/s, the speed-up
# over one thread (of the medians, and "by round": the median and min-max of
# each run against the same round's one-thread run, which cancels a change
# in the machine's speed between rounds) and the efficiency per thread, and
# the end-to-end wall time.
# With --quality it also trains --seeds seeds at 1 thread and at the largest
# thread count and reports analogy accuracy and WS353 Spearman (mean and
# min-max), so a speed-up that costs accuracy shows. With --ceiling it also
# runs, in each round, as many independent one-thread processes at once as the
# largest thread count (the first binary) and reports their summed words/s: what
# the machine itself gives N separate jobs (shared caches, memory bandwidth, the
# host's scheduling), against which the threads' speed-up can be read.
# With --pinned CPUS it also runs one thread pinned to each of those CPUs
# (taskset), in every round: a virtual machine's vCPUs need not be equally
# fast (on the 2-vCPU test host one ran a lone thread up to a third slower
# than the other, docs/BENCHMARKS.md round 12), and an unpinned one-thread
# run lands on either, so its median, and every speed-up read against it,
# depends on the draw. The table then also gives each thread count's
# speed-up against the mean of the pinned runs.
# Around every run with 2 or more threads it also times a cache line's round
# trip between CPUs 0 and 1 (scripts/line-latency.c, built with cc if there
# is one), before and after, and keeps the larger: the table's "line ns" is
# its range over the cell's runs. A row the other thread wrote last costs
# that much to write; on a virtual machine it changes with where the host
# puts the vCPUs (docs/BENCHMARKS.md: ~55 ns, or 360-640 ns far apart), and
# the speed-up with it. A second table splits the multi-thread runs by that reading:
# near, far (and neither when it changed during the run).
# Every run's figures go to OUT/raw.tsv. With --pool FILES it runs nothing and
# prints the same tables over the raw.tsv of earlier runs together, each
# file's rounds kept apart ("by round" pairs runs of one round of one file):
# one run of 5 rounds moves a speed-up by +-0.1x on a shared machine, and the
# figures in docs/BENCHMARKS.md pool several (their raw tables are in
# docs/threads/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

usage() {
    cat <<EOF
usage: scripts/bench-threads.sh [OPTIONS]

  --corpus FILE        corpus, gzip or plain (default: ROOT/../shared/data/corpus10m.txt.gz)
  --threads LIST       thread counts, comma-separated (default: 1,2,4,8,16,... up to nproc)
  --configs LIST       sg-ns,cbow-ns,sg-hs,cbow-hs (default: all four)
  --repeats N          runs per cell, the table shows the median (default: 3)
  --epochs N           epochs per run (default: 2)
  --sample X           subsampling threshold (default: 1e-4)
  --bin LIST           w2v binaries to compare side by side, comma-separated
                       (default: ROOT/w2v); the table names each by its path
  --ceiling            also: N independent one-thread processes at once (N = the
                       largest thread count), their summed words/s (the machine's ceiling)
  --pinned CPUS        also: one thread pinned to each of these CPUs (comma-separated,
                       e.g. 0,1), every round; rows "1@cpuK"
  --quality            also: analogy + WS353 at 1 thread and at the largest count
  --seeds N            seeds for --quality (default: 3)
  --quality-epochs N   epochs for the --quality runs (default: 5)
  --out DIR            where vectors and logs go (default: ROOT/work/bench-threads)
  --pool FILES         run nothing: the tables of earlier runs' raw.tsv files together
                       (comma-separated; the binary, thread, CPU and ceiling rows are
                       taken from the files)
  -h, --help           this text
EOF
}

die() { printf 'bench-threads.sh: error: %s\n' "$*" >&2; exit 1; }

CORPUS_SRC=$ROOT/../shared/data/corpus10m.txt.gz
EVAL_DIR=$ROOT/../shared/data/eval
NPROC=$(nproc)
THREADS=
CONFIGS=sg-ns,cbow-ns,sg-hs,cbow-hs
REPEATS=3 EPOCHS=2 SAMPLE=1e-4
BINS=$ROOT/w2v
QUALITY=0 SEEDS=3 QEPOCHS=5 CEILING=0 PINNED=
OUT=$ROOT/work/bench-threads
POOL=

while (($#)); do
    case $1 in
        --corpus) CORPUS_SRC=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --configs) CONFIGS=$2; shift ;;
        --repeats) REPEATS=$2; shift ;;
        --epochs) EPOCHS=$2; shift ;;
        --sample) SAMPLE=$2; shift ;;
        --bin) BINS=$2; shift ;;
        --quality) QUALITY=1 ;;
        --ceiling) CEILING=1 ;;
        --pinned) PINNED=$2; shift ;;
        --seeds) SEEDS=$2; shift ;;
        --quality-epochs) QEPOCHS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --pool) POOL=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
    shift
done
for n in "$REPEATS" "$EPOCHS" "$SEEDS" "$QEPOCHS"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive whole number"
done
# stats and the tables below read RAW: "bin config threads train_s words/s
# wall_s line_ns line_ns_low round", tab-separated, one line per run.
if [[ -n $POOL ]]; then
    ((QUALITY == 0)) || die "--pool prints the speed tables only, not --quality"
    IFS=, read -r -a POOL_FILES <<<"$POOL"
    RAW=$(mktemp)
    trap 'rm -f "$RAW"' EXIT
    k=0
    for f in "${POOL_FILES[@]}"; do
        [[ -s $f ]] || die "no raw table '$f'"
        k=$((k + 1))
        # a round is "file:round", so that two files' round 1 stay apart
        awk -F'\t' -v k="$k" -v f="$f" 'BEGIN { OFS = "\t" }
            NF != 9 { printf "bench-threads.sh: error: %s:%d: not a raw.tsv line\n", f, NR > "/dev/stderr"; exit 1 }
            { $9 = k ":" $9; print }' "$f" >>"$RAW" || exit 1
    done
    BINS=$(awk -F'\t' '$1 !~ / process$/ && !seen[$1]++ { printf "%s%s", n++ ? "," : "", $1 }' "$RAW")
    CONFIGS=$(awk -F'\t' '!seen[$2]++ { printf "%s%s", n++ ? "," : "", $2 }' "$RAW")
    THREADS=$(awk -F'\t' '$1 !~ / process$/ && $3 ~ /^[0-9]+$/ { print $3 }' "$RAW" | sort -nu | paste -sd, -)
    PINNED=$(awk -F'\t' '$3 ~ /^1@cpu[0-9]+$/ { print substr($3, 6) }' "$RAW" | sort -nu | paste -sd, -)
    awk -F'\t' '$1 ~ / process$/ { f = 1 } END { exit !f }' "$RAW" && CEILING=1
    [[ -n $BINS && -n $THREADS ]] || die "no runs in '$POOL'"
fi
if [[ -z $THREADS ]]; then
    THREADS=1
    for ((t = 2; t <= NPROC; t *= 2)); do THREADS+=",$t"; done
    ((NPROC & (NPROC - 1))) && THREADS+=",$NPROC"
fi
IFS=, read -r -a TLIST <<<"$THREADS"
IFS=, read -r -a CLIST <<<"$CONFIGS"
IFS=, read -r -a BLIST <<<"$BINS"
IFS=, read -r -a PLIST <<<"$PINNED"
LATENCY=
# The round trip of a cache line between CPUs 0 and 1 in ns, or "-".
line_ns() { [[ -n $LATENCY && $NPROC -ge 2 ]] && timeout 10 "$LATENCY" 2>/dev/null || echo -; }

# What the runs need: the CPUs to pin to, taskset, the binaries, the corpus
# (unpacked into OUT), and the line probe (built with cc if there is one).
prepare_runs() {
    for c in "${PLIST[@]}"; do
        [[ $c =~ ^[0-9]+$ ]] && ((c < NPROC)) || die "no CPU '$c' to pin to (CPUs 0-$((NPROC - 1)))"
    done
    ((${#PLIST[@]} == 0)) || command -v taskset >/dev/null || die "--pinned needs taskset (util-linux)"
    for b in "${BLIST[@]}"; do [[ -x $b ]] || die "no executable '$b' (run make first)"; done
    [[ -f $CORPUS_SRC ]] || die "no corpus '$CORPUS_SRC'"

    mkdir -p "$OUT"
    if command -v cc >/dev/null && cc -O2 -pthread "$ROOT/scripts/line-latency.c" -o "$OUT/line-latency" 2>/dev/null; then
        LATENCY=$OUT/line-latency
    fi
    CORPUS=$OUT/corpus.txt
    if [[ $CORPUS_SRC == *.gz ]]; then
        [[ -s $CORPUS && $CORPUS -nt $CORPUS_SRC ]] || zcat "$CORPUS_SRC" >"$CORPUS"
    else
        CORPUS=$CORPUS_SRC
    fi
}

config_args() {
    case $1 in
        sg-ns) echo "--model skipgram --negative 5" ;;
        cbow-ns) echo "--model cbow --negative 5" ;;
        sg-hs) echo "--model skipgram --hs --negative 0" ;;
        cbow-hs) echo "--model cbow --hs --negative 0" ;;
        *) die "unknown configuration '$1'" ;;
    esac
}

# run BIN CONFIG THREADS EPOCHS SEED OUTFILE [LOG] -> "train_s words_per_s wall_s";
# pinned to CPU PIN_CPU when that is set.
PIN_CPU=
run() {
    local bin=$1 cfg=$2 t=$3 ep=$4 seed=$5 vec=$6 log=${7:-$OUT/last.log} t0 t1 line
    local pin=()
    [[ -n $PIN_CPU ]] && pin=(taskset -c "$PIN_CPU")
    t0=$(date +%s.%N)
    # shellcheck disable=SC2046
    "${pin[@]}" "$bin" train "$CORPUS" -o "$vec" $(config_args "$cfg") --dim 100 --window 5 \
        --sample "$SAMPLE" --epochs "$ep" --threads "$t" --seed "$seed" 2>"$log" ||
        die "training failed: $(tail -1 "$log")"
    t1=$(date +%s.%N)
    line=$(grep ' trained ' "$log" | tail -1)
    [[ -n $line ]] || die "no 'trained' line from $bin"
    local secs wps words
    # The line's seconds have one decimal; words / (words/s) has more.
    words=$(sed -n 's/.* trained \([0-9]*\) words.*/\1/p' <<<"$line")
    wps=$(sed -n 's/.* s, \([0-9]*\) words\/s.*/\1/p' <<<"$line")
    secs=$(awk -v n="$words" -v r="$wps" 'BEGIN { printf "%.3f", (r > 0 ? n / r : 0) }')
    echo "$secs $wps $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

# median and min-max of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", m, v[1], v[NR] }'; }

# Every round runs each configuration, thread count and binary in turn (and
# the pinned and ceiling runs), appending to RAW.
run_rounds() {
    : >"$RAW"
    echo "bench-threads.sh: start $(date -u +%FT%TZ), $(uptime)" >&2
    for ((r = 1; r <= REPEATS; r++)); do
        for cfg in "${CLIST[@]}"; do
            for t in "${TLIST[@]}"; do
                for b in "${BLIST[@]}"; do
                    lat=- low=-
                    ((t > 1)) && lat=$(line_ns) && low=$lat
                    read -r secs wps wall < <(run "$b" "$cfg" "$t" "$EPOCHS" "$r" "$OUT/v.bin")
                    if ((t > 1)); then
                        after=$(line_ns)
                        [[ $lat == - || ($after != - && $after -gt $lat) ]] && lat=$after
                        [[ $low == - || ($after != - && $after -lt $low) ]] && low=$after
                    fi
                    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$b" "$cfg" "$t" "$secs" "$wps" "$wall" "$lat" "$low" "$r" >>"$RAW"
                    printf 'bench-threads.sh: round %d %s %s t=%s: %s s, %s words/s, wall %s s, line %s ns\n' \
                        "$r" "$(basename "$b")" "$cfg" "$t" "$secs" "$wps" "$wall" "$lat" >&2
                done
            done
            for c in "${PLIST[@]}"; do
                PIN_CPU=$c
                read -r secs wps wall < <(run "${BLIST[0]}" "$cfg" 1 "$EPOCHS" "$r" "$OUT/v.bin")
                PIN_CPU=
                printf '%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t%s\n' "${BLIST[0]}" "$cfg" "1@cpu$c" "$secs" "$wps" "$wall" "$r" >>"$RAW"
                printf 'bench-threads.sh: round %d %s %s t=1 on CPU %s: %s s, %s words/s, wall %s s\n' \
                    "$r" "$(basename "${BLIST[0]}")" "$cfg" "$c" "$secs" "$wps" "$wall" >&2
            done
            ((CEILING)) || continue
            # TMAX one-thread processes at once; the row's words/s is their sum,
            # its seconds the slowest one's.
            n=${TLIST[${#TLIST[@]}-1]}
            for ((i = 1; i <= n; i++)); do
                run "${BLIST[0]}" "$cfg" 1 "$EPOCHS" "$r" "$OUT/c$i.bin" "$OUT/c$i.log" >"$OUT/c$i.res" &
            done
            wait
            read -r secs wps wall < <(cat "$OUT"/c*.res | awk '{ if ($1 > s) s = $1; w += $2; if ($3 > e) e = $3 }
                END { printf "%.3f %.0f %.2f\n", s, w, e }')
            rm -f "$OUT"/c*.res "$OUT"/c*.bin "$OUT"/c*.log
            printf '%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t%s\n' "${n}x1 process" "$cfg" "$n" "$secs" "$wps" "$wall" "$r" >>"$RAW"
            printf 'bench-threads.sh: round %d %sx1 process %s: %s s, %s words/s summed, wall %s s\n' \
                "$r" "$n" "$cfg" "$secs" "$wps" "$wall" >&2
        done
    done
    echo "bench-threads.sh: end $(date -u +%FT%TZ), $(uptime)" >&2
}

if [[ -z $POOL ]]; then
    prepare_runs
    RAW=$OUT/raw.tsv
    run_rounds
fi

# The CPU as /proc/cpuinfo names it, with its family and model (hosts of one
# cloud machine kind differ: AMD family 26 is Zen 5, 25 Zen 3/4) and the L2
# size, since the speed-up changes with the host.
cpu_desc() {
    local name family model l2
    name=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
    family=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
    model=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
    l2=$(getconf LEVEL2_CACHE_SIZE 2>/dev/null || true)
    printf '%s' "${name:-unknown CPU}"
    [[ -n $family ]] && printf ' (family %s, model %s)' "$family" "${model:-?}"
    [[ $l2 =~ ^[1-9][0-9]*$ ]] && printf ', L2 %d KiB' $((l2 / 1024))
    return 0
}

echo
if [[ -n $POOL ]]; then
    echo "pooled: ${#POOL_FILES[@]} runs' raw tables, $(cut -f9 "$RAW" | sort -u | wc -l) rounds" \
        "(${POOL//,/, }); median (min-max) of all their runs"
else
    echo "corpus $(basename "$CORPUS_SRC"), dim 100, window 5, sample $SAMPLE, $EPOCHS epochs;" \
        "median of $REPEATS (min-max); $(nproc) CPUs, $(cpu_desc)"
fi
echo
echo "| binary | config | threads | train s | words/s | speed-up | by round | efficiency | end-to-end s | line ns |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# row BIN CONFIG THREADS BASE [BASEBIN]: one table line; sets WM, the median
# words/s. BASE is the one-thread words/s the speed-up is measured against
# (empty: WM); "by round" pairs each run with the same round's one-thread
# run of BASEBIN (default BIN), seconds apart, so that a change in the
# machine's speed between rounds cancels out.
row() {
    local b=$1 cfg=$2 t=$3 base=$4 bb=${5:-$1} sm smin smax em emin emax lat rm rmin rmax
    read -r rm rmin rmax < <(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" -v bb="$bb" -v t0="${TLIST[0]}" '
        $2 == c && $1 == b && $3 == t { x[$9] = $5 }
        $2 == c && $1 == bb && $3 == t0 { y[$9] = $5 }
        END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$RAW" | stats)
    read -r sm smin smax < <(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t { print $4 }' "$RAW" | stats)
    read -r WM _ _ < <(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t { print $5 }' "$RAW" | stats)
    read -r em emin emax < <(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t { print $6 }' "$RAW" | stats)
    lat=$(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t && $7 != "-" {
        if (n++ == 0 || $7 < lo) lo = $7; if ($7 > hi) hi = $7 }
        END { if (n) printf "%d-%d", lo, hi; else printf "-" }' "$RAW")
    awk -v b="$b" -v c="$cfg" -v t="$t" -v sm="$sm" -v smin="$smin" -v smax="$smax" \
        -v wm="$WM" -v base="${base:-$WM}" -v em="$em" -v emin="$emin" -v emax="$emax" \
        -v lat="$lat" -v rm="$rm" -v rmin="$rmin" -v rmax="$rmax" 'BEGIN {
        su = wm / base
        byround = rm == "" ? "-" : sprintf("%.2fx (%.2f-%.2f)", rm, rmin, rmax)
        printf "| %s | %s | %s | %.2f (%.2f-%.2f) | %.0f | %.2fx | %s | %.0f%% | %.2f (%.2f-%.2f) | %s |\n",
            b, c, t, sm, smin, smax, wm, su, byround, 100 * su / (t / '"${TLIST[0]}"'), em, emin, emax, lat }'
}
declare -A BASE1
for b in "${BLIST[@]}"; do
    for cfg in "${CLIST[@]}"; do
        base=
        for t in "${TLIST[@]}"; do
            row "$b" "$cfg" "$t" "$base"
            [[ -z $base ]] && base=$WM
        done
        [[ $b == "${BLIST[0]}" ]] && BASE1[$cfg]=$base
    done
done
if ((CEILING)); then
    n=${TLIST[${#TLIST[@]}-1]}
    for cfg in "${CLIST[@]}"; do row "${n}x1 process" "$cfg" "$n" "${BASE1[$cfg]}" "${BLIST[0]}"; done
fi
if ((${#PLIST[@]})); then
    for cfg in "${CLIST[@]}"; do
        for c in "${PLIST[@]}"; do row "${BLIST[0]}" "$cfg" "1@cpu$c" "${BASE1[$cfg]}" "${BLIST[0]}"; done
    done
    echo
    echo "against one thread pinned to each of CPUs $PINNED (the mean of their medians), ${BLIST[0]}:"
    echo
    echo "| config | threads | words/s | pinned one thread | speed-up | by round |"
    echo "|---|---:|---:|---:|---:|---:|"
    for cfg in "${CLIST[@]}"; do
        pmean=$(for c in "${PLIST[@]}"; do
            awk -F'\t' -v b="${BLIST[0]}" -v c="$cfg" -v t="1@cpu$c" '$1 == b && $2 == c && $3 == t { print $5 }' "$RAW" | stats
        done | awk '{ s += $1 } END { printf "%.0f", s / NR }')
        for t in "${TLIST[@]}"; do
            read -r wm _ _ < <(awk -F'\t' -v b="${BLIST[0]}" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t { print $5 }' "$RAW" | stats)
            # by round: each run against the mean of the same round's pinned runs
            read -r rm rmin rmax < <(awk -F'\t' -v b="${BLIST[0]}" -v c="$cfg" -v t="$t" '
                $1 == b && $2 == c && $3 == t { x[$9] = $5 }
                $1 == b && $2 == c && $3 ~ /^1@cpu/ { p[$9] += $5; n[$9]++ }
                END { for (r in x) if (n[r] > 0) print x[r] / (p[r] / n[r]) }' "$RAW" | stats)
            awk -v c="$cfg" -v t="$t" -v w="$wm" -v p="$pmean" -v rm="$rm" -v rmin="$rmin" -v rmax="$rmax" \
                'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2fx | %.2fx (%.2f-%.2f) |\n", c, t, w, p, w / p, rm, rmin, rmax }'
        done
    done
fi

# The multi-thread runs again, split by where the host had put the vCPUs:
# "near" when the line's round trip read under FAR_NS both before and after
# the run, "far" when it read at least FAR_NS both times (runs where it
# changed are in neither). The speed-up is against the binary's one-thread
# median of all runs.
FAR_NS=200
HAS_LINE=0
[[ -n $LATENCY && $NPROC -ge 2 ]] && HAS_LINE=1
[[ -n $POOL ]] && awk -F'\t' '$7 != "-" { f = 1 } END { exit !f }' "$RAW" && HAS_LINE=1
if ((HAS_LINE)); then
    echo
    echo "by placement (line ns < $FAR_NS: near, >= $FAR_NS: far, before and after the run): runs, median words/s (min-max), speed-up"
    echo
    echo "| binary | config | threads | near | far |"
    echo "|---|---|---:|---|---|"
    for b in "${BLIST[@]}"; do
        for cfg in "${CLIST[@]}"; do
            read -r base _ _ < <(awk -F'\t' -v b="$b" -v c="$cfg" -v t="${TLIST[0]}" \
                '$1 == b && $2 == c && $3 == t { print $5 }' "$RAW" | stats)
            for t in "${TLIST[@]}"; do
                ((t > 1)) || continue
                cells=()
                for want in near far; do
                    vals=$(awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" -v w="$want" -v f="$FAR_NS" \
                        '$1 == b && $2 == c && $3 == t && $7 != "-" &&
                         ((w == "near" && $7 < f) || (w == "far" && $8 >= f)) { print $5 }' "$RAW")
                    if [[ -z $vals ]]; then
                        cells+=("-")
                        continue
                    fi
                    read -r m lo hi < <(stats <<<"$vals")
                    cells+=("$(awk -v n="$(wc -l <<<"$vals")" -v m="$m" -v lo="$lo" -v hi="$hi" -v base="$base" \
                        'BEGIN { printf "%d, %.0f (%.0f-%.0f), %.2fx", n, m, lo, hi, m / base }')")
                done
                printf '| %s | %s | %d | %s | %s |\n' "$b" "$cfg" "$t" "${cells[0]}" "${cells[1]}"
            done
        done
    done
fi

((QUALITY)) || exit 0
[[ -f $EVAL_DIR/questions-words.txt && -f $EVAL_DIR/wordsim353.tsv ]] || die "no eval files in $EVAL_DIR"
TMAX=${TLIST[${#TLIST[@]}-1]}
QRAW=$OUT/quality.tsv
: >"$QRAW"
for ((s = 1; s <= SEEDS; s++)); do
    for cfg in "${CLIST[@]}"; do
        for t in 1 "$TMAX"; do
            for b in "${BLIST[@]}"; do
                run "$b" "$cfg" "$t" "$QEPOCHS" "$s" "$OUT/q.bin" >/dev/null
                acc=$("$b" eval-analogy "$OUT/q.bin" "$EVAL_DIR/questions-words.txt" --json |
                    sed -n 's/^{"accuracy": *\([0-9.]*\).*/\1/p')
                rho=$("$b" eval-similarity "$OUT/q.bin" "$EVAL_DIR/wordsim353.tsv" --json |
                    sed -n 's/.*"spearman": *\([-0-9.]*\).*/\1/p')
                printf '%s\t%s\t%s\t%s\t%s\n' "$b" "$cfg" "$t" "$acc" "$rho" >>"$QRAW"
                printf 'bench-threads.sh: quality seed %d %s %s t=%s: analogy %s, ws353 %s\n' \
                    "$s" "$(basename "$b")" "$cfg" "$t" "$acc" "$rho" >&2
            done
        done
    done
done
echo
echo "quality: $QEPOCHS epochs, $SEEDS seeds; mean (min-max)"
echo
echo "| binary | config | threads | analogy | WS353 |"
echo "|---|---|---:|---:|---:|"
for b in "${BLIST[@]}"; do
    for cfg in "${CLIST[@]}"; do
        for t in 1 "$TMAX"; do
            awk -F'\t' -v b="$b" -v c="$cfg" -v t="$t" '$1 == b && $2 == c && $3 == t {
                n++; a += $4; r += $5
                if (n == 1 || $4 < amin) amin = $4; if (n == 1 || $4 > amax) amax = $4
                if (n == 1 || $5 < rmin) rmin = $5; if (n == 1 || $5 > rmax) rmax = $5 }
                END { printf "| %s | %s | %d | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) |\n",
                      b, c, t, a / n, amin, amax, r / n, rmin, rmax }' "$QRAW"
        done
    done
done
