#!/bin/sh
# End-to-end checks of the training loss (--log-json, the progress line and
# the summary), continued training (--init) and checkpoints (--checkpoint,
# --resume).
. "$(dirname "$0")/lib.sh"

# A planted corpus: pairs pN/qN only share sentences with each other.
awk 'BEGIN { srand(7)
    for (l = 0; l < 3000; l++) {
        s = ""
        if (rand() < 0.5) { p = int(rand() * 6); for (w = 0; w < 8; w++) s = s (rand() < 0.5 ? " p" : " q") p }
        else for (w = 0; w < 8; w++) s = s " f" int(rand() * 30)
        print s
    } }' >"$TMP/planted.txt"
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
summary
