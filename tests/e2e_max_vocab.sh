#!/bin/sh
# e2e_max_vocab.sh — --max-vocab keeps counting within a bounded table and
# says how many rare words it pruned (scripts/bench-memory.sh measures the
# same at 20 million distinct words).
. "$(dirname "$0")/lib.sh"

# 6,000 distinct rare words, each once, plus 20 frequent words.
awk 'BEGIN { for (i = 0; i < 300; i++) { s = ""; for (j = 0; j < 20; j++) s = s " r" (i * 20 + j) " f" j; print s } }' \
    >"$TMP/corpus.txt"
"$W2V" train "$TMP/corpus.txt" -o "$TMP/v.txt" --text --max-vocab 100 --min-count 5 --dim 4 \
    --epochs 1 --threads 1 >"$TMP/out" 2>"$TMP/err"
check "training with --max-vocab 100 succeeds" test $? -eq 0
pruned=$(sed -n 's/^w2v: pruned \([0-9]*\) rare words while counting (--max-vocab 100)$/\1/p' "$TMP/err")
check "the run reports the words it pruned" test -n "$pruned"
check "... at least the rare words past the bound ($pruned)" test "${pruned:-0}" -ge 5900
check "the frequent words and </s> survive" test "$(head -n 1 "$TMP/v.txt")" = "21 4"
"$W2V" train "$TMP/corpus.txt" -o "$TMP/w.txt" --text --min-count 5 --dim 4 --epochs 1 \
    --threads 1 >"$TMP/out" 2>"$TMP/err"
check "without --max-vocab nothing is said about pruning" sh -c "! grep -q pruned '$TMP/err'"
summary
