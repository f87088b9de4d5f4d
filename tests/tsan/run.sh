#!/bin/sh
# ThreadSanitizer run (`make tsan`): the trainer with 2 threads for each of
# cbow/skipgram x negative sampling/hierarchical softmax on a small generated
# corpus, then the threaded readers (nearest/analogy scans, analogy
# evaluation) with 2 threads. The only races allowed are the Hogwild
# updates of the model matrices, suppressed by function name in
# tests/tsan/tsan.supp; any other report fails the run. Each training run must
# also have matched a suppression: TSan does see the Hogwild races, so a
# clean run is not clean for want of looking.
W2V=${1:?usage: tests/tsan/run.sh path/to/tsan/w2v}
W2V=$(cd "$(dirname "$W2V")" && pwd)/$(basename "$W2V")
SUPP=$(cd "$(dirname "$0")" && pwd)/tsan.supp
TMP=$(mktemp -d "${TMPDIR:-/tmp}/w2v-tsan.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# exitcode 66: a report; print_suppressions: the matched counts, which the
# training runs must show.
export TSAN_OPTIONS="suppressions=$SUPP print_suppressions=1 exitcode=66 halt_on_error=0 second_deadlock_stack=1"
passed=0
failed=0
cd "$TMP" || exit 1

# 10,000 tokens, 500 lines, over up to 1,500 words with a Zipf-like skew:
# the frequent words are where the threads collide, and more than 512 rows
# give the analogy search more than one block, so both of its threads work.
awk 'BEGIN { srand(11); for (l = 0; l < 500; l++) { s = "";
        for (w = 0; w < 20; w++) { r = rand(); s = s " w" int(1500 * r * r * r) } print s } }' >corpus.txt
printf ': capital\nw1 w2 w3 w4\nw5 w6 w7 w8\n: gram-plural\nw2 w1 w4 w3\nw9 w10 w11 w12\n' >questions.txt
printf 'w1 w2 1.0\nw3 w4 2.5\nw5 w6 3.0\nw7 w1 0.5\n' >pairs.txt

# run NAME MUST_MATCH_SUPPRESSION COMMAND...: COMMAND must exit 0 (or
# $want, when set) without a report.
run() {
    name=$1 must=$2
    shift 2
    if [ -n "${interrupt_after:-}" ]; then
        "$@" >out.txt 2>err.txt &
        pid=$!
        sleep "$interrupt_after"
        kill -INT "$pid"
        wait "$pid"
    else
        "$@" >out.txt 2>err.txt
    fi
    status=$?
    bad=""
    if [ "$status" -ne "${want:-0}" ]; then
        bad="exit status $status"
    elif grep -q 'WARNING: ThreadSanitizer' err.txt; then
        bad="ThreadSanitizer report"
    elif [ "$must" = yes ] && ! grep -q 'ThreadSanitizer: Matched' err.txt; then
        bad="no Hogwild race seen (no suppression matched)"
    fi
    matched=$(awk '/^ *[0-9]+ race/ { printf "%s%s x%s", sep, $2, $1; sep = ", " }' err.txt)
    if [ -n "$bad" ]; then
        failed=$((failed + 1))
        echo "FAIL tsan $name: $bad"
        sed -n '1,80p' err.txt
    else
        passed=$((passed + 1))
        echo "tsan $name: ok${matched:+ (suppressed: $matched)}"
    fi
}

for kernel in reference batched; do
for model in cbow skipgram; do
    for loss in ns hs; do
        if [ "$loss" = ns ]; then lossopt="--negative 5"; else lossopt="--hs --negative 0"; fi
        # The first run also draws the progress line (the monitor reads
        # the shared counters while the threads work).
        if [ "$model$loss$kernel" = cbownsreference ]; then say=--progress; else say=--quiet; fi
        # shellcheck disable=SC2086
        run "train $model $loss ($kernel)" yes "$W2V" train corpus.txt -o "$model-$loss.bin" --model "$model" \
            $lossopt --dim 16 --window 5 --epochs 1 --min-count 1 --threads 2 $say --seed 3 --kernel $kernel
    done
done
done
# The subword kernel: n-gram rows shared by every thread too.
for model in cbow skipgram; do
    run "train $model --subwords" yes "$W2V" train corpus.txt -o "sub-$model.bin" --model "$model" \
        --subwords --bucket 5000 --subword-model "sub-$model.sw" --dim 16 --epochs 1 --min-count 1 \
        --threads 2 --quiet --seed 3
done
run "nearest (subword model)" no "$W2V" nearest sub-skipgram.sw w1 w1x -k 5 --threads 2
# Both losses at once: the two output matrices in one pass.
run "train cbow ns+hs" yes "$W2V" train corpus.txt -o both.bin --model cbow --hs --negative 3 \
    --dim 16 --epochs 1 --min-count 1 --threads 2 --quiet

# Set contexts: whole lines as inputs, long ones shuffled per thread.
run "train skipgram --context line" yes "$W2V" train corpus.txt -o line.bin --model skipgram \
    --context line --max-set 8 --dim 16 --epochs 1 --min-count 1 --threads 2 --quiet

# The senses kernel: the batched step, then the sense pass (centres and
# sense rows shared without locks, counts atomic, a new sense claimed by
# compare-and-swap); epochs past the warm-up so the pass runs.
run "train skipgram senses" yes "$W2V" train corpus.txt -o senses-vec.bin --model skipgram \
    --senses 3 --senses-output senses.bin --dim 16 --epochs 3 --min-count 1 --threads 2 --quiet --seed 3

# SIGINT while both threads train: the handler, the stop flag, the joins.
want=130 interrupt_after=1 run "train interrupted" no "$W2V" train corpus.txt -o stopped.bin \
    --dim 16 --epochs 100000 --min-count 1 --threads 2 --quiet
[ -e stopped.bin ] && { failed=$((failed + 1)); echo "FAIL tsan: the interrupted run left its output"; }

# Checkpoints: the threads stop for each save (every 0.06 s) and start
# again from their saved places; then a run interrupted with a checkpoint
# and resumed.
run "train with checkpoints" yes "$W2V" train corpus.txt -o ck.bin --dim 16 --epochs 20 \
    --min-count 1 --threads 2 --quiet --checkpoint run.ck --checkpoint-every 0.001
[ -s run.ck ] || { failed=$((failed + 1)); echo "FAIL tsan: no checkpoint saved"; }
want=130 interrupt_after=1 run "train interrupted, checkpointed" no "$W2V" train corpus.txt \
    -o cut.bin --dim 16 --epochs 100000 --min-count 1 --threads 2 --quiet --checkpoint cut.ck
[ -s cut.ck ] || { failed=$((failed + 1)); echo "FAIL tsan: the interrupted run saved nothing"; }

# Readers: disjoint row ranges per thread, merged after the joins.
run "nearest (mapped)" no "$W2V" nearest cbow-ns.bin w1 w2 -k 5 --threads 2
run "nearest (in memory)" no "$W2V" nearest cbow-ns.bin w3 -k 5 --threads 2 --no-map
run "analogy" no "$W2V" analogy skipgram-hs.bin w1 w2 w3 -k 3 --threads 2
run "eval-analogy" no "$W2V" eval-analogy skipgram-ns.bin questions.txt --threads 2 --restrict 100000
run "eval-similarity" no "$W2V" eval-similarity cbow-hs.bin pairs.txt
# The word index of a model over 8 MB is walked in two byte ranges, the
# hash slots claimed by compare-and-swap; then from a side index.
awk 'BEGIN { srand(9); print 40000, 64; for (i = 0; i < 40000; i++) { s = "v" i
        for (j = 0; j < 64; j++) s = s " " int(rand() * 200 - 100) / 100; print s } }' >big.txt
"$W2V" convert big.txt big.bin --binary
run "nearest (parallel index walk)" no "$W2V" nearest big.bin v7 v39999 -k 3 --threads 2
run "index" no "$W2V" index big.bin
run "nearest (side index)" no "$W2V" nearest big.bin v7 -k 3 --threads 2
# Walks: 3 threads over blocks of 512 start nodes (1,500 nodes: every
# thread gets a block), node2vec steps reading the shared graph.
awk 'BEGIN { srand(5); for (e = 0; e < 6000; e++) print "n" int(rand() * 1500), "n" int(rand() * 1500) }' >graph.txt
run "walks" no "$W2V" walks graph.txt -o walks.txt --walks 2 --length 10 --p 0.5 --q 2 --threads 3 --quiet
# train --graph: 3 threads make each round's walks into disjoint slots of
# the id stream, then train on it.
run "train --graph" yes "$W2V" train --graph graph.txt -o graph.bin --walks 2 --length 10 --p 0.5 \
    --q 2 --dim 16 --epochs 1 --threads 3 --quiet

echo "tsan: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
