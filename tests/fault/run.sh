#!/bin/sh
# Fault sweep: for each scenario, count the allocations and I/O calls of a
# clean run, then rerun failing each one in turn. Every faulty run must end
# with status 0 or 1 (never a signal or a sanitizer report), a failure must
# print exactly one "w2v: " line, and no partial output may be left behind.
W2V=${1:?usage: run.sh path/to/fault/w2v}
W2V=$(cd "$(dirname "$W2V")" && pwd)/$(basename "$W2V")
export W2V
TMP=$(mktemp -d "${TMPDIR:-/tmp}/w2v-fault.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=detect_leaks=1:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:exitcode=87
passed=0
failed=0
cd "$TMP" || exit 1

# A small corpus with planted structure, and a vector file to query.
awk 'BEGIN { srand(7); for (l = 0; l < 300; l++) { s = ""; for (w = 0; w < 12; w++) s = s " w" int(rand() * 40); print s } }' >corpus.txt
"$W2V" train corpus.txt -o base.bin --dim 16 --epochs 1 --min-count 1 --threads 1 --quiet --seed 1 >/dev/null 2>&1 ||
    { echo "fault: the clean training run failed"; echo "0 passed, 1 failed"; exit 1; }
"$W2V" train corpus.txt -o sbase.bin --model skipgram --senses 2 --senses-output senses.bin --dim 16 \
    --epochs 2 --min-count 1 --threads 1 --quiet --seed 1 >/dev/null 2>&1 ||
    { echo "fault: the clean senses run failed"; echo "0 passed, 1 failed"; exit 1; }
head -n 8 corpus.txt >small.txt
"$W2V" train corpus.txt -o base-sub.bin --subwords --bucket 1000 --subword-model base.sw --dim 8 --epochs 1 \
    --min-count 1 --threads 1 --quiet --seed 1 >/dev/null 2>&1 ||
    { echo "fault: the clean subword training run failed"; echo "0 passed, 1 failed"; exit 1; }
printf ': s\nw1 w2 w3 w4\n' >questions.txt
printf 'w1 w2 1.0\nw3 w4 2.0\nw5 w6 3.0\n' >pairs.txt
# Unseen words for the subword model's --oov (w1zz: n-grams of w1).
printf ': s\nw1zz w2 w3 w4\nw1 w2 w3zz w4\n' >questions-oov.txt
printf 'w1zz w2 1.0\nw3 w4 2.0\nw5zz w6 3.0\n' >pairs-oov.txt
printf '\357\273\277w1 1 2\r\nw2 2 1\r\nw3 1 1\r\n\r\n' >glove.txt # headerless, BOM, CRLF
# The corpus through a pipe (the scenario table splits on '|').
printf 'cat corpus.txt | "$W2V" train - "$@"\n' >stdin-train.sh
awk 'BEGIN { srand(3); for (e = 0; e < 120; e++) print "w" int(rand() * 40), "w" int(rand() * 40), 1 + e % 3 }' >graph.txt
printf 'w1 w2\nw3 w4\nw5 w6\n' >held.txt

# A checkpoint near the end of a run on corpus.txt (saved every 0.06 s,
# the last one less than that before the end), for the resume scenario.
"$W2V" train corpus.txt -o ck-run.bin --dim 8 --epochs 2000 --min-count 1 --threads 1 --quiet \
    --seed 1 --checkpoint run.ck --checkpoint-every 0.001 >/dev/null 2>&1 && [ -s run.ck ] ||
    { echo "fault: the checkpointing run saved nothing"; echo "0 passed, 1 failed"; exit 1; }

# A model with its side index, for queries through it.
cp base.bin side.bin && "$W2V" index side.bin >/dev/null 2>&1 && [ -s side.bin.w2vi ] ||
    { echo "fault: the clean index run failed"; echo "0 passed, 1 failed"; exit 1; }

# scenario name | command (run by sh -c) | output file that must not be left partial ('-' none)
scenarios='train|"$W2V" train corpus.txt -o out.bin --dim 16 --epochs 1 --min-count 1 --threads 1 --quiet --seed 1|out.bin
train-stdin|sh stdin-train.sh -o out.bin --dim 8 --epochs 1 --min-count 1 --threads 1 --quiet --seed 1|out.bin
train-spill|"$W2V" train corpus.txt -o out.bin --dim 8 --epochs 1 --min-count 1 --threads 1 --quiet --seed 1 --max-memory 1K|out.bin
train-text|"$W2V" train corpus.txt -o out.txt --text --dim 8 --epochs 1 --min-count 1 --threads 1 --quiet --save-vocab vocab.txt|out.txt
nearest|"$W2V" nearest base.bin w1 w2 -k 5|-
analogy|"$W2V" analogy base.bin w1 w2 w3 -k 3|-
convert|"$W2V" convert base.bin out.txt --text|out.txt
convert-glove|"$W2V" convert glove.txt out.bin|out.bin
eval-analogy|"$W2V" eval-analogy base.bin questions.txt --threads 1|-
eval-similarity|"$W2V" eval-similarity base.bin pairs.txt|-
nearest-minus|"$W2V" nearest base.bin w1 w2 --minus w3 -k 5|-
analogy-3cosmul|"$W2V" analogy base.bin w1 w2 w3 -k 3 --method 3cosmul|-
doesnt-match|"$W2V" doesnt-match base.bin w1 w2 w3 w4 --json|-
map|"$W2V" map base.bin w1 w2 -k 8 -o out.svg|out.svg
walks|"$W2V" walks graph.txt -o out.txt --weighted --walks 2 --length 6 --p 0.5 --threads 2 --quiet|out.txt
train-graph|"$W2V" train --graph graph.txt -o out.bin --weighted --walks 2 --length 6 --p 0.5 --dim 8 --epochs 1 --threads 2 --quiet|out.bin
train-line|"$W2V" train corpus.txt -o out.bin --context line --max-set 5 --dim 8 --epochs 1 --min-count 1 --threads 2 --quiet|out.bin
eval-links|"$W2V" eval-links base.bin held.txt --exclude graph.txt|-
phrases|"$W2V" phrases small.txt -o out.txt --min-count 2 --threshold 1,1 --quiet|out.txt
classes|"$W2V" classes base.bin -k 4 -o out.txt --threads 1 --quiet|out.txt
train-resume|"$W2V" train corpus.txt -o out.bin --resume run.ck --checkpoint out.ck --quiet|out.bin
train-subwords|"$W2V" train corpus.txt -o out.bin --subwords --bucket 1000 --subword-model out.txt --dim 8 --epochs 1 --min-count 1 --threads 1 --quiet|out.txt
vector|"$W2V" vector base.sw w1 w1zz|-
nearest-subword|"$W2V" nearest base.sw w1zz w2 -k 3|-
eval-analogy-oov|"$W2V" eval-analogy base.sw questions-oov.txt --oov --threads 1|-
eval-similarity-oov|"$W2V" eval-similarity base.sw pairs-oov.txt --oov --restrict 10|-
doesnt-match-subword|"$W2V" doesnt-match base.sw w1zz w2 w3 w4|-
map-subword|"$W2V" map base.sw w1zz w2 w5zz -k 4 -o out.svg|out.svg
train-senses|"$W2V" train corpus.txt -o vec.bin --model skipgram --senses 2 --senses-output out.bin --dim 16 --epochs 2 --min-count 1 --threads 1 --quiet --seed 1|out.bin
senses|"$W2V" senses senses.bin w1 w2 -k 3|-
disambiguate|"$W2V" disambiguate senses.bin "w1 w2 w3 w4"|-
index|rm -f base.bin.w2vi; "$W2V" index base.bin|base.bin.w2vi
nearest-side|"$W2V" nearest side.bin w1 w2 -k 5|-'

check_run() { # kind n scenario cmd out
    rm -f out.bin out.bin.ctx vec.bin out.txt out.svg vocab.txt err
    W2V_FAULT_COUNTS= env "W2V_FAULT_$1=$2" sh -c "$4" >/dev/null 2>err
    status=$?
    bad=""
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        bad="exit status $status"
    elif [ "$status" -eq 1 ]; then
        if [ "$(wc -l <err)" -ne 1 ] || ! grep -q '^w2v: ' err; then bad="stderr not one w2v: line"; fi
        if [ "$5" != "-" ] && [ -e "$5" ]; then bad="partial output $5 left"; fi
    fi
    if [ -n "$bad" ]; then
        failed=$((failed + 1))
        echo "FAIL fault $1=$2 in $3: $bad: $(head -c 300 err)"
    else
        passed=$((passed + 1))
    fi
}

echo "$scenarios" | while IFS='|' read -r name cmd out; do
    W2V_FAULT_COUNTS=counts sh -c "$cmd" >/dev/null 2>&1
    allocs=$(awk '/^allocs/ {print $2}' counts 2>/dev/null)
    ios=$(awk '/^io/ {print $2}' counts 2>/dev/null)
    echo "fault sweep: $name: ${allocs:-0} allocations, ${ios:-0} I/O calls"
    for kind in ALLOC IO; do
        if [ "$kind" = ALLOC ]; then total=${allocs:-0}; else total=${ios:-0}; fi
        n=1
        while [ "$n" -le "$total" ]; do
            check_run "$kind" "$n" "$name" "$cmd" "$out"
            n=$((n + 1))
        done
    done
    echo "$passed $failed" >tally
done
read -r passed failed <tally 2>/dev/null || { passed=0; failed=1; }
echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
