#!/usr/bin/env bash
# Loopback throughput of finscope-cli while recording, against socat (and iperf3 when installed)
# moving the same number of bytes in the same run. A benchmark, not a test: it prints figures.
#
#   tests/bench/throughput.sh [path/to/finscope-cli] [SIZE]      SIZE like 4G (default), 512M
set -euo pipefail

cli=${1:-build/src/cli/finscope-cli}
size=${2:-4G}
[ -x "$cli" ] || { echo "no finscope-cli at $cli (build first: bash tools/build.sh)" >&2; exit 2; }
bytes=$(numfmt --from=iec "$size")
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }
rows=()
row() { # name seconds
    local mibs
    mibs=$(echo "$bytes / 1048576 / $2" | bc -l)
    rows+=("$(printf '%-44s %8.2f s %9.0f MiB/s' "$1" "$2" "$mibs")")
    eval "rate_${3}=$mibs"
}

wait_listen() { # port
    for _ in $(seq 1 100); do
        ss -ltn "sport = :$1" | grep -q LISTEN && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}

# 1. finscope-cli on both ends, recording every event (and payload up to the 16 MiB cap) in
#    memory; once with --save, where the time also includes writing both session files.
finscope_run() { # label key [--save]
    local save=("${@:3}")
    "$cli" server 127.0.0.1:0 discard close --quiet --timeout 600 ${save:+--save "$work/server.json"} \
        > "$work/server.out" &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q '^listening on' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
    local port
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.out")
    local start end
    start=$(now)
    "$cli" client "127.0.0.1:$port" "send-pattern $size" "shutdown wr" read-until-eof close \
        --quiet --timeout 600 ${save:+--save "$work/client.json"}
    wait "${pids[-1]}"
    end=$(now)
    row "$1" "$(echo "$end - $start" | bc -l)" "$2"
}
finscope_run "finscope-cli, recording" finscope
finscope_run "finscope-cli, recording + saving both sessions" finscopesave --save
events=$(python3 -c 'import json,sys; print(sum(len(json.load(open(f))["events"]) for f in sys.argv[1:]))' \
    "$work/client.json" "$work/server.json")
rows+=("  (the two sessions hold $events events)")

# 2. socat on both ends, default 8 KiB buffer and a 256 KiB buffer like FinScope's.
if command -v socat >/dev/null; then
    for buf in 8192 262144; do
        port=$(free_port)
        socat -u -b "$buf" "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" OPEN:/dev/null &
        pids+=($!)
        wait_listen "$port"
        start=$(now)
        socat -u -b "$buf" "OPEN:/dev/zero,readbytes=$bytes" "TCP:127.0.0.1:$port"
        wait "${pids[-1]}"
        end=$(now)
        row "socat -b $buf (no recording)" "$(echo "$end - $start" | bc -l)" "socat$buf"
    done
else
    echo "socat is not installed: apt-get install socat" >&2
fi

# 3. iperf3, where installed: the kernel's loopback ceiling for one stream.
if command -v iperf3 >/dev/null; then
    port=$(free_port)
    iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null &
    pids+=($!)
    wait_listen "$port"
    start=$(now)
    iperf3 -c 127.0.0.1 -p "$port" -n "$bytes" >/dev/null
    end=$(now)
    wait "${pids[-1]}" || true
    row "iperf3 (no recording)" "$(echo "$end - $start" | bc -l)" iperf3
fi

echo "loopback, $size ($bytes bytes), $(nproc) cores, $(uname -r)"
printf '%s\n' "${rows[@]}"
if [ -n "${rate_socat8192:-}" ]; then
    printf 'finscope-cli recording / socat: %.2f (socat default buffer), %.2f (socat -b 262144)\n' \
        "$(echo "$rate_finscope / $rate_socat8192" | bc -l)" "$(echo "$rate_finscope / $rate_socat262144" | bc -l)"
fi
