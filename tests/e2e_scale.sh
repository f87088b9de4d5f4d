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

# Larger than memory: --max-memory below the stream spills the ids to a
# nameless file beside OUT and trains from a read-only mapping of it.
mkdir "$TMP/spilldir"
train "$TMP/corpus.txt" -o "$TMP/spilldir/spill.bin" --threads 1 --max-memory 4K
check "a spilled run gives the in-memory run's vectors" cmp "$TMP/one.bin" "$TMP/spilldir/spill.bin"
check "... and leaves nothing beside OUT" test "$(ls -A "$TMP/spilldir")" = spill.bin
mkdir "$TMP/killdir"
"$W2V" train "$TMP/corpus.txt" -o "$TMP/killdir/k.bin" --dim 8 --epochs 100000 --min-count 2 \
    --threads 2 --max-memory 4K -q &
pid=$!
sleep 0.5
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "SIGKILL while training from the spilled ids leaves nothing beside OUT" \
    test -z "$(ls -A "$TMP/killdir")"
"$W2V" train "$TMP/corpus.txt" -o "$TMP/spilldir/spill2.bin" --dim 8 --epochs 1 --min-count 2 \
    --threads 2 --max-memory 4K 2>"$TMP/err" >/dev/null
check "the run says it spilled" grep -q "exceed --max-memory: read from a temporary file" "$TMP/err"
expect_error 2 "a bad --max-memory is a usage error" -- train "$TMP/corpus.txt" -o "$TMP/x.bin" --max-memory 12Q
expect_error 2 "so is --max-memory 0" -- train "$TMP/corpus.txt" -o "$TMP/x.bin" --max-memory 0
# Disk full while spilling: a 64 KB tmpfs for OUT (root only; skipped visibly).
mkdir "$TMP/mnt"
if mount -t tmpfs -o size=64k tmpfs "$TMP/mnt" 2>/dev/null; then
    trap 'umount "$TMP/mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
    awk 'BEGIN { for (i = 0; i < 8000; i++) printf "a%d b c d%s", i % 50, i % 9 ? " " : "\n" }' \
        >"$TMP/big.txt"
    expect_error 1 "disk full while spilling: one clean error" -- train "$TMP/big.txt" \
        -o "$TMP/mnt/out.bin" --dim 4 --epochs 1 --threads 2 --max-memory 1K
    check "... naming the full disk" grep -q "No space left on device" "$TMP/err"
    check "... and nothing is left on the full disk" test -z "$(ls -A "$TMP/mnt")"
    umount "$TMP/mnt"
else
    echo "e2e_scale.sh: SKIP disk-full test (cannot mount a tmpfs here)"
fi
summary
