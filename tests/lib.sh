# lib.sh — helpers for the shell end-to-end tests. Source it, call the
# checks, end with `summary`. Uses $W2V_BIN (set by tests/run.sh).
W2V=${W2V_BIN:-./w2v}
PASSED=0
FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/w2v-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
    desc=$1; shift
    if "$@" >"$TMP/check.out"; then pass; else fail "$desc"; fi
}

# expect_error STATUS DESCRIPTION -- w2v ARGS...: w2v must exit with STATUS,
# print exactly one stderr line starting "w2v: ", and not die by a signal.
expect_error() {
    want=$1; desc=$2; shift 3
    "$W2V" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$got" -ne "$want" ]; then
        fail "$desc: exit $got, expected $want; stderr: $(head -c 300 "$TMP/err")"
    elif [ "$lines" -ne 1 ] || ! head -n 1 "$TMP/err" | grep -q '^w2v: '; then
        fail "$desc: stderr is not one 'w2v: ' line: $(head -c 300 "$TMP/err")"
    else
        pass
    fi
}

# random_model FILE SEED: a text model of 300 words "w0".."w299" with 8
# random dimensions in [-1, 1), the same for the same SEED.
random_model() {
    awk -v seed="$2" 'BEGIN { srand(seed); print 300, 8
        for (i = 0; i < 300; i++) {
            printf "w%d", i
            for (j = 0; j < 8; j++) printf " %.6f", rand() * 2 - 1
            printf "\n"
        } }' >"$1"
}

summary() {
    echo "$(basename "$0"): $PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
