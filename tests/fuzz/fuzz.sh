#!/bin/sh
# fuzz.sh — helper for `make fuzz` (see README.md in this directory).
#   fuzz.sh probe CC                       check that CC can link a libFuzzer target
#   fuzz.sh run BUILD SECONDS ARGS NAME... run each BUILD/fuzz_NAME for SECONDS
# A run keeps new inputs in BUILD/corpus/NAME (the committed seeds stay
# read-only) and crashes in BUILD/artifacts/; it installs nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)

probe() {
    cc=$1
    dir=$(mktemp -d "${TMPDIR:-/tmp}/w2v-fuzz-probe.XXXXXX") || exit 1
    cat >"$dir/probe.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; return (int)(size & 0); }
C
    if ! "$cc" -fsanitize=fuzzer,address,undefined "$dir/probe.c" -o "$dir/probe" 2>"$dir/err"; then
        echo "make fuzz: '$cc' cannot build a libFuzzer target:" >&2
        sed 's/^/  /' "$dir/err" | head -n 5 >&2
        echo "make fuzz: install clang and its fuzzer runtime (Debian: clang libclang-rt-dev," >&2
        echo "  or clang-14 libclang-rt-14-dev), or pick a compiler with FUZZ_CC=..." >&2
        rm -rf "$dir"
        exit 1
    fi
    rm -rf "$dir"
}

run() {
    build=$1 seconds=$2 args=$3
    shift 3
    mkdir -p "$build/artifacts"
    status=0
    summary=""
    for name in "$@"; do
        mkdir -p "$build/corpus/$name"
        dirs="$build/corpus/$name $here/corpus/$name"
        [ -d "$here/regressions/$name" ] && dirs="$dirs $here/regressions/$name"
        log="$build/fuzz_$name.log"
        echo "== fuzz_$name for ${seconds}s (log: $log)"
        extra=""
        # The option parser prints usage errors by design: silence its
        # stdout/stderr (libFuzzer still reports crashes).
        [ "$name" = cli ] && extra="-close_fd_mask=3"
        # Per-harness libFuzzer options (e.g. -max_len), one line.
        [ -f "$here/fuzz_$name.options" ] && extra="$extra $(cat "$here/fuzz_$name.options")"
        # A small quarantine: inputs are small and their frees many; the
        # default 256 MB keeps faulting in fresh pages (a third of the time).
        # shellcheck disable=SC2086
        ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16} \
        "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 $extra $args \
            $dirs >"$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        if [ "$rc" -eq 0 ]; then
            line="fuzz_$name: ok, ${execs:-?} executions"
        else
            line="fuzz_$name: FAILED (exit $rc), ${execs:-?} executions; see $log and $build/artifacts/"
            tail -n 30 "$log"
            status=1
        fi
        echo "$line"
        summary="$summary$line
"
    done
    printf '== summary\n%s' "$summary"
    exit $status
}

case "${1:-}" in
probe) probe "$2" ;;
run) shift; run "$@" ;;
*) echo "usage: $0 probe CC | run BUILD SECONDS ARGS NAME..." >&2; exit 2 ;;
esac
