#!/bin/sh
# What w2v promises about files (README "Safety"), a new user's command
# lines and scripted use (issue 18). Each class is tested by several
# spellings, not one example.
. "$(dirname "$0")/lib.sh"

C=$TMP/c.txt
awk 'BEGIN { srand(5); for (l = 0; l < 600; l++) { s = ""; for (w = 0; w < 12; w++) s = s " w" int(rand() * 40); print s } }' >"$C"
cp "$C" "$TMP/orig.txt"
FAST="--quiet --threads 1 --epochs 1 --dim 8 --seed 1"

# unchanged FILE DESCRIPTION: FILE still holds the original corpus.
unchanged() {
    if cmp -s "$1" "$TMP/orig.txt"; then pass; else fail "$2: '$1' was changed"; fi
}
no_temporaries() {
    if ls -a "$1" | grep -q -e '\.tmp\.' -e '\.w2v-corpus'; then fail "$2: a temporary was left in $1"; else pass; fi
}

# ---- 1. an output is never an input or another output ------------------------
expect_error 2 "-o names the corpus" -- train "$C" -o "$C" $FAST
unchanged "$C" "-o names the corpus"
ln -s "$C" "$TMP/link"
expect_error 2 "-o is a symlink to the corpus" -- train "$C" -o "$TMP/link" $FAST
unchanged "$C" "symlink"
ln "$C" "$TMP/hard"
expect_error 2 "-o is a hard link to the corpus" -- train "$C" -o "$TMP/hard" $FAST
unchanged "$C" "hard link"
expect_error 2 "-o reaches the corpus through ./ and .." -- train "$C" -o "$TMP/../$(basename "$TMP")/./c.txt" $FAST
expect_error 2 "--save-vocab names the corpus" -- train "$C" -o "$TMP/v.bin" --save-vocab "$C" $FAST
unchanged "$C" "--save-vocab names the corpus"
check "... and nothing was written" test ! -e "$TMP/v.bin"
expect_error 2 "-o X --save-vocab X (X new)" -- train "$C" -o "$TMP/x" --save-vocab "$TMP/x" $FAST
check "... X was not created" test ! -e "$TMP/x"
"$W2V" train "$C" -o "$TMP/v.bin" --save-vocab "$TMP/v.vocab" $FAST
cp "$TMP/v.vocab" "$TMP/vocab.orig"
expect_error 2 "-o X --save-vocab X (X exists)" -- train "$C" -o "$TMP/v.vocab" --save-vocab "$TMP/v.vocab" $FAST
expect_error 2 "-o X --read-vocab X" -- train "$C" -o "$TMP/v.vocab" --read-vocab "$TMP/v.vocab" $FAST
check "... the vocabulary is intact" cmp -s "$TMP/v.vocab" "$TMP/vocab.orig"
expect_error 2 "--save-vocab is --read-vocab" -- train "$C" -o "$TMP/w.bin" --read-vocab "$TMP/v.vocab" --save-vocab "$TMP/v.vocab" $FAST
"$W2V" train "$C" -o /dev/stdout $FAST >>"$C" 2>"$TMP/err"
check "-o /dev/stdout appended to the corpus: exit 2" [ $? -eq 2 ]
unchanged "$C" "/dev/stdout"
cp "$TMP/v.bin" "$TMP/v.keep"
expect_error 1 "swapped arguments (the vectors as the corpus)" -- train "$TMP/v.bin" -o "$C" $FAST
check "... says so" grep -q "swapped" "$TMP/err"
unchanged "$C" "swapped arguments"
"$W2V" convert "$TMP/v.bin" "$TMP/v.txt"
expect_error 1 "swapped arguments (text vectors as the corpus)" -- train "$TMP/v.txt" -o "$C" $FAST
unchanged "$C" "swapped arguments (text)"
cp "$TMP/v.bin" "$TMP/m.bin"
expect_error 2 "map -o names the model" -- map "$TMP/m.bin" w1 -k 3 -o "$TMP/m.bin"
check "... the model is intact" cmp -s "$TMP/m.bin" "$TMP/v.bin"
check "map -o a new file still works" "$W2V" map "$TMP/m.bin" w1 -k 3 -o "$TMP/m.svg"
check "convert IN IN (read whole first) is still allowed" "$W2V" convert "$TMP/m.bin" "$TMP/m.bin"
check "-o /dev/null twice is fine (devices are written in place)" \
    "$W2V" train "$C" -o /dev/null --save-vocab /dev/null $FAST
no_temporaries "$TMP" "refusals"

# ---- permissions: kept, and read-only is refused unless --force -------------
run_as_user() { "$@"; }
who="the current user"
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1; then
        run_as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
        who="uid 65534 (setpriv)"
    elif command -v runuser >/dev/null 2>&1; then
        run_as_user() { runuser -u nobody -- "$@"; }
        who="nobody (runuser)"
    else
        run_as_user=
        echo "e2e_safety.sh: SKIP permission cases: running as root and neither setpriv nor runuser exists"
    fi
fi
if [ -n "${run_as_user-x}" ]; then
    U=$TMP/user
    mkdir "$U"
    chmod 755 "$TMP"
    cp "$C" "$U/c.txt"
    [ "$(id -u)" -eq 0 ] && chown -R 65534:65534 "$U"
    # as_user EXPECTED-STATUS DESCRIPTION ARGS...: w2v train as the user.
    as_user() {
        want=$1; desc=$2; shift 2
        run_as_user sh -c 'umask 022; "$@"' sh "$W2V" train "$U/c.txt" $FAST "$@" 2>"$TMP/err"
        got=$?
        if [ "$got" -eq "$want" ]; then pass; else fail "$desc as $who: exit $got, expected $want: $(cat "$TMP/err")"; fi
    }
    as_user 0 "a new OUT" -o "$U/new.bin"
    check "... gets the umask's mode (644)" [ "$(stat -c %a "$U/new.bin")" = 644 ]
    run_as_user chmod 600 "$U/new.bin"
    as_user 0 "a private (600) OUT replaced" -o "$U/new.bin"
    check "... stays 600" [ "$(stat -c %a "$U/new.bin")" = 600 ]
    run_as_user chmod 640 "$U/new.bin"
    as_user 0 "a 640 OUT replaced" -o "$U/new.bin" --save-vocab "$U/new.vocab"
    check "... stays 640" [ "$(stat -c %a "$U/new.bin")" = 640 ]
    run_as_user sh -c 'echo precious >"$1"; chmod 444 "$1"' sh "$U/ro.bin"
    as_user 1 "a read-only (444) OUT" -o "$U/ro.bin"
    check "... is refused, one line naming --force" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "--force" "$1"' sh "$TMP/err"
    check "... and untouched" [ "$(cat "$U/ro.bin")" = precious ]
    run_as_user sh -c 'echo precious >"$1"; chmod 444 "$1"' sh "$U/ro.vocab"
    as_user 1 "a read-only --save-vocab" -o "$U/ok.bin" --save-vocab "$U/ro.vocab"
    check "... refused before any work" test ! -e "$U/ok.bin"
    as_user 0 "a read-only OUT with --force" -o "$U/ro.bin" --force
    check "... is replaced" [ "$(head -c 8 "$U/ro.bin")" != precious ]
    check "... and stays 444" [ "$(stat -c %a "$U/ro.bin")" = 444 ]
    run_as_user ln -s "$U/new.bin" "$U/newlink"
    run_as_user chmod 600 "$U/new.bin"
    as_user 0 "OUT through a symlink" -o "$U/newlink"
    check "... the link stays a link, its target 600" sh -c '[ -L "$1" ] && [ "$(stat -c %a "$2")" = 600 ]' sh "$U/newlink" "$U/new.bin"
    run_as_user sh -c 'echo precious >"$1"; chmod 444 "$1"' sh "$U/ro.txt"
    run_as_user "$W2V" convert "$U/new.bin" "$U/ro.txt" 2>"$TMP/err"
    check "convert into a read-only OUT as $who: exit 1" [ $? -eq 1 ]
    check "... untouched" [ "$(cat "$U/ro.txt")" = precious ]
    check "convert --force into it" run_as_user "$W2V" convert "$U/new.bin" "$U/ro.txt" --force
    check "... stays 444" [ "$(stat -c %a "$U/ro.txt")" = 444 ]
    no_temporaries "$U" "permission cases"
fi

# ---- 2. junk corpora ----------------------------------------------------------
# junk FILE WORD DESCRIPTION: refused with exit 1, one line holding WORD.
junk() {
    expect_error 1 "$3" -- train "$1" -o "$TMP/junk.bin" $FAST
    check "$3: the message says '$2'" grep -q -- "$2" "$TMP/err"
    check "$3: no output" test ! -e "$TMP/junk.bin"
}
gzip -c "$C" >"$TMP/c.gz"
junk "$TMP/c.gz" "zcat" "a gzip corpus"
if command -v bzip2 >/dev/null 2>&1; then bzip2 -c "$C" >"$TMP/c.bz2"; junk "$TMP/c.bz2" "bzcat" "a bzip2 corpus"; fi
if command -v xz >/dev/null 2>&1; then xz -c "$C" >"$TMP/c.xz"; junk "$TMP/c.xz" "xzcat" "an xz corpus"; fi
if command -v iconv >/dev/null 2>&1; then
    iconv -f UTF-8 -t UTF-16 "$C" >"$TMP/c16"
    junk "$TMP/c16" "UTF-16" "a UTF-16 corpus with a BOM"
    iconv -f UTF-8 -t UTF-16LE "$C" >"$TMP/c16le"
    junk "$TMP/c16le" "UTF-16" "a UTF-16LE corpus without a BOM"
    iconv -f UTF-8 -t UTF-32 "$C" >"$TMP/c32"
    junk "$TMP/c32" "UTF-32" "a UTF-32 corpus"
fi
{ head -c 1000 "$C"; printf 'a\000b\n'; cat "$C"; } >"$TMP/cnul"
junk "$TMP/cnul" "NUL" "a NUL byte in the first block"
head -c 100000 /dev/urandom | tr -d '\000' | tr '\037' '\000' >"$TMP/rnd"
junk "$TMP/rnd" "binary" "random bytes"
junk /dev/zero "NUL" "/dev/zero (a stream of NULs)"
gzip -c "$C" | "$W2V" train - -o "$TMP/junk.bin" $FAST 2>"$TMP/err"
check "gzip through stdin: exit 1" [ $? -eq 1 ]
check "... saying gzip" grep -q gzip "$TMP/err"
check "the fix it suggests works: zcat c.gz | w2v train - -o v.bin" \
    sh -c 'zcat "$1" | "$2" train - -o "$3" --quiet --threads 1 --epochs 1 --dim 8 --seed 1' sh "$TMP/c.gz" "$W2V" "$TMP/z.bin"

# ---- streams: read once, same vectors as the file ---------------------------
"$W2V" train "$C" -o "$TMP/file.bin" $FAST
cat "$C" | "$W2V" train - -o "$TMP/stdin.bin" $FAST
check "'-' (stdin from a pipe) gives the file's vectors" cmp -s "$TMP/file.bin" "$TMP/stdin.bin"
cat "$C" | "$W2V" train /dev/stdin -o "$TMP/devstdin.bin" $FAST
check "/dev/stdin on a pipe gives the file's vectors" cmp -s "$TMP/file.bin" "$TMP/devstdin.bin"
"$W2V" train /dev/stdin -o "$TMP/redir.bin" $FAST <"$C"
check "/dev/stdin redirected from the file gives the file's vectors" cmp -s "$TMP/file.bin" "$TMP/redir.bin"
mkfifo "$TMP/fifo"
cat "$C" >"$TMP/fifo" &
timeout 60 "$W2V" train "$TMP/fifo" -o "$TMP/fifo.bin" $FAST
check "a named pipe gives the file's vectors" cmp -s "$TMP/file.bin" "$TMP/fifo.bin"
wait
"$W2V" train - -o "$TMP/cli.bin" --threads 1 --epochs 1 --dim 8 --seed 1 --read-vocab "$TMP/v.vocab" --quiet <"$C"
check "'-' with --read-vocab trains" test -s "$TMP/cli.bin"
printf '' | "$W2V" train - -o "$TMP/empty.bin" $FAST 2>"$TMP/err"
check "an empty stdin: exit 1, one line" sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ]' sh $? "$TMP/err"
printf 'a b c\n' | "$W2V" train - -o "$TMP/empty.bin" $FAST 2>"$TMP/err"
check "an error about stdin names stdin, not the copy" sh -c 'grep -q "stdin" "$1" && ! grep -q /dev/fd "$1"' sh "$TMP/err"
# Killed (SIGKILL) while copying a stream: the copy has no name to leave.
mkdir "$TMP/kill"
{ cat "$C"; sleep 2; cat "$C"; } | "$W2V" train - -o "$TMP/kill/k.bin" $FAST &
w2v_pid=$! # the last command of the pipeline
sleep 0.5
check "SIGKILL while reading stdin (w2v still running)" kill -9 "$w2v_pid"
wait
check "... nothing at all left beside OUT" [ -z "$(ls -A "$TMP/kill")" ]
no_temporaries "$TMP" "streams"

# ---- 3. the command line as people type it -----------------------------------
O=$TMP/cli3.bin
# contra DESCRIPTION ARGS...: refused as a usage error, nothing written.
contra() {
    desc=$1; shift
    expect_error 2 "$desc" -- train "$C" -o "$O" $FAST "$@"
    check "$desc: nothing written" test ! -e "$O"
}
contra "--model cbow --cbow 0" --model cbow --cbow 0
contra "-cbow 1 --model skipgram" -cbow 1 --model skipgram
contra "--binary 1 --text" --binary 1 --text
contra "--text -binary 0" --text -binary 0
contra "--hs -hs 0" --hs -hs 0
contra "--dim 8 -size 8 (one setting twice)" -size 8
contra "--train and a CORPUS" --train "$C"
expect_error 2 "-o --quiet: -o does not swallow an option" -- train "$C" -o --quiet
check "... no file named --quiet" test ! -e ./--quiet
expect_error 2 "--window --dim 8" -- train "$C" -o "$O" --window --dim 8
expect_error 2 "nearest -k --json" -- nearest "$TMP/v.txt" w1 -k --json
expect_error 2 "--alpha -1 reaches the range check" -- train "$C" -o "$O" --alpha -1
check "... which names the range" grep -q "1e-09 to 10" "$TMP/err"
# suggest OPTION WANTED [COMMAND]: an unknown option names the nearest known one.
suggest() {
    expect_error 2 "$1 is unknown" -- "${3:-train}" "$C" -o "$O" $FAST "$1" 3
    check "... did you mean $2?" grep -q "did you mean $2?" "$TMP/err"
}
suggest --vector-size --dim
suggest -dim --dim
suggest --size --dim
suggest -epoch --epochs
suggest --iter --epochs
suggest --epoch --epochs
suggest -minCount --min-count
suggest --min_count --min-count
suggest -ws --window
suggest -neg --negative
suggest -thread --threads
suggest --workers --threads
suggest -lr --alpha
suggest --learning-rate --alpha
suggest --dimm --dim
suggest --windw --window
expect_error 2 "nearest --topn" -- nearest "$TMP/v.txt" w1 --topn 3
check "... did you mean --top?" grep -q "did you mean --top?" "$TMP/err"
expect_error 2 "an unknown option far from any" -- train "$C" -o "$O" --colour
check "... suggests nothing" sh -c '! grep -q "did you mean" "$1"' sh "$TMP/err"
# One range per setting: --threads says the same in every command.
for cmd in train nearest analogy eval-analogy; do
    check "$cmd --help states --threads [1..1024]" sh -c '"$0" "$1" --help | grep -- "--threads" | grep -q "\[1\.\.1024\]"' "$W2V" "$cmd"
done
expect_error 2 "train --threads 1025" -- train "$C" -o "$O" --threads 1025
expect_error 2 "nearest --threads 1025" -- nearest "$TMP/v.txt" w1 --threads 1025
check "nearest --threads 100 (within the one range)" "$W2V" nearest "$TMP/v.txt" w1 --threads 100
check "train --help states --dim [1..100000]" sh -c '"$0" train --help | grep -- "--dim" | grep -q "\[1\.\.100000\]"' "$W2V"
expect_error 2 "--dim past the stated range" -- train "$C" -o "$O" --dim 100001
# The original's command line as typed.
check "w2v -train c -output v -cbow 1 -size 8 ... (no 'train' word)" \
    "$W2V" -train "$C" -output "$O" -cbow 1 -size 8 -window 3 -iter 1 -threads 1 -min-count 1 -binary 1 -debug 0
check "... wrote the vectors" "$W2V" nearest "$O" w1 -k 1
rm -f "$O"
expect_error 2 "w2v -output v (no -train): an unknown command" -- -output "$O"
# analogy says what it computes.
check "the command list says A - B + C with king man woman" sh -c '"$0" | grep "^  analogy" | grep -q "A - B + C.*king man woman"' "$W2V"
check "analogy --help says A - B + C and warns of the original's order" \
    sh -c '"$0" analogy --help >"$1" && grep -q "A - B + C" "$1" && grep -q "king man woman" "$1" && grep -q "original word-analogy" "$1"' "$W2V" "$TMP/help"

# ---- 4. scripted and interactive use -----------------------------------------
V=$TMP/v.txt
# lines FILE: its number of lines.
lines() { wc -l <"$1" | tr -d ' '; }
printf 'w1\n\nnosuch\nw2 w3\n\n\nw4\n' >"$TMP/q"
"$W2V" nearest "$V" -k 2 --json <"$TMP/q" >"$TMP/out" 2>"$TMP/err"
check "nearest --json: exit 1 for the unknown word" [ $? -eq 1 ]
check "... 7 lines in, 7 records out" [ "$(lines "$TMP/out")" -eq 7 ]
check "... blank lines answer [], the failed one null" sh -c \
    '[ "$(sed -n 2p "$1")" = "[]" ] && [ "$(sed -n 3p "$1")" = null ] && [ "$(sed -n 5p "$1")" = "[]" ] && [ "$(sed -n 6p "$1")" = "[]" ]' sh "$TMP/out"
check "... one error line, naming the word" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "nosuch" "$1"' sh "$TMP/err"
"$W2V" nearest "$V" -k 2 --json <"$TMP/q" >"$TMP/both" 2>&1
check "... the error comes in order, right before its null" sh -c \
    'sed -n 3p "$1" | grep -q "^w2v: error: .*nosuch" && [ "$(sed -n 4p "$1")" = null ] && [ "$(wc -l <"$1")" -eq 8 ]' sh "$TMP/both"
"$W2V" nearest "$V" -k 2 <"$TMP/q" >"$TMP/out" 2>/dev/null
check "nearest (text): 7 records, each ended by a blank line" [ "$(grep -c '^$' "$TMP/out")" -eq 7 ]
printf 'w1\n\n' | "$W2V" nearest "$V" -k 1 --json >/dev/null 2>&1
check "blank lines alone are no failure (exit 0)" [ $? -eq 0 ]
printf 'w1 w2 w3\n\nw1 w2\nw1 nosuch w3\nw3 w2 w1\n' | "$W2V" analogy "$V" -k 1 --json >"$TMP/out" 2>"$TMP/err"
check "analogy --json: exit 1" [ $? -eq 1 ]
check "... 5 records for 5 lines" [ "$(lines "$TMP/out")" -eq 5 ]
check "... [] for the blank line, null for the two failures" sh -c \
    '[ "$(sed -n 2p "$1")" = "[]" ] && [ "$(sed -n 3p "$1")" = null ] && [ "$(sed -n 4p "$1")" = null ]' sh "$TMP/out"
check "... two error lines" [ "$(lines "$TMP/err")" -eq 2 ]
printf 'w1 w2\n\nw1\nw1 nosuch\nw2 w3\n' | "$W2V" similarity "$V" >"$TMP/out" 2>"$TMP/err"
check "similarity from stdin: exit 1" [ $? -eq 1 ]
check "... 5 records for 5 lines, empty for the blank and failed ones" sh -c \
    '[ "$(wc -l <"$1")" -eq 5 ] && [ -z "$(sed -n 2p "$1")" ] && [ -z "$(sed -n 3p "$1")" ] && [ -z "$(sed -n 4p "$1")" ] && sed -n 5p "$1" | grep -q "^-\{0,1\}[0-9]\.[0-9]*$"' sh "$TMP/out"
check "... the first equals the one-pair command" sh -c \
    '[ "$(sed -n 1p "$1")" = "$("$2" similarity "$3" w1 w2)" ]' sh "$TMP/out" "$W2V" "$V"
printf 'w1 w2\n\nw1 nosuch\n' | "$W2V" similarity "$V" --json >"$TMP/out" 2>/dev/null
check "similarity --json: an object, then null, null" sh -c \
    'sed -n 1p "$1" | grep -q "^{\"word1\": \"w1\", \"word2\": \"w2\", \"similarity\": " && [ "$(sed -n 2p "$1")" = null ] && [ "$(sed -n 3p "$1")" = null ]' sh "$TMP/out"
check "similarity VEC W1 W2 --json" sh -c '"$0" similarity "$1" w1 w2 --json | grep -q "\"similarity\""' "$W2V" "$V"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    printf 'w1\nEXIT\nw2\n' | timeout 20 script -qec "'$W2V' nearest '$V' -k 1" /dev/null >"$TMP/tty" 2>&1
    check "at a terminal: EXIT quits (exit 0)" [ $? -eq 0 ]
    check "... after a prompt" grep -q "nearest (EXIT or Ctrl-D quits)> " "$TMP/tty"
    check "... the answer repeats its query" grep -q "query: w1" "$TMP/tty"
    check "... nothing after EXIT is answered" sh -c '! grep -q "query: w2" "$1"' sh "$TMP/tty"
    printf 'w3 w2 w1\n' | timeout 20 script -qec "'$W2V' analogy '$V' -k 1" /dev/null >"$TMP/tty" 2>&1
    check "at a terminal: Ctrl-D (end of input) quits analogy, exit 0" [ $? -eq 0 ]
    check "... with its prompt and the repeated query" sh -c 'grep -q "analogy A B C (EXIT" "$1" && grep -q "query: w3 w2 w1" "$1"' sh "$TMP/tty"
else
    echo "e2e_safety.sh: SKIP terminal cases: no working script(1)"
fi
printf 'w1\nEXIT\n' | "$W2V" nearest "$V" -k 1 --json >"$TMP/out" 2>/dev/null
check "in a script EXIT is a query like any (2 records)" [ "$(lines "$TMP/out")" -eq 2 ]

# Progress: something while counting; whole lines when stderr is no terminal.
"$W2V" train "$C" -o "$TMP/p.bin" --threads 1 --epochs 2 --dim 8 --progress 2>"$TMP/err"
check "--progress to a file: no carriage returns" sh -c '! grep -q "$(printf "\r")" "$1"' sh "$TMP/err"
check "... every line a whole 'w2v: ' line" sh -c '[ "$(grep -vc "^w2v: " "$1")" -eq 0 ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d " ")" = "\\n" ]' sh "$TMP/err"
check "... says it is counting the words first" sh -c 'head -n 1 "$1" | grep -q "counting the words"' sh "$TMP/err"
check "... and shows the progress line" grep -q "100.0%  epoch 2/2" "$TMP/err"
"$W2V" train "$C" -o "$TMP/p.bin" --threads 1 --epochs 1 --dim 8 2>"$TMP/err"
check "without --progress and no terminal: no progress line" sh -c '! grep -q -e "epoch 1/1" -e counting "$1"' sh "$TMP/err"
summary
