#!/bin/sh
# A learning rate that makes training diverge is caught within moments (the
# run below would take minutes if it went on): one error line naming the
# rate, exit 1, no output file; for both kernels and both models.
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { srand(5)
    for (l = 0; l < 300; l++) {
        s = ""
        for (w = 0; w < 10; w++) s = s " w" int(rand() * 40)
        print s
    } }' >"$TMP/c.txt"
for k in batched reference; do
    for m in cbow skipgram; do
        expect_error 1 "$k $m: --alpha 10 diverges" -- train "$TMP/c.txt" -o "$TMP/out.bin" \
            --kernel $k --model $m --alpha 10 --epochs 100000 --min-count 1 --threads 2 -q
        check "$k $m: the message names the rate" grep -q \
            '^w2v: error: training diverged: lower --alpha (now 10)$' "$TMP/err"
        check "$k $m: nothing written" test ! -e "$TMP/out.bin"
    done
done
summary
