#!/usr/bin/env bash
# Database size per name, archive vs pruned: registers N names (with R records each) on a fresh
# `ghostchain --dev` once per pruning mode, stops the node, and prints the state column's keys
# and bytes (`ghostchain db-stats`) and the whole database on disk (`du`), per name.
#
#   ./scripts/state-size.sh [--names 5000] [--records 3] [--concurrency 4]
#                           [--sealing interval:100] [--modes "archive 256"] [--release]
#
# Blocks come from `--sealing` and how many registrations are in flight: with concurrency C a
# block holds about C registrations, so the run makes about N / C blocks. Needs the binaries
# built (`cargo build -p ghostchain --bins`, or `--release` with `cargo build --release`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
profile=debug
names=5000
records=3
concurrency=4
sealing=interval:100
modes="archive 256"
while [ $# -gt 0 ]; do
    case "$1" in
        --names) names="$2"; shift 2 ;;
        --records) records="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --sealing) sealing="$2"; shift 2 ;;
        --modes) modes="$2"; shift 2 ;;
        --release) profile=release; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bin="$CARGO_TARGET_DIR/$profile"
node_pid=""
work=$(mktemp -d)
cleanup() {
    [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

printf '%-8s %6s %7s %11s %13s %9s %13s %9s\n' mode names blocks state_keys state_bytes B/name disk_bytes B/name
for mode in $modes; do
    base="$work/$mode"
    rpc_port=$(free_port)
    "$bin/ghostchain" --dev --base-path "$base" --state-pruning "$mode" --sealing "$sealing" \
        --no-prometheus --no-bridge --rpc-port "$rpc_port" -l warn 2>"$work/$mode.log" &
    node_pid=$!
    for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done
    "$bin/ghost" --rpc "ws://127.0.0.1:$rpc_port" --json bench register --count "$names" \
        --accounts "$concurrency" --concurrency "$concurrency" --records "$records" \
        > "$work/$mode.bench.json"
    kill -INT "$node_pid"
    wait "$node_pid" || true
    node_pid=""
    "$bin/ghostchain" db-stats --chain dev --base-path "$base" --state-pruning "$mode" \
        > "$work/$mode.stats.json"
    disk=$(du -sb "$base/chains/dev/db" | cut -f1)
    python3 - "$mode" "$work/$mode.bench.json" "$work/$mode.stats.json" "$disk" <<'EOF'
import json, sys
mode, bench, stats, disk = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), int(sys.argv[4])
if bench["lost"]:
    sys.exit(f"{mode}: {bench['lost']} registrations lost")
n = bench["count"]
state = stats["columns"]["state"]
print(f"{mode:<8} {n:>6} {stats['best']:>7} {state['keys']:>11} {state['bytes']:>13} "
      f"{state['bytes'] / n:>9.0f} {disk:>13} {disk / n:>9.0f}")
EOF
done
