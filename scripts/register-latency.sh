#!/usr/bin/env bash
# End-to-end registration latency: wall time of `ghost domain register NAME --record A=...`
# (sign, submit, wait until the name is in a block and resolvable), N times. Prints p50/p90/p99.
#
#   ./scripts/register-latency.sh [--rpc ws://127.0.0.1:9944] [--runs 50] [--release] [--json FILE]
#
# --json FILE also writes the percentiles (ms) as one JSON document.
#
# Without --rpc it starts its own `ghostchain --dev` on free loopback ports and stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
profile=debug
rpc=""
runs=50
json=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rpc) rpc="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --release) profile=release; shift ;;
        --json) json="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bin="$CARGO_TARGET_DIR/$profile"
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "$rpc" ]; then
    rpc_port=$(free_port)
    "$bin/ghostchain" --dev --no-prometheus --no-bridge --rpc-port "$rpc_port" -l warn 2>/dev/null &
    node_pid=$!
    rpc="ws://127.0.0.1:$rpc_port"
    for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done
fi
tag=$(date +%s)
for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$bin/ghost" --rpc "$rpc" domain register "lat-$tag-$i.ghost" --from //Alice --record "A=10.1.0.$((i % 256))" >/dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
done | sort -n | JSON_OUT="$json" python3 -c '
import json, os, sys
v = [int(x) / 1000 for x in sys.stdin.read().split()]
q = lambda p: v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
print(f"registration end to end over {len(v)} names (ghost domain register, in block): "
      f"p50 {q(50):.1f} ms, p90 {q(90):.1f} ms, p99 {q(99):.1f} ms, max {v[-1]:.1f} ms")
if os.environ["JSON_OUT"]:
    with open(os.environ["JSON_OUT"], "w") as f:
        json.dump({"runs": len(v), "p50_ms": q(50), "p90_ms": q(90), "p99_ms": q(99), "max_ms": v[-1]}, f)
'
