#!/bin/sh
# e2e_scale.sh — the corpus is counted and encoded in one pass by the
# training threads (corpus_build_file): the vectors are those of the
# vocabulary counted first and the text encoded after (--read-vocab takes
# that path), from a file or from stdin, with any number of reading threads.
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { srand(5); for (i = 0; i < 1500; i++) { s = ""; n = 3 + int(rand() * 12)
        for (j = 0; j < n; j++) s = s (j ? " " : "") "w" int(rand() * rand() * 300) "é"
        print s } }' >"$TMP/corpus.txt"
train() { "$W2V" train --dim 8 --epochs 1 --min-count 2 --seed 3 -q "$@"; }

train "$TMP/corpus.txt" -o "$TMP/one.bin" --threads 1 --save-vocab "$TMP/vocab.txt"
check "one-pass training succeeds" test -s "$TMP/one.bin"
train "$TMP/corpus.txt" -o "$TMP/two.bin" --threads 1 --read-vocab "$TMP/vocab.txt"
check "one pass gives the vectors of count-then-encode (--read-vocab)" \
    cmp "$TMP/one.bin" "$TMP/two.bin"
cat "$TMP/corpus.txt" | train - -o "$TMP/stdin.bin" --threads 1
check "stdin (spooled once, read in ranges) gives the same vectors" \
    cmp "$TMP/one.bin" "$TMP/stdin.bin"
# Vectors of several threads differ run to run (Hogwild); the vocabulary
# counted by 4 reading threads must not.
train "$TMP/corpus.txt" -o "$TMP/four.bin" --threads 4 --save-vocab "$TMP/vocab4.txt"
check "4 reading threads count the same vocabulary" cmp "$TMP/vocab.txt" "$TMP/vocab4.txt"
cat "$TMP/corpus.txt" | train - -o "$TMP/four.bin" --threads 3 --save-vocab "$TMP/vocab3.txt"
check "... so do 3 reading stdin's spool" cmp "$TMP/vocab.txt" "$TMP/vocab3.txt"
# --max-vocab below the distinct words: the count prunes as before.
train "$TMP/corpus.txt" -o "$TMP/p1.bin" --threads 1 --max-vocab 50 --save-vocab "$TMP/pv.txt"
check "with --max-vocab 50 at most 50 words are kept" test "$(wc -l <"$TMP/pv.txt")" -le 50
train "$TMP/corpus.txt" -o "$TMP/p2.bin" --threads 1 --read-vocab "$TMP/pv.txt"
check "... and the vectors are those of count-then-encode" cmp "$TMP/p1.bin" "$TMP/p2.bin"
summary
