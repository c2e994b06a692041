#!/usr/bin/env bash
# Measures DNS propagation: the time from submitting a record change (`ghost domain set-record
# --wait none`) until `dig` against GhostBridge returns the new value. Prints p50/p90/p99/max.
#
#   ./scripts/dns-propagation.sh [--rpc ws://127.0.0.1:9944] [--dns-port 5335] [--runs 50] [--release] [--json FILE]
#
# Without --rpc it starts its own `ghostchain --dev` on free loopback ports and stops it at the
# end. Against a testnet, point --rpc and --dns-port at any validator (the change is submitted
# there and observed through its bridge). Needs dig (dnsutils) and a built workspace.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
profile=debug
json=""
rpc=""
dns_port=""
runs=50
name="propagation.ghost"
while [ $# -gt 0 ]; do
    case "$1" in
        --rpc) rpc="$2"; shift 2 ;;
        --dns-port) dns_port="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --name) name="$2"; shift 2 ;;
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
    rpc_port=$(free_port); dns_port=$(free_port); grpc_port=$(free_port)
    "$bin/ghostchain" --dev --no-prometheus --rpc-port "$rpc_port" --dns-port "$dns_port" \
        --grpc-port "$grpc_port" -l warn 2>/dev/null &
    node_pid=$!
    rpc="ws://127.0.0.1:$rpc_port"
    for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done
fi
dns_port="${dns_port:-5335}"
ghost() { "$bin/ghost" --rpc "$rpc" "$@"; }

ghost domain register "$name" --from //Alice --record A=10.0.0.0 >/dev/null 2>&1 || true
samples=()
for i in $(seq 1 "$runs"); do
    ip="10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
    start=$(date +%s%N)
    ghost domain set-record "$name" A "$ip" --from //Alice --wait none >/dev/null
    until dig @127.0.0.1 -p "$dns_port" +short +time=1 +tries=1 "$name" A | grep -qx "$ip"; do
        now=$(date +%s%N)
        if [ $(( (now - start) / 1000000 )) -gt 10000 ]; then echo "run $i: not visible after 10 s" >&2; exit 1; fi
    done
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000 )))
    # Keep the record set small: remove the previous value.
    if [ "$i" -gt 1 ]; then
        prev="10.$(((i - 1) / 65536 % 256)).$(((i - 1) / 256 % 256)).$(((i - 1) % 256))"
        ghost domain remove-record "$name" A "$prev" --from //Alice --wait none >/dev/null 2>&1 || true
    fi
done
printf '%s\n' "${samples[@]}" | sort -n | JSON_OUT="$json" python3 -c '
import json, os, sys
v = [int(x) / 1000 for x in sys.stdin.read().split()]
q = lambda p: v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
print(f"DNS propagation over {len(v)} record changes (submit -> dig sees it): "
      f"p50 {q(50):.1f} ms, p90 {q(90):.1f} ms, p99 {q(99):.1f} ms, max {v[-1]:.1f} ms")
if os.environ["JSON_OUT"]:
    with open(os.environ["JSON_OUT"], "w") as f:
        json.dump({"runs": len(v), "p50_ms": q(50), "p90_ms": q(90), "p99_ms": q(99), "max_ms": v[-1]}, f)
'
