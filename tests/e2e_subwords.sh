#!/bin/sh
# End-to-end checks of `train --subwords`, the subword model file and
# `w2v vector`: words held out of training entirely get vectors from their
# n-grams that land near their morphological relatives and near the topic
# words of their stem; the model file is checked like a vector file.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# ---- a corpus with clear morphology ------------------------------------------
# 60 random stems, each with 5 forms (stem, +s, +ed, +ing, +er) and 3 topic
# words of its own (random letters: no n-gram shared with the stem); a line
# talks about one stem, mixing its forms and its topic words.
awk -v stems="$TMP/stems" -v topics="$TMP/topics" 'BEGIN {
    srand(7)
    split("s ed ing er", suf, " ")
    letters = "bcdfghjklmnpqrstvwxz"; vowels = "aeiou"
    for (s = 0; s < 60; s++) {
        st = ""
        for (k = 0; k < 3; k++)
            st = st substr(letters, 1 + int(rand() * 20), 1) substr(vowels, 1 + int(rand() * 5), 1)
        stem[s] = st
        print st >stems
        for (k = 0; k < 3; k++) {
            t = ""
            for (m = 0; m < 4; m++)
                t = t substr(letters, 1 + int(rand() * 20), 1) substr(vowels, 1 + int(rand() * 5), 1)
            topic[s, k] = t
            printf "%s%s", (k ? " " : ""), t >topics
        }
        print "" >topics
    }
    for (l = 0; l < 20000; l++) {
        s = int(rand() * 60)
        out = ""
        for (w = 0; w < 12; w++) {
            if (rand() < 0.5) {
                f = int(rand() * 5)
                word = f == 0 ? stem[s] : stem[s] suf[f]
            } else {
                word = topic[s, int(rand() * 3)]
            }
            out = out (w ? " " : "") word
        }
        print out
    }
}' >"$TMP/corpus"
# Hold out the -ing form of the first 10 stems: every line holding one goes.
head -n 10 "$TMP/stems" | sed 's/$/ing/' >"$TMP/held"
grep -v -w -F -f "$TMP/held" "$TMP/corpus" >"$TMP/train"
check "the held-out words are gone from the training text" sh -c '! grep -q -w -F -f "$1" "$2"' sh "$TMP/held" "$TMP/train"

# cos.awk: the vectors of the held-out words (lines 1-10), then for held-out
# word h `per` comparison words (lines 11 + (h-1)*per ...) that should be
# near it, then `others` words that should not. Prints how many held-out
# words are nearer to their own words on average than to any other.
cat >"$TMP/cos.awk" <<'EOF'
function cosine(a, b,   s, na, nb, i) {
    s = 0; na = 0; nb = 0
    for (i = 1; i <= d; i++) { s += v[a, i] * v[b, i]; na += v[a, i] ^ 2; nb += v[b, i] ^ 2 }
    return s / sqrt(na * nb)
}
{ for (i = 2; i <= NF; i++) v[NR, i - 1] = $i; d = NF - 1; n = NR }
END {
    good = 0
    for (h = 1; h <= 10; h++) {
        own = 0
        for (r = 0; r < per; r++) own += cosine(h, 11 + (h - 1) * per + r)
        own /= per
        best = -2
        for (q = 11; q <= n; q++) {
            if (q >= 11 + (h - 1) * per && q < 11 + h * per) continue
            c = cosine(h, q)
            if (c > best) best = c
        }
        if (own > best) good++
    }
    print good
}
EOF

# held_out_property MODEL LABEL: relatives and topic words, 9 of 10 at least.
held_out_property() {
    { cat "$TMP/held"
      head -n 10 "$TMP/stems" | awk '{ print $1; print $1 "s"; print $1 "ed"; print $1 "er" }'
      sed -n '11,60p' "$TMP/stems" | awk '{ print $1 "ed" }'
    } | "$W2V" vector "$1" >"$TMP/rel.vec" 2>/dev/null
    good=$(awk -v per=4 -f "$TMP/cos.awk" "$TMP/rel.vec")
    check "$2: held-out words nearer their relatives (walking ~ walked) than other words ($good/10)" [ "$good" -ge 9 ]
    { cat "$TMP/held"; head -n 10 "$TMP/topics" | tr ' ' '\n'; sed -n '11,30p' "$TMP/topics" | tr ' ' '\n'; } |
        "$W2V" vector "$1" >"$TMP/top.vec" 2>/dev/null
    good=$(awk -v per=3 -f "$TMP/cos.awk" "$TMP/top.vec")
    check "$2: held-out words nearer their stem's topic words than other topics ($good/10)" [ "$good" -ge 9 ]
}

SW="--subwords --dim 32 --epochs 5 --bucket 100000 --min-count 1 --quiet"
for m in "--model skipgram" "--model cbow" "--model skipgram --hs --negative 0"; do
    # shellcheck disable=SC2086
    if "$W2V" train "$TMP/train" -o "$TMP/v.bin" --subword-model "$TMP/m.sw" $m $SW --threads 2 2>"$TMP/err"; then
        pass
        held_out_property "$TMP/m.sw" "$m"
    else
        fail "train $m --subwords: $(head -c 300 "$TMP/err")"
    fi
done

# ---- the outputs ---------------------------------------------------------------
M=$TMP/m.sw
check "the vectors file answers queries" "$W2V" nearest "$TMP/v.bin" "$(head -n 1 "$TMP/stems")" -k 3
w=$(sed -n 12p "$TMP/stems")ed
"$W2V" vector "$TMP/v.bin" "$w" >"$TMP/a" 2>/dev/null
"$W2V" vector "$M" "$w" >"$TMP/b" 2>"$TMP/b.err"
check "a known word: the model's vector is the vectors file's, bit for bit" cmp -s "$TMP/a" "$TMP/b"
check "... and no note about unseen words" [ ! -s "$TMP/b.err" ]
check "the line is a word2vec text line of 32 values" sh -c '[ "$(awk "{ print NF }" "$1")" -eq 33 ]' sh "$TMP/b"
h1=$(sed -n 1p "$TMP/held"); h2=$(sed -n 2p "$TMP/held")
"$W2V" vector "$M" "$h1" "$h2" "$w" >"$TMP/c" 2>"$TMP/c.err"
check "unseen words get vectors" [ "$(wc -l <"$TMP/c")" -eq 3 ]
check "... and stderr says so once" [ "$(wc -l <"$TMP/c.err")" -eq 1 ]
check "... naming the first one" grep -q "'$h1' is not in the vocabulary" "$TMP/c.err"
check "... and how many others" grep -q "1 other unseen word" "$TMP/c.err"
printf '%s %s\n\n%s\n' "$h1" "$w" "$h2" | "$W2V" vector "$M" >"$TMP/d" 2>/dev/null
check "words from stdin" [ "$(wc -l <"$TMP/d")" -eq 3 ]
expect_error 1 "a word none of whose n-grams is in the model" -- vector "$M" QQQQQQ
check "... the error names the word" grep -q "'QQQQQQ'" "$TMP/err"
expect_error 1 "an unknown word in a plain vector file" -- vector "$TMP/v.bin" "$h1"
"$W2V" vector "$M" "$w" QQQQQQ >"$TMP/e" 2>/dev/null
check "an unknown word among known ones: no partial answer" [ ! -s "$TMP/e" ]
expect_error 2 "vector without a model" -- vector

# The query commands answer for unseen words from a subword model.
stem1=$(sed -n 1p "$TMP/stems")
"$W2V" nearest "$M" "$h1" -k 7 >"$TMP/n" 2>"$TMP/n.err"
check "nearest: an unseen word's 7 neighbours are its 4 relatives and 3 topic words" \
    [ "$(cut -f 1 "$TMP/n" | grep -c -x -F -e "$stem1" -e "${stem1}s" -e "${stem1}ed" -e "${stem1}er" \
        $(head -n 1 "$TMP/topics" | sed 's/[a-z]*/-e &/g'))" -ge 6 ]
check "... and stderr says it was unseen, once" [ "$(wc -l <"$TMP/n.err")" -eq 1 ]
rel=$("$W2V" similarity "$M" "$h1" "${stem1}ed" 2>/dev/null)
oth=$("$W2V" similarity "$M" "$h1" "$(sed -n 30p "$TMP/stems")ed" 2>/dev/null)
check "similarity: unseen word vs relative ($rel) above vs another stem ($oth)" \
    awk -v a="$rel" -v b="$oth" 'BEGIN { exit !(a + 0 > b + 0 && a + 0 <= 1) }'
check "similarity of two unseen words" sh -c '"$1" similarity "$2" "$3" "$4" 2>/dev/null' sh "$W2V" "$M" "$h1" "${stem1}ingly"
check "analogy with unseen words" sh -c '"$1" analogy "$2" "$3" "$4" "$5" -k 3 2>/dev/null' sh "$W2V" "$M" "$h1" "${stem1}ed" "$(sed -n 2p "$TMP/stems")ed"
printf '%s\nQQQQQQ\n%s %s\n' "$h1" "$h2" "${stem1}s" | "$W2V" nearest "$M" -k 2 >"$TMP/s" 2>"$TMP/s.err"
check "stdin: a query without any known n-gram fails the run" [ $? -eq 1 ]
check "... the others are answered (2 + 0 + 2 lines and 3 blank)" [ "$(wc -l <"$TMP/s")" -eq 7 ]
check "... one error on stderr, and no note (the run failed)" [ "$(wc -l <"$TMP/s.err")" -eq 1 ]
check "... the error names the word" grep -q "error: 'QQQQQQ'" "$TMP/s.err"
expect_error 1 "nearest: a word with no n-gram in the model" -- nearest "$M" QQQQQQ
expect_error 1 "nearest on a missing model" -- nearest "$TMP/no-such.sw" "$h1"

# map, doesnt-match and eval-* read a subword model too (one lookup:
# cmd_subword.h), unseen words answered from their n-grams.
stem2=$(sed -n 2p "$TMP/stems"); stem30=$(sed -n 30p "$TMP/stems")
odd=$("$W2V" doesnt-match "$M" "$h1" "${stem1}ed" "${stem1}s" "${stem30}ed" 2>"$TMP/o.err")
check "doesnt-match: an unseen word among its relatives, the other stem is odd ($odd)" [ "$odd" = "${stem30}ed" ]
check "... and stderr says once that it was unseen" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "^w2v: .$2. is not in the vocabulary" "$1"' sh "$TMP/o.err" "$h1"
odd=$("$W2V" doesnt-match "$M" "${stem1}ed" "${stem1}s" "$h1" "$h2" "${stem1}er" 2>/dev/null)
check "doesnt-match: of two unseen words, the other stem's is odd ($odd)" [ "$odd" = "$h2" ]
expect_error 1 "doesnt-match: a word with no n-gram in the model" -- doesnt-match "$M" "$h1" QQQQQQ
"$W2V" map "$M" "$h1" "$h2" "$h1" -k 6 -o "$TMP/map.svg" 2>"$TMP/map.err"
check "map: an unseen word in the centre" grep -q "<title>w2v map: $h1</title>" "$TMP/map.svg"
check "... its 6 neighbours are its relatives and topic words (5 at least)" \
    [ "$(grep -c -e ">$stem1<" -e ">${stem1}s<" -e ">${stem1}ed<" -e ">${stem1}er<" \
        $(head -n 1 "$TMP/topics" | sed 's/[a-z]*/-e >&</g') "$TMP/map.svg")" -ge 5 ]
check "... another unseen word as an extra, drawn once" [ "$(grep -c ">$h2<" "$TMP/map.svg")" -eq 1 ]
check "... and one note on stderr, counting it once" \
    sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "1 other unseen word)" "$1"' sh "$TMP/map.err"
expect_error 1 "map: a word with no n-gram in the model" -- map "$M" QQQQQQ -o "$TMP/bad.svg"
check "... writes no picture" [ ! -e "$TMP/bad.svg" ]

# eval-analogy --oov: 10 questions whose a is a held-out word (unseen)
# and 5 within the vocabulary; coverage goes from 5 to 15.
{ echo ": gram-held-out"
  i=0
  while read -r h; do
      i=$((i + 1)); s=$(sed -n "${i}p" "$TMP/stems"); t=$(sed -n "$((i + 20))p" "$TMP/stems")
      echo "$h ${s}ed ${t}ing ${t}ed"
  done <"$TMP/held"
  for i in 41 42 43 44 45; do
      s=$(sed -n "${i}p" "$TMP/stems"); t=$(sed -n "$((i + 10))p" "$TMP/stems")
      echo "${s}s ${s}ed ${t}s ${t}ed"
  done; } >"$TMP/questions"
"$W2V" eval-analogy "$M" "$TMP/questions" --json >"$TMP/a0.json" 2>"$TMP/a0.err"
check "eval-analogy reads a subword model: 5 of 15 answerable" grep -q '"total": 5, "skipped": 10' "$TMP/a0.json"
check "... without --oov, no note" [ ! -s "$TMP/a0.err" ]
"$W2V" eval-analogy "$M" "$TMP/questions" --json --oov >"$TMP/a1.json" 2>"$TMP/a1.err"
check "eval-analogy --oov: all 15 answerable" grep -q '"total": 15, "skipped": 0' "$TMP/a1.json"
check "... the 5 of the vocabulary reported too" grep -q '"vocab_only": {"correct": [0-9]*, "total": 5}' "$TMP/a1.json"
check "... 10 question words from n-grams" grep -q '"words_from_ngrams": 10' "$TMP/a1.json"
check "... one note on stderr" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "9 other unseen words" "$1"' sh "$TMP/a1.err"
"$W2V" eval-analogy "$M" "$TMP/questions" --oov >"$TMP/a1.txt" 2>/dev/null
check "... the table states the coverage both ways" \
    sh -c 'grep -q "^coverage with --oov: 15 of 15 questions" "$1" && grep -q "^coverage without:  5 of 15 questions" "$1"' sh "$TMP/a1.txt"
"$W2V" eval-analogy "$TMP/v.bin" "$TMP/questions" --json --oov >"$TMP/a2.json" 2>"$TMP/a2.err"
check "eval-analogy --oov on a plain vector file: unseen words stay skipped" grep -q '"total": 5, "skipped": 10' "$TMP/a2.json"
# Past --restrict: a, b and c get their own rows; d must be a candidate.
printf '4 2\nd 1 0\nc 0 1\nb 1 1\na 1 -1\n' >"$TMP/abcd.txt"
printf ': s\na b c d\nd c b a\n' >"$TMP/abcd.q"
"$W2V" eval-analogy "$TMP/abcd.txt" "$TMP/abcd.q" --restrict 1 --json >"$TMP/a3.json"
"$W2V" eval-analogy "$TMP/abcd.txt" "$TMP/abcd.q" --restrict 1 --json --oov >"$TMP/a4.json"
check "... but words past --restrict get their own rows: 0 -> 1 answered" \
    sh -c 'grep -q "\"total\": 0, \"skipped\": 2" "$1" && grep -q "\"correct\": 1, \"total\": 1, \"skipped\": 1," "$2" && grep -q "\"words_from_rows\": 3, \"words_from_ngrams\": 0" "$2"' sh "$TMP/a3.json" "$TMP/a4.json"
# eval-similarity --oov: the pairs of unseen words count.
head -n 10 "$TMP/stems" | sed 's/$/ed/' >"$TMP/p1"
sed -n '11,20p' "$TMP/stems" | sed 's/$/s/' >"$TMP/p2"
sed -n '21,30p' "$TMP/stems" | sed 's/$/ed/' >"$TMP/p3"
{ paste -d ' ' "$TMP/held" "$TMP/p1" | sed 's/$/ 9/'
  sed -n '31,40p' "$TMP/stems" | awk '{ print $1 "s", $1 "ed", 8 }'
  paste -d ' ' "$TMP/p2" "$TMP/p3" | sed 's/$/ 1/'; } >"$TMP/pairs"
"$W2V" eval-similarity "$M" "$TMP/pairs" --json >"$TMP/s0.json" 2>/dev/null
check "eval-similarity reads a subword model: 20 pairs, 10 skipped" grep -q '"pairs": 20, "skipped": 10}' "$TMP/s0.json"
"$W2V" eval-similarity "$M" "$TMP/pairs" --json --oov >"$TMP/s1.json" 2>"$TMP/s1.err"
check "eval-similarity --oov: 30 pairs, 20 of them without" \
    grep -q '"pairs": 30, "skipped": 0, "oov": {"words_from_rows": 0, "words_from_ngrams": 10}, "vocab_only_pairs": 20}' "$TMP/s1.json"
check "... one note on stderr" [ "$(wc -l <"$TMP/s1.err")" -eq 1 ]
check "... relatives, seen or not, score above strangers (pearson > 0.8)" \
    sh -c 'awk -F"[:,]" "{ exit !(\$4 + 0 > 0.8) }" "$1"' sh "$TMP/s1.json"

# --limit N on a subword model: only the first N words are read (the
# candidates); a word past them is answered from its n-grams.
"$W2V" convert "$TMP/v.bin" "$TMP/v.txt" --text
last=$(tail -n 1 "$TMP/v.txt" | cut -d ' ' -f 1)
"$W2V" nearest "$M" "$last" --limit 20 -k 50 >"$TMP/l" 2>"$TMP/l.err"
check "nearest --limit 20: at most 20 answers" [ "$(wc -l <"$TMP/l")" -le 20 ]
check "... all among the first 20 words" \
    sh -c 'sed -n "2,21p" "$1" | cut -d " " -f 1 | sort >"$1.first"; cut -f 1 "$2" | sort | comm -23 - "$1.first" | grep -q . && exit 1; exit 0' sh "$TMP/v.txt" "$TMP/l"
check "... the last word answered from its n-grams, and said so" grep -q "'$last' is not among the first 20 words of" "$TMP/l.err"
sim=$("$W2V" similarity "$M" "$last" "$last" --limit 20 2>/dev/null)
check "similarity --limit: a word past the limit is still itself ($sim)" [ "$sim" = "1.000000" ]
"$W2V" nearest "$M" "$last" -k 1 --limit 100000 >/dev/null 2>"$TMP/l2.err"
check "... a limit past the end reads every word: no note" [ ! -s "$TMP/l2.err" ]

# Reproducible with one thread and a seed.
"$W2V" train "$TMP/train" -o "$TMP/r1.bin" --subword-model "$TMP/r1.sw" $SW --threads 1 --seed 3
"$W2V" train "$TMP/train" -o "$TMP/r2.bin" --subword-model "$TMP/r2.sw" $SW --threads 1 --seed 3
check "--threads 1 --seed 3 twice: the same model file" cmp -s "$TMP/r1.sw" "$TMP/r2.sw"
check "... and the same vectors" cmp -s "$TMP/r1.bin" "$TMP/r2.bin"

# ---- usage and hostile model files -----------------------------------------------
expect_error 2 "--subword-model without --subwords" -- train "$TMP/train" -o "$TMP/x.bin" --subword-model "$TMP/x.sw"
expect_error 2 "--minn above --maxn" -- train "$TMP/train" -o "$TMP/x.bin" --subwords --minn 5 --maxn 3
expect_error 2 "--bucket 0" -- train "$TMP/train" -o "$TMP/x.bin" --subwords --bucket 0
expect_error 2 "--subword-model with --classes" -- train "$TMP/train" -o "$TMP/x.bin" --subwords --subword-model "$TMP/x.sw" --classes 3
expect_error 1 "an unwritable --subword-model" -- train "$TMP/train" -o "$TMP/x.bin" --subwords --subword-model "$TMP/no/such/dir/m.sw"
check "... leaves no vectors file" [ ! -e "$TMP/x.bin" ]

size=$(wc -c <"$M")
head -c $((size - 3)) "$M" >"$TMP/trunc.sw"
expect_error 1 "a truncated model" -- vector "$TMP/trunc.sw" "$w"
for cmd in "eval-analogy $TMP/questions" "eval-similarity $TMP/pairs" "doesnt-match $w $h1" "map $w" "nearest $h1" "similarity $h1 $w"; do
    # shellcheck disable=SC2086
    expect_error 1 "$cmd on a truncated model" -- ${cmd%% *} "$TMP/trunc.sw" ${cmd#* }
done
head -c 40 "$M" >"$TMP/hdr.sw"
expect_error 1 "a model cut inside its header" -- vector "$TMP/hdr.sw" "$w"
# patch FILE OFFSET BYTES(octal escapes): a copy of the model with bytes replaced.
patch() {
    cp "$M" "$1"
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
patch "$TMP/ver.sw" 8 '\002'
expect_error 1 "a model of another version" -- vector "$TMP/ver.sw" "$w"
check "... the error says which version" grep -q "version 2" "$TMP/err"
patch "$TMP/lie.sw" 44 '\001'
expect_error 1 "a model whose n-gram count lies (2^32 more)" -- vector "$TMP/lie.sw" "$w"
patch "$TMP/lie2.sw" 24 '\003\000\000\000'
expect_error 1 "a model with fewer buckets than n-gram rows" -- vector "$TMP/lie2.sw" "$w"
patch "$TMP/dim.sw" 12 '\377\377\377\177'
expect_error 1 "a model claiming 2^31 dimensions" -- vector "$TMP/dim.sw" "$w"
patch "$TMP/wb.sw" 54 '\001'
expect_error 1 "a model whose word block size lies (2^48 more)" -- nearest "$TMP/wb.sw" "$w"
patch "$TMP/words.sw" 32 '\377\377'
expect_error 1 "a model whose word count lies" -- eval-analogy "$TMP/words.sw" "$TMP/questions"
# The first bucket id, just after the words (padded to 64 bytes), set past
# the bucket count.
wbytes=$(od -An -tu4 -j48 -N4 "$M" | tr -d ' ')
patch "$TMP/ids.sw" $(( (64 + wbytes + 63) / 64 * 64 )) '\377\377\377\377'
expect_error 1 "a model with a bucket id past its buckets" -- map "$TMP/ids.sw" "$w"
check "... the error says so" grep -q "bucket ids" "$TMP/err"
expect_error 1 "--oov on a truncated model" -- eval-similarity "$TMP/trunc.sw" "$TMP/pairs" --oov

# A model truncated while a query command has it mapped: the lost n-gram
# rows raise SIGBUS, which must become the one-line error, not a crash.
cp "$M" "$TMP/shrink.sw"
mkfifo "$TMP/queries"
"$W2V" nearest "$TMP/shrink.sw" -k 3 <"$TMP/queries" >"$TMP/shrink.out" 2>"$TMP/shrink.err" &
pid=$!
exec 9>"$TMP/queries"
echo "$h1" >&9
i=0
while [ ! -s "$TMP/shrink.out" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
truncate -s 100 "$TMP/shrink.sw"
echo "$h2" >&9
exec 9>&-
wait $pid
st=$?
check "a subword model truncated while mapped: exit 1 (got $st)" [ "$st" -eq 1 ]
check "... with one w2v: line naming it" \
    sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "^w2v: error: .*shrink.sw. changed size" "$1"' sh "$TMP/shrink.err"

summary
