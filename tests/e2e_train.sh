#!/bin/sh
# End-to-end checks of `w2v train`: output format, planted neighbours,
# reproducibility, the original's option spellings, usage errors, failures
# that leave an existing output untouched, and interruption by signals.
. "$(dirname "$0")/lib.sh"

# A planted corpus: pairs pN/qN only ever share sentences with each other;
# filler words fill the other sentences.
awk 'BEGIN { srand(3)
    for (l = 0; l < 3000; l++) {
        s = ""
        if (rand() < 0.5) { p = int(rand() * 6); for (w = 0; w < 8; w++) s = s (rand() < 0.5 ? " p" : " q") p }
        else for (w = 0; w < 8; w++) s = s " f" int(rand() * 30)
        print s
    } }' >"$TMP/planted.txt"
# 6 pairs + 30 fillers + </s>
V=43

# -- output format ------------------------------------------------------------
check "train writes a binary file" "$W2V" train "$TMP/planted.txt" -o "$TMP/p.bin" --dim 16 \
    --epochs 3 --min-count 1 --sample 0 --threads 2 --quiet
check "binary header is 'V D'" sh -c '[ "$(head -n 1 "$1")" = "$2 16" ]' sh "$TMP/p.bin" "$V"
# Header, then per word: the word, a space, 16 floats and a newline.
"$W2V" train "$TMP/planted.txt" -o "$TMP/p.txt" --text --dim 16 --epochs 1 --min-count 1 \
    --threads 1 --quiet
words_bytes=$(awk 'NR > 1 { n += length($1) } END { print n }' "$TMP/p.txt")
want_size=$((${#V} + 4 + words_bytes + V * (1 + 64 + 1)))
check "binary size is header + per row word, space, 64 bytes, newline" \
    sh -c '[ "$(wc -c <"$1")" -eq "$2" ]' sh "$TMP/p.bin" "$want_size"
check "text file has V+1 lines" sh -c '[ "$(wc -l <"$1")" -eq $(($2 + 1)) ]' sh "$TMP/p.txt" "$V"
check "text rows have a word and 16 numbers" \
    sh -c 'awk "NR > 1 && NF != 17 { bad = 1 } END { exit bad }" "$1"' sh "$TMP/p.txt"
check "the first row is </s>" sh -c 'sed -n 2p "$1" | grep -q "^</s> "' sh "$TMP/p.txt"

# -- planted neighbours through the query command, when it exists ---------------
if "$W2V" nearest "$TMP/p.bin" p0 -k 1 >"$TMP/near" 2>/dev/null; then
    for m in cbow skipgram; do
        for obj in "--negative 5" "--negative 0 --hs"; do
            # shellcheck disable=SC2086
            "$W2V" train "$TMP/planted.txt" -o "$TMP/m.bin" --model $m $obj --dim 24 --window 3 \
                --epochs 5 --min-count 1 --sample 0 --threads 2 --quiet
            good=0
            for i in 0 1 2 3 4 5; do
                "$W2V" nearest "$TMP/m.bin" "p$i" -k 1 | grep -qw "q$i" && good=$((good + 1))
                "$W2V" nearest "$TMP/m.bin" "q$i" -k 1 | grep -qw "p$i" && good=$((good + 1))
            done
            check "planted partners are nearest ($m $obj): $good of 12" [ "$good" -eq 12 ]
        done
    done
fi

# -- reproducibility, original spellings ----------------------------------------
orig="-train $TMP/planted.txt -size 16 -window 3 -cbow 0 -hs 1 -negative 2 -sample 1e-3 -iter 2 -threads 1 -min-count 1 -binary 1 -alpha 0.03 -debug 0"
# shellcheck disable=SC2086
check "original spellings are accepted" "$W2V" train $orig -output "$TMP/r1.bin"
# shellcheck disable=SC2086
"$W2V" train $orig -output "$TMP/r2.bin"
check "-threads 1 runs are byte-identical" cmp -s "$TMP/r1.bin" "$TMP/r2.bin"
# shellcheck disable=SC2086
"$W2V" train $orig -output "$TMP/r3.bin" --seed 99
check "another seed gives another file" sh -c '! cmp -s "$1" "$2"' sh "$TMP/r1.bin" "$TMP/r3.bin"
check "long spellings give the same file" "$W2V" train "$TMP/planted.txt" -o "$TMP/r4.bin" \
    --dim 16 --window 3 --model skipgram --hs --negative 2 --sample 1e-3 --epochs 2 --threads 1 \
    --min-count 1 --alpha 0.03 --quiet
check "... byte-identical" cmp -s "$TMP/r1.bin" "$TMP/r4.bin"
check "--save-vocab writes the vocabulary" "$W2V" train "$TMP/planted.txt" -o "$TMP/v1.bin" \
    --dim 8 --epochs 1 --threads 1 --min-count 1 --quiet --save-vocab "$TMP/vocab.txt"
check "vocabulary has V lines" sh -c '[ "$(wc -l <"$1")" -eq "$2" ]' sh "$TMP/vocab.txt" "$V"
check "--read-vocab trains the same model" "$W2V" train "$TMP/planted.txt" -o "$TMP/v2.bin" \
    --dim 8 --epochs 1 --threads 1 --min-count 1 --quiet --read-vocab "$TMP/vocab.txt"
check "... byte-identical" cmp -s "$TMP/v1.bin" "$TMP/v2.bin"
check "--help shows the original spelling" sh -c '"$0" train --help | grep -q -- "-size"' "$W2V"
check "summary on stderr without --quiet" sh -c \
    '"$0" train "$1" -o "$2" --dim 8 --epochs 1 --min-count 1 2>&1 >/dev/null | grep -q "words/s"' \
    "$W2V" "$TMP/planted.txt" "$TMP/s.bin"
check "--quiet prints nothing" sh -c \
    '[ -z "$("$0" train "$1" -o "$2" --dim 8 --epochs 1 --min-count 1 --quiet 2>&1)" ]' \
    "$W2V" "$TMP/planted.txt" "$TMP/s.bin"

# -- usage errors (exit 2) and failures (exit 1) ----------------------------------
P="$TMP/planted.txt"
expect_error 2 "--negative 0 without --hs" -- train "$P" -o "$TMP/x.bin" --negative 0
expect_error 2 "a word for a number" -- train "$P" -o "$TMP/x.bin" --dim abc
expect_error 2 "dim 0" -- train "$P" -o "$TMP/x.bin" --dim 0
expect_error 2 "an absurd dim" -- train "$P" -o "$TMP/x.bin" --dim 1000000
check "... names the range" grep -q "1 to 100000" "$TMP/err"
expect_error 2 "a trailing character" -- train "$P" -o "$TMP/x.bin" --window 5x
expect_error 2 "an unknown option" -- train "$P" -o "$TMP/x.bin" --frobnicate
expect_error 2 "an unknown model" -- train "$P" -o "$TMP/x.bin" --model lstm
expect_error 2 "-cbow 2" -- train "$P" -o "$TMP/x.bin" -cbow 2
expect_error 2 "no output" -- train "$P"
expect_error 2 "no corpus" -- train -o "$TMP/x.bin"
expect_error 2 "two corpora" -- train "$P" -train "$P" -o "$TMP/x.bin"
expect_error 1 "a missing corpus" -- train "$TMP/nope.txt" -o "$TMP/x.bin"
: >"$TMP/empty.txt"
expect_error 1 "an empty corpus" -- train "$TMP/empty.txt" -o "$TMP/x.bin"
expect_error 1 "an unwritable output directory" -- train "$P" -o "$TMP/no/such/dir/x.bin" --quiet
expect_error 1 "a directory as output" -- train "$P" -o "$TMP" --quiet
check "-o /dev/null is written in place" "$W2V" train "$P" -o /dev/null --dim 8 --epochs 1 \
    --min-count 1 --quiet
check "nothing was written on failure" sh -c '[ ! -e "$1" ]' sh "$TMP/x.bin"
printf 'precious\n' >"$TMP/keep.bin"
expect_error 1 "a failing run (bad vocabulary file)" -- train "$P" -o "$TMP/keep.bin" \
    --read-vocab "$TMP/empty.txt" --quiet
expect_error 1 "a failing run (every word below min-count)" -- train "$P" -o "$TMP/keep.bin" \
    --min-count 1000000 --quiet
check "an existing OUT is untouched by failures" sh -c '[ "$(cat "$1")" = precious ]' sh "$TMP/keep.bin"

# -- signals: nothing written, existing OUT untouched, exit 128 + signal ---------
awk 'BEGIN { srand(5); for (l = 0; l < 20000; l++) { s = ""; for (w = 0; w < 10; w++) s = s " w" int(rand() * 500); print s } }' \
    >"$TMP/big.txt"
for sig in INT TERM; do
    printf 'precious\n' >"$TMP/keep.bin"
    : >"$TMP/sig.err"
    files_before=$(ls -a "$TMP" | wc -l)
    "$W2V" train "$TMP/big.txt" -o "$TMP/keep.bin" --epochs 100000 --dim 32 --threads 2 \
        --min-count 1 --progress 2>"$TMP/sig.err" &
    pid=$!
    # Wait until training (not just counting) is under way: the progress line.
    n=0
    while [ $n -lt 200 ] && ! grep -q epoch "$TMP/sig.err" 2>/dev/null; do
        sleep 0.05
        n=$((n + 1))
    done
    kill -"$sig" "$pid"
    wait "$pid"
    got=$?
    want=130
    [ "$sig" = TERM ] && want=143
    check "SIG$sig stops training with exit $want (got $got)" [ "$got" -eq "$want" ]
    check "SIG$sig: the existing OUT is untouched" sh -c '[ "$(cat "$1")" = precious ]' sh "$TMP/keep.bin"
    check "SIG$sig: no file left behind" [ "$(ls -a "$TMP" | wc -l)" -eq "$files_before" ]
    check "SIG$sig: says so on stderr" grep -q "interrupted" "$TMP/sig.err"
done
summary
