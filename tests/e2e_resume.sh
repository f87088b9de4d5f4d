#!/bin/sh
# End-to-end checks of the training loss (--log-json, the progress line and
# the summary), continued training (--init) and checkpoints (--checkpoint,
# --resume).
. "$(dirname "$0")/lib.sh"

# A planted corpus: pairs pN/qN only share sentences with each other.
planted_corpus "$TMP/planted.txt" 7
P=$TMP/planted.txt

# -- the loss ---------------------------------------------------------------------
# Long enough (many epochs of a small corpus) for a few 0.05-second lines.
"$W2V" train "$P" -o "$TMP/l.bin" --dim 16 --epochs 100 --min-count 1 --threads 1 \
    --model sg --sample 0 --log-json "$TMP/log.json" --log-every 0.05 2>"$TMP/l.err"
check "--log-json: a run writes the vectors" [ -s "$TMP/l.bin" ]
check "--log-json: at least two lines" [ "$(wc -l <"$TMP/log.json")" -ge 2 ]
re='^\{"time": [0-9.]+, "epoch": [0-9]+, "words": [0-9]+, "alpha": [0-9.]+, "loss": [0-9.]+, "words_per_sec": [0-9.]+\}$'
check "--log-json: every line is the one JSON object" \
    sh -c '! grep -Evq "$1" "$2"' sh "$re" "$TMP/log.json"
words=$(awk 'NR > 0 { n += NF } END { print n * 100 }' "$P")
check "--log-json: the last line counts every word ($words)" \
    sh -c 'tail -n 1 "$1" | grep -q "\"words\": $2,"' sh "$TMP/log.json" "$words"
check "--log-json: the loss falls (first line's > last line's)" sh -c \
    'awk -F"\"loss\": " "{ split(\$2, a, \",\"); l[NR] = a[1] } END { exit !(l[1] > l[NR]) }" "$1"' \
    sh "$TMP/log.json"
check "the summary shows the loss" grep -Eq '^w2v: loss [0-9.]+ ' "$TMP/l.err"
"$W2V" train "$P" -o "$TMP/l.bin" --dim 16 --epochs 1 --min-count 1 --threads 1 \
    --log-json "$TMP/log.json" --quiet
check "--log-json appends (a resumed run continues the log)" \
    [ "$(tail -n 1 "$TMP/log.json" | grep -c '"epoch": 1,')" -eq 1 ]
expect_error 2 "--log-json is the output" -- train "$P" -o "$TMP/same" --log-json "$TMP/same"
expect_error 2 "--log-json is the corpus" -- train "$P" -o "$TMP/x.bin" --log-json "$P"
expect_error 1 "--log-json in a missing directory" -- train "$P" -o "$TMP/x.bin" \
    --log-json "$TMP/no/such/log.json" --min-count 1 --quiet
check "nothing written when the log cannot be opened" [ ! -e "$TMP/x.bin" ]
# -- continued training: --init ------------------------------------------------
# The new text has the fillers and five new words nN, but no planted pair.
awk 'BEGIN { srand(9); for (l = 0; l < 2000; l++) { s = ""
    for (w = 0; w < 8; w++) s = s (rand() < 0.5 ? " f" int(rand() * 30) : " n" int(rand() * 5))
    print s } }' >"$TMP/more.txt"
"$W2V" train "$P" -o "$TMP/base.bin" --dim 16 --min-count 1 --threads 1 --model sg --quiet
"$W2V" convert "$TMP/base.bin" "$TMP/base.txt" --text
"$W2V" train "$TMP/more.txt" --init "$TMP/base.bin" -o "$TMP/v2.txt" --text --min-count 1 \
    --threads 1 --model sg 2>"$TMP/init.err"
check "--init: takes the saved dimensions (16) without --dim" \
    sh -c '[ "$(head -n 1 "$1")" = "48 16" ]' sh "$TMP/v2.txt"
check "--init: says how many words keep their vectors" \
    grep -q "43 words keep their vectors (12 of them not in the corpus), 5 new words" "$TMP/init.err"
check "--init: a saved word absent from the new text keeps its vector, bit for bit" \
    sh -c '[ "$(grep "^p0 " "$1")" = "$(grep "^p0 " "$2")" ]' sh "$TMP/base.txt" "$TMP/v2.txt"
check "--init: a saved word of the new text trains on" \
    sh -c '[ "$(grep "^f0 " "$1")" != "$(grep "^f0 " "$2")" ]' sh "$TMP/base.txt" "$TMP/v2.txt"
check "--init: new words are added" [ "$(grep -c '^n[0-4] ' "$TMP/v2.txt")" -eq 5 ]
# With a vanishing rate nothing moves: the saved vectors are the start.
"$W2V" train "$TMP/more.txt" --init "$TMP/base.bin" -o "$TMP/v3.txt" --text --min-count 1 \
    --threads 1 --model sg --alpha 1e-9 --quiet
check "--init: with --alpha 1e-9 a trained word is still (almost) its saved vector" \
    awk 'NR == FNR { if ($1 == "f0") for (i = 2; i <= NF; i++) a[i] = $i; next }
         $1 == "f0" { for (i = 2; i <= NF; i++) if ((a[i] - $i) ^ 2 > 1e-10) bad = 1; seen = 1 }
         END { exit bad || !seen }' "$TMP/base.txt" "$TMP/v3.txt"
"$W2V" train "$TMP/more.txt" --init "$TMP/base.bin" -o "$TMP/v4.bin" --min-count 1 \
    --threads 1 --model sg --quiet
"$W2V" train "$TMP/more.txt" --init "$TMP/base.bin" -o "$TMP/v5.bin" --min-count 1 \
    --threads 1 --model sg --quiet
check "--init: --threads 1 is reproducible" cmp -s "$TMP/v4.bin" "$TMP/v5.bin"
expect_error 1 "--init with another --dim" -- train "$TMP/more.txt" --init "$TMP/base.bin" \
    -o "$TMP/x.bin" --dim 20 --quiet
expect_error 1 "--init of a text corpus" -- train "$TMP/more.txt" --init "$P" -o "$TMP/x.bin" \
    --quiet
expect_error 1 "--init of a missing file" -- train "$TMP/more.txt" --init "$TMP/none.bin" \
    -o "$TMP/x.bin" --quiet
head -c 100 "$TMP/base.bin" >"$TMP/trunc.bin"
expect_error 1 "--init of a truncated file" -- train "$TMP/more.txt" --init "$TMP/trunc.bin" \
    -o "$TMP/x.bin" --quiet
expect_error 2 "--init is the output" -- train "$TMP/more.txt" --init "$TMP/base.bin" \
    -o "$TMP/base.bin"
check "nothing written by the failed --init runs" [ ! -e "$TMP/x.bin" ]
# -- checkpoints -------------------------------------------------------------------
awk 'BEGIN { srand(5); for (l = 0; l < 20000; l++) { s = ""; for (w = 0; w < 10; w++) s = s " w" int(rand() * 500); print s } }' \
    >"$TMP/big.txt"
B=$TMP/big.txt
run() { "$W2V" train "$B" --threads 1 --seed 3 --epochs 20 --min-count 1 --dim 32 "$@"; }
run -o "$TMP/full.bin" --quiet
# Saves every 0.06 s: the threads stop and restart many times.
run -o "$TMP/often.bin" --quiet --checkpoint "$TMP/often.ck" --checkpoint-every 0.001
check "checkpoints every 0.06 s: the same bytes as a run without" cmp -s "$TMP/full.bin" "$TMP/often.bin"
check "the periodic checkpoint exists" [ -s "$TMP/often.ck" ]
check "the checkpoint starts with its magic" sh -c 'head -c 7 "$1" | grep -q W2VCKPT' sh "$TMP/often.ck"

# A real SIGINT (and SIGTERM) mid-run, then --resume: the same bytes.
for sig in INT TERM; do
    rm -f "$TMP/cut.bin" "$TMP/cut.ck"
    # Not through run(): $! must be w2v itself, not a subshell.
    "$W2V" train "$B" --threads 1 --seed 3 --epochs 20 --min-count 1 --dim 32 \
        -o "$TMP/cut.bin" --checkpoint "$TMP/cut.ck" --progress 2>"$TMP/cut.err" &
    pid=$!
    n=0
    # Training starts right after this line: stop it a moment later.
    while [ $n -lt 200 ] && ! grep -q "words in the vocabulary" "$TMP/cut.err" 2>/dev/null; do
        sleep 0.05
        n=$((n + 1))
    done
    sleep 0.3
    kill -"$sig" "$pid"
    wait "$pid"
    got=$?
    check "SIG$sig with --checkpoint: exit 128 + signal (got $got)" [ "$got" -gt 128 ]
    check "SIG$sig with --checkpoint: the output is not written" [ ! -e "$TMP/cut.bin" ]
    check "SIG$sig with --checkpoint: says where the run is saved" grep -q "resume" "$TMP/cut.err"
    "$W2V" train "$B" -o "$TMP/cut.bin" --resume "$TMP/cut.ck" --quiet
    check "SIG$sig, then --resume: the same bytes as the uninterrupted run" \
        cmp -s "$TMP/full.bin" "$TMP/cut.bin"
done
# Several threads: not the same bits, but a resumed run completes.
"$W2V" train "$B" -o "$TMP/t2.bin" --threads 2 --epochs 20 --min-count 1 --dim 32 --quiet \
    --checkpoint "$TMP/t2.ck" --checkpoint-every 0.001
check "two threads with checkpoints: the vectors are written" [ -s "$TMP/t2.bin" ]
"$W2V" train "$B" -o "$TMP/t2r.bin" --resume "$TMP/t2.ck" --quiet
check "two threads: resuming the last checkpoint completes" [ -s "$TMP/t2r.bin" ]

# Hostile checkpoints: one w2v: line, exit 1, no output.
CK=$TMP/often.ck
size=$(wc -c <"$CK")
head -c $((size - 100)) "$CK" >"$TMP/trunc.ck"
expect_error 1 "--resume a truncated checkpoint" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/trunc.ck"
head -c 100 "$CK" >"$TMP/short.ck"
expect_error 1 "--resume a checkpoint cut in its header" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/short.ck"
# patch FILE OFFSET BYTES(octal escapes): a copy with bytes replaced.
patch() {
    cp "$CK" "$2"
    printf "$4" | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
}
patch "$CK" "$TMP/ver.ck" 8 '\002'
expect_error 1 "--resume a checkpoint of another version" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/ver.ck"
check "the version error names the version" grep -q "version 2" "$TMP/err"
patch "$CK" "$TMP/magic.ck" 0 'X'
expect_error 1 "--resume a file without the magic" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/magic.ck"
patch "$CK" "$TMP/vocab.ck" 107 '\177'
expect_error 1 "--resume a checkpoint lying about its vocabulary size" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/vocab.ck"
patch "$CK" "$TMP/dim.ck" 36 '\377\377\377\177'
expect_error 1 "--resume a checkpoint lying about its dimensions" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/dim.ck"
patch "$CK" "$TMP/flip.ck" $((size - 200)) '\125\125'
expect_error 1 "--resume a damaged checkpoint (checksum)" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/flip.ck" --quiet
check "the damage is named" grep -q "checksum" "$TMP/err"
head -n 10000 "$B" >"$TMP/half.txt"
expect_error 1 "--resume on another corpus" -- train "$TMP/half.txt" -o "$TMP/x.bin" --resume "$CK" --quiet
check "the corpus error says so" grep -q "corpus" "$TMP/err"
expect_error 1 "--resume a vector file" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/full.bin"
expect_error 1 "--resume a missing file" -- train "$B" -o "$TMP/x.bin" --resume "$TMP/none.ck"
expect_error 2 "--resume with --init" -- train "$B" -o "$TMP/x.bin" --resume "$CK" --init "$TMP/full.bin"
expect_error 2 "--checkpoint is the output" -- train "$B" -o "$TMP/same" --checkpoint "$TMP/same"
expect_error 2 "--checkpoint with --subwords (its n-gram rows are not saved)" -- train "$B" \
    -o "$TMP/x.bin" --subwords --checkpoint "$TMP/sw.ck"
expect_error 2 "--init with --subwords" -- train "$B" -o "$TMP/x.bin" --subwords --init "$TMP/full.bin"
check "no output left by the hostile checkpoints" [ ! -e "$TMP/x.bin" ]
check "the checkpoint is untouched by failed resumes" cmp -s "$CK" "$TMP/often.ck"
summary
