#!/bin/sh
# End-to-end checks of the command table, help and usage errors.
. "$(dirname "$0")/lib.sh"

check "w2v with no arguments lists commands" sh -c '"$0" | grep -q "^  train"' "$W2V"
check "w2v help lists commands" sh -c '"$0" help | grep -q "nearest"' "$W2V"
check "w2v --help exits 0" "$W2V" --help
check "w2v --version prints the version" sh -c '"$0" --version | grep -q "^w2v [0-9]"' "$W2V"
for cmd in train nearest analogy similarity convert eval-analogy eval-similarity; do
    check "w2v $cmd --help prints usage to stdout" sh -c '"$0" "$1" --help | grep -q "^usage: w2v $1"' "$W2V" "$cmd"
done
expect_error 2 "unknown command" -- nosuchcommand
expect_error 2 "help for an unknown command" -- help nosuchcommand
summary
