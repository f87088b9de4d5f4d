#!/bin/sh
# Runs every C unit test binary and every shell end-to-end test, then prints
# the total as the last line: "N passed, N failed".
# Environment: W2V_BIN (the binary under test), W2V_TEST_BIN_DIR.
: "${W2V_BIN:?W2V_BIN not set}" "${W2V_TEST_BIN_DIR:?}"
export W2V_BIN
here=$(cd "$(dirname "$0")" && pwd)
total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() { # name, command...
    name=$1; shift
    "$@" >"$log" 2>&1
    status=$?
    cat "$log"
    line=$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$name: no summary (exit status $status)"
        total_fail=$((total_fail + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^([A-Za-z0-9_.-]+: )?([0-9]+) passed.*/\2/')
    f=$(echo "$line" | sed -E 's/^.* ([0-9]+) failed.*/\1/')
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: exit status $status"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

for t in "$W2V_TEST_BIN_DIR"/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.o|*.d) continue ;; esac
    run_one "$(basename "$t")" "$t"
done
for t in "$here"/e2e_*.sh; do
    [ -f "$t" ] || continue
    run_one "$(basename "$t")" sh "$t"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
