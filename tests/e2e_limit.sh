#!/bin/sh
# --limit N (gensim's limit=: only the first N vectors are read) on the
# query and eval commands, in text, binary and mapped files; and
# eval-similarity's --delimiter and --columns.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# Rows 1-3 are read with --limit 3; row 4 ("far") is the best neighbour of
# "a" when present, and the file's tail past row 3 is garbage in bad.bin.
txt="$TMP/v.txt"
printf '5 3\na 1 0 0\nb 0.5 0.5 0\nc 0 1 0\nfar 1 0.01 0\nz 0 0 1\n' >"$txt"
"$W2V" convert "$txt" "$TMP/v.bin" --binary

for f in "$txt" "$TMP/v.bin"; do
    for map in "" --no-map; do
        name="$(basename "$f")${map:+ $map}"
        "$W2V" nearest "$f" a -k 1 $map >"$TMP/all" 2>&1
        check "$name: without --limit far is nearest" grep -q '^far	' "$TMP/all"
        "$W2V" nearest "$f" a -k 10 --limit 3 $map >"$TMP/lim" 2>&1
        check "$name: --limit 3 answers from b and c only" \
            [ "$(cut -f1 "$TMP/lim" | tr '\n' ' ')" = "b c " ]
        "$W2V" nearest "$f" far --limit 3 $map >"$TMP/out" 2>"$TMP/err"
        check "$name: a word past the limit is unknown" grep -q "'far' is not in the vocabulary" "$TMP/err"
        check "$name: --limit past the end reads all" "$W2V" nearest "$f" far --limit 99 $map
        "$W2V" similarity "$f" a c --limit 3 $map >"$TMP/sim"
        check "$name: similarity under --limit" [ "$(cat "$TMP/sim")" = "0.000000" ]
        "$W2V" analogy "$f" a b c --limit 3 $map -k 1 >"$TMP/an" 2>&1
        check "$name: analogy with nothing left to answer" [ ! -s "$TMP/an" ]
    done
done

# The rows past the limit are not read, so a damaged tail does not matter
# (gensim's limit= reads no further either); without --limit it does.
{ head -c "$(( $(wc -c <"$TMP/v.bin") - 14 ))" "$TMP/v.bin"; printf 'XXXXXXXXXXXXXXXXXXXXXX'; } >"$TMP/bad.bin"
check "a damaged tail past --limit is not mapped" "$W2V" nearest "$TMP/bad.bin" a --limit 3
check "... nor read (--no-map)" "$W2V" nearest "$TMP/bad.bin" a --limit 3 --no-map
"$W2V" nearest "$TMP/bad.bin" a >/dev/null 2>&1
check "... and is found without --limit" [ $? -eq 1 ]

# eval under --limit: questions with a word past the limit are skipped.
printf ': s\na b c far\na b a b\n' >"$TMP/q.txt"
"$W2V" eval-analogy "$TMP/v.bin" "$TMP/q.txt" --json >"$TMP/e1"
check "eval-analogy: all rows" grep -q '"total": 2, "skipped": 0' "$TMP/e1"
"$W2V" eval-analogy "$TMP/v.bin" "$TMP/q.txt" --json --limit 3 >"$TMP/e2"
check "eval-analogy --limit 3 skips the question about far" grep -q '"total": 1, "skipped": 1' "$TMP/e2"
"$W2V" eval-analogy "$txt" "$TMP/q.txt" --limit 3 >"$TMP/e3"
check "eval-analogy table counts the limited rows" grep -q 'the first 3 of 3 words' "$TMP/e3"

# eval-similarity: the same pairs in three layouts give the same answer.
printf 'a b 1\na c 2\nb c 3\nc far 4\nz a 0.5\n' >"$TMP/p.txt"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p.txt" --json >"$TMP/s1"
check "eval-similarity: five pairs" grep -q '"pairs": 5, "skipped": 0' "$TMP/s1"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p.txt" --json --limit 3 >"$TMP/s2"
check "eval-similarity --limit 3: two pairs skipped" grep -q '"pairs": 3, "skipped": 2' "$TMP/s2"
printf 'w1,w2,note,score\na, b,x,1\na,c,y y,2\nb,c,,3\nc,far,z,4\nz,a,w,0.5\n' >"$TMP/p.csv"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p.csv" --json --delimiter , --columns 1,2,4 >"$TMP/s3"
check "--delimiter , --columns 1,2,4 reads the same pairs" cmp -s "$TMP/s1" "$TMP/s3"
printf '1\tb\ta\t9\n2\tc\ta\t9\n3\tc\tb\t9\n4\tfar\tc\t9\n0.5\ta\tz\t9\n' >"$TMP/p.tsv"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p.tsv" --json --delimiter tab --columns 3,2,1 >"$TMP/s4"
check "--delimiter tab --columns 3,2,1 reads the same pairs" cmp -s "$TMP/s1" "$TMP/s4"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p.csv" --json >"$TMP/s5" 2>"$TMP/err5"
check "without --delimiter the CSV file has no pair" [ $? -eq 1 ]
# A default-layout line with a fourth field is still malformed.
printf 'a b 1\na c 2 extra\nb c 3\n' >"$TMP/p4.txt"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p4.txt" --json >"$TMP/s6" 2>"$TMP/err6"
check "a fourth field is malformed by default" grep -q 'skipped 1 malformed line' "$TMP/err6"
"$W2V" eval-similarity "$TMP/v.bin" "$TMP/p4.txt" --json --columns 1,2,3 >"$TMP/s7" 2>"$TMP/err7"
check "... and ignored with --columns" grep -q '"pairs": 3' "$TMP/s7"
summary
