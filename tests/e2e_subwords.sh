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

summary
