#!/usr/bin/env bash
# bench.sh — train w2v, gensim and fastText side by side on one corpus with the same
# settings, taking turns, and evaluate every output twice (w2v eval-* and gensim).
# See docs/BENCHMARKS.md for what each column means; `scripts/bench.sh --help` for flags.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PY=/usr/bin/python3            # Debian's interpreter: python3-gensim lives there
GNU_TIME=/usr/bin/time
W2V=$ROOT/w2v

usage() {
    cat <<EOF
usage: scripts/bench.sh [OPTIONS]

Trains w2v, gensim Word2Vec (corpus_file mode) and fastText (no subwords) on one
corpus with identical settings, taking turns, and prints one markdown table of
medians. Results go to work/bench/<timestamp>/ under the repository root.

corpus:
  --quick              use corpus1m (1M tokens) instead of corpus10m
  --corpus FILE        any corpus, gzip or plain text
  --data-dir DIR       benchmark data folder (default: ROOT/../shared/data)

what to run:
  --tools LIST         comma list of w2v,gensim,fasttext (default: all three)
  --configs LIST       comma list of sg-ns,cbow-ns,sg-hs,cbow-hs (default: all four),
                       or sg-sub,cbow-sub: NS with subword n-grams (w2v --subwords against
                       fastText's own n-grams; gensim skipped), minn/maxn/bucket below;
                       w2v's subword model is also scored with eval-* --oov (unseen
                       question words from n-grams) for the coverage figure
  --repeats N          runs of each tool and config (default: 3)

training settings (the same for every tool):
  --dim N              vector size (default: 100)
  --window N           context window (default: 5)
  --negative N         negative samples for the -ns configs (default: 5; -hs use 0)
  --sample X           subsampling threshold (default: 1e-4)
  --min-count N        minimum word count (default: 5)
  --epochs N           passes over the corpus (default: 5)
  --threads N          training threads (default: 2)
  --w2v-args "ARGS"    extra arguments for 'w2v train' only, split on spaces
                       (e.g. "--kernel reference"); recorded in the table
  --minn N, --maxn N   -sub configs: n-gram lengths in characters (default: 3, 6)
  --bucket N           -sub configs: n-gram hash buckets (default: 2000000)
  --lr X               starting learning rate for every tool (default: each tool's own:
                       w2v 0.025 skip-gram / 0.05 CBOW, gensim 0.025, fastText 0.05)

evaluation:
  --restrict N         analogy vocabulary: the N most frequent words (default: 30000)

other:
  --keep-vectors       keep every vector file (default: only the last repeat's)
  --dry-run            print the commands that would run, then stop
  -h, --help           this text
EOF
}

die() { printf 'bench.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- options
DATA_DIR=$ROOT/../shared/data
CORPUS_SRC=
QUICK=0
TOOLS=w2v,gensim,fasttext
CONFIGS="sg-ns,cbow-ns,sg-hs,cbow-hs"
REPEATS=3
DIM=100 WINDOW=5 NEGATIVE=5 SAMPLE=1e-4 MIN_COUNT=5 EPOCHS=5 THREADS=2
MINN=3 MAXN=6 BUCKET=2000000
LR=
W2V_ARGS=
RESTRICT=30000
KEEP_VECTORS=0
DRY_RUN=0

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_pos() { is_uint "$1" && (( 10#$1 > 0 )); }
is_num() { [[ $1 =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$ ]]; }

while (( $# )); do
    opt=$1 val=
    case $opt in
        --*=*) val=${opt#*=}; opt=${opt%%=*}; set -- "$opt" "$val" "${@:2}" ;;
    esac
    case $opt in
        -h|--help) usage; exit 0 ;;
        --quick) QUICK=1; shift; continue ;;
        --keep-vectors) KEEP_VECTORS=1; shift; continue ;;
        --dry-run) DRY_RUN=1; shift; continue ;;
        --corpus|--data-dir|--tools|--configs|--repeats|--dim|--window|--negative|--sample|\
        --min-count|--epochs|--threads|--lr|--restrict|--w2v-args|--minn|--maxn|--bucket)
            (( $# >= 2 )) || { usage >&2; die "option '$opt' needs a value"; }
            val=$2; shift 2 ;;
        *) usage >&2; die "unknown option '$opt'" ;;
    esac
    case $opt in
        --corpus) CORPUS_SRC=$val ;;
        --data-dir) DATA_DIR=$val ;;
        --tools) TOOLS=$val ;;
        --configs) CONFIGS=$val ;;
        --repeats) is_pos "$val" || die "--repeats wants a positive integer, not '$val'"; REPEATS=$val ;;
        --dim) is_pos "$val" || die "--dim wants a positive integer, not '$val'"; DIM=$val ;;
        --window) is_pos "$val" || die "--window wants a positive integer, not '$val'"; WINDOW=$val ;;
        --negative) is_pos "$val" || die "--negative wants a positive integer, not '$val'"; NEGATIVE=$val ;;
        --sample) is_num "$val" || die "--sample wants a number, not '$val'"; SAMPLE=$val ;;
        --min-count) is_pos "$val" || die "--min-count wants a positive integer, not '$val'"; MIN_COUNT=$val ;;
        --epochs) is_pos "$val" || die "--epochs wants a positive integer, not '$val'"; EPOCHS=$val ;;
        --threads) is_pos "$val" || die "--threads wants a positive integer, not '$val'"; THREADS=$val ;;
        --w2v-args) W2V_ARGS=$val ;;
        --minn) is_pos "$val" || die "--minn wants a positive integer, not '$val'"; MINN=$val ;;
        --maxn) is_pos "$val" || die "--maxn wants a positive integer, not '$val'"; MAXN=$val ;;
        --bucket) is_pos "$val" || die "--bucket wants a positive integer, not '$val'"; BUCKET=$val ;;
        --lr) is_num "$val" || die "--lr wants a number, not '$val'"; LR=$val ;;
        --restrict) is_pos "$val" || die "--restrict wants a positive integer, not '$val'"; RESTRICT=$val ;;
    esac
done

# Canonical turn order, whatever order the lists were given in.
want_tool=() want_config=()
for t in ${TOOLS//,/ }; do
    case $t in w2v|gensim|fasttext) ;; *) die "unknown tool '$t' (w2v, gensim, fasttext)" ;; esac
done
for t in w2v gensim fasttext; do [[ ,$TOOLS, == *,$t,* ]] && want_tool+=("$t"); done
for c in ${CONFIGS//,/ }; do
    case $c in sg-ns|cbow-ns|sg-hs|cbow-hs|sg-sub|cbow-sub) ;; *) die "unknown config '$c' (sg-ns, cbow-ns, sg-hs, cbow-hs, sg-sub, cbow-sub)" ;; esac
done
for c in sg-ns cbow-ns sg-hs cbow-hs sg-sub cbow-sub; do [[ ,$CONFIGS, == *,$c,* ]] && want_config+=("$c"); done
(( ${#want_tool[@]} )) || die "--tools selects nothing"
(( ${#want_config[@]} )) || die "--configs selects nothing"

if [[ -z $CORPUS_SRC ]]; then
    if (( QUICK )); then CORPUS_SRC=$DATA_DIR/corpus1m.txt.gz; else CORPUS_SRC=$DATA_DIR/corpus10m.txt.gz; fi
fi
# Absolute, symlink-free paths: logs and stamps then name files unambiguously.
abspath() {
    local dir
    dir=$(cd "$(dirname "$1")" 2>/dev/null && pwd -P) || { printf '%s' "$1"; return; }
    [[ $dir != / ]] || dir=
    printf '%s/%s' "$dir" "$(basename "$1")"
}
if [[ -d $DATA_DIR ]]; then DATA_DIR=$(cd "$DATA_DIR" && pwd -P); fi
CORPUS_SRC=$(abspath "$CORPUS_SRC")
QUESTIONS=$DATA_DIR/eval/questions-words.txt
PAIRS=$DATA_DIR/eval/wordsim353.tsv
[[ -r $CORPUS_SRC ]] || die "cannot read corpus '$CORPUS_SRC'"
[[ -r $QUESTIONS ]] || die "cannot read '$QUESTIONS'"
[[ -r $PAIRS ]] || die "cannot read '$PAIRS'"

# ---------------------------------------------------------------- dependencies
# Install by Debian package name when the capability is missing.
. "$ROOT/scripts/apt-install.sh" # apt_install PKG...

install_missing() {
    local need=()
    [[ -x $GNU_TIME ]] && "$GNU_TIME" -f %e true 2>/dev/null || need+=(time)
    [[ -x $PY ]] && "$PY" -c 'import gensim' 2>/dev/null || need+=(python3-gensim)
    if [[ " ${want_tool[*]} " == *" fasttext "* ]]; then
        command -v fasttext >/dev/null || need+=(fasttext)
    fi
    [[ -x $W2V ]] || {
        command -v make >/dev/null || need+=(make)
        command -v cc >/dev/null || need+=(gcc libc6-dev)
    }
    (( ${#need[@]} == 0 )) || apt_install "${need[@]}"
    "$PY" -c 'from gensim.models.word2vec import CORPUSFILE_VERSION as v; assert v >= 0' 2>/dev/null ||
        die "this gensim has no corpus_file support"
}

if (( ! DRY_RUN )); then
    install_missing
    # make decides whether anything needs rebuilding.
    build_log=$(make -C "$ROOT" w2v 2>&1) || { printf '%s\n' "$build_log" >&2; die "building w2v failed"; }
fi

# A command whose --help still says "Not implemented yet" is a skeleton placeholder.
w2v_implements() {
    [[ -x $W2V ]] || return 1
    local h
    h=$("$W2V" "$1" --help 2>&1) || true
    ! grep -qi 'not implemented' <<<"$h"
}
HAVE_W2V_TRAIN=0 HAVE_W2V_EVAL=0
if w2v_implements train; then HAVE_W2V_TRAIN=1; fi
if w2v_implements eval-analogy && w2v_implements eval-similarity; then HAVE_W2V_EVAL=1; fi
tools=()
for t in "${want_tool[@]}"; do
    if [[ $t == w2v ]] && (( ! HAVE_W2V_TRAIN )); then
        note "SKIPPING w2v: 'w2v train --help' says it is not implemented yet"
        continue
    fi
    tools+=("$t")
done
(( ${#tools[@]} )) || die "no tool left to run"
(( HAVE_W2V_EVAL )) ||
    note "w2v eval-analogy/eval-similarity not implemented yet: evaluating with gensim only (no cross-check)"

# ---------------------------------------------------------------- corpus
# A gzip corpus is decompressed once into work/corpus/ (git-ignored); a stamp
# next to it records which source it came from and its token count.
count_tokens() { LC_ALL=C wc -w <"$1" | tr -d ' '; }
prepare_corpus() {
    local src=$1
    if [[ $src == *.gz ]]; then
        local name dest stamp want
        name=$(basename "$src" .gz)
        dest=$ROOT/work/corpus/$name
        stamp=$dest.stamp
        want="$src $(stat -L -c '%s %Y' "$src")"
        if [[ -f $dest && -f $stamp && $(head -n1 "$stamp") == "$want" ]]; then
            CORPUS=$dest
            TOKENS=$(sed -n 2p "$stamp")
            return
        fi
        mkdir -p "$ROOT/work/corpus"
        note "decompressing $src -> $dest"
        gzip -dc "$src" >"$dest.tmp.$$" || { rm -f "$dest.tmp.$$"; die "cannot decompress '$src'"; }
        mv "$dest.tmp.$$" "$dest"
        TOKENS=$(count_tokens "$dest")
        printf '%s\n%s\n' "$want" "$TOKENS" >"$stamp"
        CORPUS=$dest
    else
        CORPUS=$src
        TOKENS=$(count_tokens "$CORPUS")
    fi
}
if (( DRY_RUN )); then
    CORPUS=$CORPUS_SRC TOKENS=0
    [[ $CORPUS != *.gz ]] || CORPUS=$ROOT/work/corpus/$(basename "$CORPUS" .gz)
else
    prepare_corpus "$CORPUS_SRC"
    (( TOKENS > 0 )) || die "corpus '$CORPUS' has no tokens"
fi

# ---------------------------------------------------------------- commands
# train_cmd TOOL CONFIG OUTBASE: sets CMD (array) and OUT (the vector file it writes).
train_cmd() {
    local tool=$1 config=$2 base=$3 neg=$NEGATIVE hs=0 sg=1 sub=0
    [[ $config == *-sub ]] && sub=1
    [[ $config == *-hs ]] && { neg=0; hs=1; }
    [[ $config == cbow-* ]] && sg=0
    case $tool in
        w2v)
            OUT=$base.bin
            CMD=("$W2V" train "$CORPUS" -o "$OUT" --model "$( ((sg)) && echo skipgram || echo cbow)")
            if ((hs)); then CMD+=(--hs --negative 0); else CMD+=(--negative "$neg"); fi
            CMD+=(--dim "$DIM" --window "$WINDOW" --sample "$SAMPLE" --min-count "$MIN_COUNT"
                  --epochs "$EPOCHS" --threads "$THREADS" --quiet)
            [[ -z $LR ]] || CMD+=(--alpha "$LR")
            # The subword model answers unseen question words (eval-* --oov).
            ((sub)) && CMD+=(--subwords --minn "$MINN" --maxn "$MAXN" --bucket "$BUCKET"
                             --subword-model "$base.sw")
            if [[ -n $W2V_ARGS ]]; then
                local extra
                read -r -a extra <<<"$W2V_ARGS"
                CMD+=("${extra[@]}")
            fi
            ;;
        gensim)
            OUT=$base.bin
            CMD=("$PY" "$ROOT/scripts/bench_gensim_train.py" "$CORPUS" -o "$OUT" --sg "$sg" --hs "$hs"
                 --negative "$neg" --dim "$DIM" --window "$WINDOW" --sample "$SAMPLE"
                 --min-count "$MIN_COUNT" --epochs "$EPOCHS" --threads "$THREADS")
            [[ -z $LR ]] || CMD+=(--alpha "$LR")
            ;;
        fasttext)
            OUT=$base.vec         # fastText also writes $base.bin (the model); removed after the run
            CMD=(fasttext "$( ((sg)) && echo skipgram || echo cbow)" -input "$CORPUS" -output "$base"
                 -dim "$DIM" -ws "$WINDOW" -neg "$neg" -loss "$( ((hs)) && echo hs || echo ns)"
                 -t "$SAMPLE" -minCount "$MIN_COUNT" -epoch "$EPOCHS" -thread "$THREADS"
                 -verbose 0)
            if ((sub)); then CMD+=(-minn "$MINN" -maxn "$MAXN" -bucket "$BUCKET"); else CMD+=(-minn 0 -maxn 0); fi
            [[ -z $LR ]] || CMD+=(-lr "$LR")
            ;;
    esac
}

quote() { local s; printf -v s '%q ' "$@"; printf '%s' "${s% }"; }

if (( DRY_RUN )); then
    for c in "${want_config[@]}"; do
        for t in "${want_tool[@]}"; do
            [[ $t == gensim && $c == *-sub ]] && continue
            train_cmd "$t" "$c" "OUTDIR/$c-$t"
            printf '%s\n' "$(quote /usr/bin/time -f '%e %U %S %M' -o TIMEFILE "${CMD[@]}")"
        done
    done
    printf '%s\n' "$(quote "$W2V" eval-analogy VECTORS "$QUESTIONS" --restrict "$RESTRICT" --json)"
    printf '%s\n' "$(quote "$W2V" eval-similarity VECTORS "$PAIRS" --json)"
    printf '%s\n' "$(quote "$W2V" eval-analogy SUBWORD_MODEL "$QUESTIONS" --restrict "$RESTRICT" --oov --json)"
    printf '%s\n' "$(quote "$W2V" eval-similarity SUBWORD_MODEL "$PAIRS" --oov --json)"
    printf '%s\n' "$(quote "$PY" "$ROOT/scripts/bench_eval.py" VECTORS --questions "$QUESTIONS" --pairs "$PAIRS" \
        --restrict "$RESTRICT" --w2v-analogy ANALOGY.json --w2v-similarity SIMILARITY.json)"
    exit 0
fi

# ---------------------------------------------------------------- run
RUN_DIR=$ROOT/work/bench/$(date +%Y%m%d-%H%M%S)
while [[ -e $RUN_DIR ]]; do sleep 1; RUN_DIR=$ROOT/work/bench/$(date +%Y%m%d-%H%M%S); done
mkdir -p "$RUN_DIR/vectors" "$RUN_DIR/logs"
TIMINGS=$RUN_DIR/timings.tsv
printf 'rep\tconfig\ttool\tstatus\twall_s\tuser_s\tsys_s\tmaxrss_kb\teval_json\n' >"$TIMINGS"

{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    printf 'cpu\t%s\n' "$(LC_ALL=C lscpu | sed -n 's/^Model name: *//p' | head -n1)"
    printf 'cores\t%s\n' "$(nproc --all)"
    printf 'corpus\t%s\n' "$CORPUS_SRC"
    printf 'tokens\t%s\n' "$TOKENS"
    printf 'settings\tdim %s, window %s, negative %s (NS) / 0 (HS), sample %s, min-count %s, epochs %s, threads %s, lr %s\n' \
        "$DIM" "$WINDOW" "$NEGATIVE" "$SAMPLE" "$MIN_COUNT" "$EPOCHS" "$THREADS" "${LR:-tool defaults}"
    printf 'epochs\t%s\n' "$EPOCHS"
    printf 'threads\t%s\n' "$THREADS"
    printf 'repeats\t%s\n' "$REPEATS"
    printf 'restrict\t%s\n' "$RESTRICT"
    printf 'w2v_version\t%s\n' "$( [[ -x $W2V ]] && "$W2V" --version 2>/dev/null || echo none) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+dirty'))"
    printf 'w2v_args\t%s\n' "$W2V_ARGS"
    printf 'gensim_version\t%s\n' "$("$PY" -c 'import gensim; print(gensim.__version__)')"
    printf 'fasttext_version\t%s\n' "$(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?')"
    printf 'w2v_eval\t%s\n' "$HAVE_W2V_EVAL"
    printf 'skipped\t%s\n' "$( ((HAVE_W2V_TRAIN)) || [[ " ${want_tool[*]} " != *" w2v "* ]] || echo w2v)"
} >"$RUN_DIR/meta.tsv"

note "corpus $CORPUS ($TOKENS tokens); results in $RUN_DIR"
failures=0
for (( rep = 1; rep <= REPEATS; rep++ )); do
    for config in "${want_config[@]}"; do
        for tool in "${tools[@]}"; do
            # gensim's Word2Vec has no subwords (its FastText class is another program).
            [[ $tool == gensim && $config == *-sub ]] && continue
            id=r$rep-$config-$tool
            train_cmd "$tool" "$config" "$RUN_DIR/vectors/$id"
            log=$RUN_DIR/logs/$id.log
            tf=$RUN_DIR/logs/$id.time
            printf '%s\n' "$(quote "${CMD[@]}")" >"$log"
            status=ok
            "$GNU_TIME" -f '%e %U %S %M' -o "$tf" "${CMD[@]}" >>"$log" 2>&1 || status=failed
            [[ $tool != fasttext ]] || rm -f "${OUT%.vec}.bin"
            # GNU time appends a "Command exited with non-zero status" line before its
            # own when the command fails: its numbers are on the last line.
            wall='' user='' sys='' rss=''
            read -r wall user sys rss < <(tail -n1 "$tf" 2>/dev/null) || true
            [[ -s $OUT ]] || status=failed
            eval_json=
            if [[ $status == ok ]]; then
                eval_json=$RUN_DIR/logs/$id.eval.json
                ev=(--questions "$QUESTIONS" --pairs "$PAIRS" --restrict "$RESTRICT")
                if (( HAVE_W2V_EVAL )); then
                    "$W2V" eval-analogy "$OUT" "$QUESTIONS" --restrict "$RESTRICT" --json \
                        >"$RUN_DIR/logs/$id.analogy.json" 2>>"$log" || note "$id: w2v eval-analogy failed (see $log)"
                    "$W2V" eval-similarity "$OUT" "$PAIRS" --json \
                        >"$RUN_DIR/logs/$id.similarity.json" 2>>"$log" || note "$id: w2v eval-similarity failed (see $log)"
                    ev+=(--w2v-analogy "$RUN_DIR/logs/$id.analogy.json"
                         --w2v-similarity "$RUN_DIR/logs/$id.similarity.json")
                    # Subword rows: the coverage with unseen question words
                    # answered from their n-grams (bench_report.py reads it).
                    sw=${OUT%.bin}.sw
                    if [[ $tool == w2v && $config == *-sub && -s $sw ]]; then
                        "$W2V" eval-analogy "$sw" "$QUESTIONS" --restrict "$RESTRICT" --oov --json \
                            >"$RUN_DIR/logs/$id.analogy-oov.json" 2>>"$log" || note "$id: w2v eval-analogy --oov failed (see $log)"
                        "$W2V" eval-similarity "$sw" "$PAIRS" --oov --json \
                            >"$RUN_DIR/logs/$id.similarity-oov.json" 2>>"$log" || note "$id: w2v eval-similarity --oov failed (see $log)"
                    fi
                fi
                (( KEEP_VECTORS )) || [[ $tool != w2v ]] || rm -f "${OUT%.bin}.sw"
                "$PY" "$ROOT/scripts/bench_eval.py" "$OUT" "${ev[@]}" >"$eval_json" ||
                    { note "$id: gensim evaluation failed"; eval_json=; status=eval-failed
                      failures=$((failures + 1)); }
            else
                failures=$((failures + 1))
                note "$id: FAILED (see $log)"
                tail -n5 "$log" >&2 || true
            fi
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$config" "$tool" "$status" \
                "${wall:-}" "${user:-}" "${sys:-}" "${rss:-}" "$eval_json" >>"$TIMINGS"
            note "[$rep/$REPEATS] $config $tool: $status, ${wall:-?} s wall, ${user:-?}+${sys:-?} s CPU, $(( ${rss:-0} / 1024 )) MB"
            # Keep a file whose evaluations differ, so that the difference can be examined.
            if (( ! KEEP_VECTORS && rep < REPEATS )) && [[ -n $eval_json ]] &&
                grep -q '"disagreements": \[\], "near_ties": \[\]' "$eval_json"; then
                rm -f "$OUT"
            fi
        done
    done
done

# ---------------------------------------------------------------- report
report_status=0
"$PY" "$ROOT/scripts/bench_report.py" "$RUN_DIR" || report_status=$?
note "wrote $RUN_DIR/table.md and $RUN_DIR/runs.csv"
(( failures == 0 )) || die "$failures run(s) failed"
(( report_status == 0 )) || die "w2v and gensim evaluations disagree (see above and $RUN_DIR/disagreements.txt)"
