#!/bin/sh
# End-to-end checks of `w2v train --classes K` (the original's -classes):
# the output is one "word class" line per vocabulary word in vocabulary
# order, classes in [0, K), planted groups share a class, the original's
# spelling works, and K above the vocabulary is refused before training.
. "$(dirname "$0")/lib.sh"

# Three groups of words that only ever share lines with their own group.
awk 'BEGIN { srand(11)
    for (l = 0; l < 3000; l++) {
        g = int(rand() * 3); s = ""
        for (w = 0; w < 8; w++) s = s " g" g "w" int(rand() * 5)
        print s
    } }' >"$TMP/groups.txt"

"$W2V" train "$TMP/groups.txt" -o "$TMP/cls.txt" --classes 3 --model skipgram --dim 16 \
    --epochs 3 --min-count 1 --sample 0 --threads 1 --seed 2 --save-vocab "$TMP/voc.txt" --quiet
check "--classes writes one line per vocabulary word" \
    sh -c '[ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ]' sh "$TMP/cls.txt" "$TMP/voc.txt"
check "... in vocabulary order" \
    sh -c 'cut -d" " -f1 "$1" >"$3.a"; cut -d" " -f1 "$2" >"$3.b"; cmp -s "$3.a" "$3.b"' \
    sh "$TMP/cls.txt" "$TMP/voc.txt" "$TMP/order"
check "... each with a class in [0, 3)" \
    awk 'NF != 2 || $2 !~ /^[0-2]$/ { bad = 1 } END { exit bad }' "$TMP/cls.txt"
# Every planted group's five words share one class, and the groups differ.
check "planted groups are the classes" awk '
    $1 ~ /^g[0-2]w/ { g = substr($1, 2, 1); if (g in cls && cls[g] != $2) bad = 1; cls[g] = $2 }
    END { if (cls[0] == cls[1] || cls[1] == cls[2] || cls[0] == cls[2]) bad = 1; exit bad }' \
    "$TMP/cls.txt"

"$W2V" -train "$TMP/groups.txt" -output "$TMP/orig.txt" -classes 3 -size 16 -iter 3 \
    -min-count 1 -sample 0 -threads 1 -cbow 0 -debug 0
check "the original's -classes spelling works" \
    awk 'NF != 2 || $2 !~ /^[0-2]$/ { bad = 1 } END { exit bad || NR < 15 }' "$TMP/orig.txt"

expect_error 1 "--classes above the vocabulary size" -- train "$TMP/groups.txt" -o "$TMP/big.txt" \
    --classes 1000 --min-count 1 --quiet
check "... says why" grep -q "more than the 16 words" "$TMP/err"
check "... and writes nothing" test ! -e "$TMP/big.txt"
expect_error 2 "--classes -1" -- train "$TMP/groups.txt" -o "$TMP/neg.txt" --classes -1
summary
