#!/usr/bin/env bash
# Fuzzes the session loader, and the text, Python and SVG exports, the comparison and the
# save-and-load round trip of every session that loads, with libFuzzer for a bounded time
# (default 60 s):
#   bash tools/fuzz.sh [SECONDS]
# Builds build-fuzz/ with clang, ASan and UBSan. A failing input is written to
# tests/fuzz/regressions/, where tst_session loads every file and fuzz_check runs the same checks
# on each test run: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

if ! command -v clang++ >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends clang
fi

CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFINSCOPE_FUZZ=ON -DFINSCOPE_BUILD_APP=OFF
cmake --build build-fuzz --target fuzz_session

corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp -n tests/fuzz/corpus/* tests/fuzz/regressions/* "$corpus"/ 2>/dev/null || true
cp -n resources/examples/*.json "$corpus"/ 2>/dev/null || true

ASAN_OPTIONS=detect_leaks=0 build-fuzz/tests/fuzz/fuzz_session "$corpus" \
    -dict=tests/fuzz/session.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix=tests/fuzz/regressions/ -print_final_stats=1
