#!/usr/bin/env bash
# A multi-validator GhostChain testnet on this machine (127.0.0.1 only).
#
#   ./scripts/testnet.sh start [N]     N validators (default 4; dev keys //Alice, //Bob, …), each
#                                      with JSON-RPC, GhostBridge gRPC + DNS and Prometheus; waits
#                                      until every node has finalized a block, then prints a JSON
#                                      array of endpoints
#   ./scripts/testnet.sh status        best / finalized / peers of each node
#   ./scripts/testnet.sh logs I        node I's log
#   ./scripts/testnet.sh add-full-node a non-validator that syncs from the others (prints it)
#   ./scripts/testnet.sh add-warp-node the same with `--sync warp`: it takes the others' latest
#                                      finalized block, proven from genesis, and its state
#   ./scripts/testnet.sh add-validator a node with the next dev key (//Dave after 3 validators),
#                                      not in the set: it follows the chain, and authors and
#                                      votes once `ghost validators add` put it in (prints it)
#   ./scripts/testnet.sh restart I     starts node I again on its base path (after it stopped)
#   ./scripts/testnet.sh lag [S]       samples each node's best - finalized for S s (default 30)
#                                      and prints the finality lag's p50 / p99 in blocks
#   ./scripts/testnet.sh stop          stops exactly the processes `start` started
#
# Node i listens on ports BASE + 10 i + {0 p2p, 1 JSON-RPC, 2 Prometheus, 3 gRPC, 4 DNS}
# (BASE = $GHOST_TESTNET_PORT, default 30400, below Linux's ephemeral ports); state lives in
# $GHOST_TESTNET_DIR (default ~/.cache/ghostchain/testnet), one base path per node. The chain
# spec is `local` with the N validators, written to $GHOST_TESTNET_DIR/spec.json (see
# docs/TESTNET.md to run it across machines); $GHOST_TESTNET_SESSION sets its session length in
# blocks (default 20) and $GHOST_TESTNET_SLOT_MS its slot duration (default 500). Uses the
# binaries `./scripts/test.sh` builds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
dir="${GHOST_TESTNET_DIR:-$HOME/.cache/ghostchain/testnet}"
base="${GHOST_TESTNET_PORT:-30400}"
bin="$CARGO_TARGET_DIR/debug/ghostchain"
names=(Alice Bob Charlie Dave Eve Ferdie Grace Heidi Ivan Judy)

port() { echo $((base + 10 * $1 + $2)); }
node_key() { printf '%064x' $(($1 + 1)); }

rpc() { # rpc PORT METHOD [PARAMS-JSON]
    python3 - "$1" "$2" "${3:-[]}" <<'EOF'
import json, sys, urllib.request
port, method, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        print(json.dumps(json.load(r).get("result")))
except Exception:
    print("null")
EOF
}

height() { # height RPC-PORT best|finalized
    local at="[]"
    if [ "$2" = finalized ]; then
        at="[$(rpc "$1" chain_getFinalizedHead)]"
    fi
    rpc "$1" chain_getHeader "$at" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(int(h["number"], 16) if h and isinstance(h["number"], str) else (h or {}).get("number", -1))'
}

ensure_binary() {
    if [ ! -x "$bin" ] || [ ! -x "$(dirname "$bin")/ghost" ]; then
        echo "building ghostchain (first run)" >&2
        "$root/scripts/setup.sh" >&2
        (cd "$root" && cargo build -p ghostchain --bins >&2)
    fi
}

launch() { # launch I validator|full: starts node I, records its pid on line I+1 of pids
    local i=$1 role=$2 p2p_flags=()
    echo "$role" >"$dir/node$i.role"
    local peer0
    peer0=$("$bin" key inspect-node-key "$(node_key 0)")
    if [ "$i" -gt 0 ]; then
        p2p_flags=(--bootnodes "/ip4/127.0.0.1/tcp/$(port 0 0)/p2p/$peer0")
    fi
    local key_flags=()
    if [ "$role" = validator ]; then
        key_flags=(--validator --key "//${names[$i]}")
    elif [ "$role" = warp ]; then
        key_flags=(--sync warp)
    fi
    "$bin" --chain "$dir/spec.json" --base-path "$dir/node$i" --name "node$i" \
        "${key_flags[@]}" --node-key "$(node_key "$i")" --port "$(port "$i" 0)" \
        --rpc-port "$(port "$i" 1)" --prometheus-port "$(port "$i" 2)" \
        --grpc-port "$(port "$i" 3)" --dns-port "$(port "$i" 4)" \
        "${p2p_flags[@]}" >>"$dir/node$i.log" 2>&1 &
    local pid=$!
    touch "$dir/pids"
    python3 - "$dir/pids" "$i" "$pid" <<'EOF'
import sys
path, i, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(path).read().split()
while len(lines) <= i:
    lines.append("0")
lines[i] = pid
open(path, "w").write("\n".join(lines) + "\n")
EOF
}

endpoint() { # endpoint I PID
    local i=$1 peer
    peer=$("$bin" key inspect-node-key "$(node_key "$i")")
    printf '{"name": "node%s", "rpc": "ws://127.0.0.1:%s", "p2p": "/ip4/127.0.0.1/tcp/%s/p2p/%s", "grpc": "127.0.0.1:%s", "dns": "127.0.0.1:%s", "metrics": "http://127.0.0.1:%s/metrics", "base_path": "%s", "pid": %s}' \
        "$i" "$(port "$i" 1)" "$(port "$i" 0)" "$peer" "$(port "$i" 3)" "$(port "$i" 4)" \
        "$(port "$i" 2)" "$dir/node$i" "$2"
}

print_endpoints() {
    local i=0 first=1
    printf '['
    while read -r pid; do
        [ $first -eq 1 ] || printf ', '
        first=0
        endpoint "$i" "$pid"
        i=$((i + 1))
    done <"$dir/pids"
    printf ']\n'
}

wait_finalized() { # wait_finalized COUNT TIMEOUT-S
    local deadline=$((SECONDS + $2)) i done
    while [ $SECONDS -lt $deadline ]; do
        done=0
        for ((i = 0; i < $1; i++)); do
            if [ "$(height "$(port "$i" 1)" finalized)" -ge 1 ] 2>/dev/null; then
                done=$((done + 1))
            fi
        done
        [ "$done" -eq "$1" ] && return 0
        sleep 1
    done
    echo "testnet: not every node finalized within $2 s; see $dir/node*.log" >&2
    return 1
}

cmd="${1:-}"
case "$cmd" in
start)
    n="${2:-4}"
    if [ "$n" -lt 1 ] || [ "$n" -gt ${#names[@]} ]; then
        echo "testnet: N must be 1..${#names[@]}" >&2
        exit 2
    fi
    if [ -s "$dir/pids" ]; then
        echo "testnet: already running (pids in $dir/pids); run '$0 stop' first" >&2
        exit 1
    fi
    ensure_binary
    rm -rf "$dir"
    mkdir -p "$dir"
    validators=()
    for ((i = 0; i < n; i++)); do
        validators+=("$("$bin" key inspect "//${names[$i]}" | awk '/^Address:/ {print $2}')")
    done
    "$bin" build-spec --chain local | python3 -c '
import json, sys
spec = json.load(sys.stdin)
spec["name"], spec["id"] = "GhostChain Testnet", "testnet"
spec["genesis"]["validators"]["validators"] = sys.argv[3:]
spec["genesis"]["validators"]["sessionLength"] = int(sys.argv[1])
spec["consensus"]["slotDurationMs"] = int(sys.argv[2])
print(json.dumps(spec, indent=2))' "${GHOST_TESTNET_SESSION:-20}" "${GHOST_TESTNET_SLOT_MS:-500}" \
        "${validators[@]}" >"$dir/spec.json"
    for ((i = 0; i < n; i++)); do
        launch "$i" validator
    done
    wait_finalized "$n" 120
    print_endpoints
    ;;
status)
    [ -s "$dir/pids" ] || { echo "testnet: not running" >&2; exit 1; }
    i=0
    while read -r pid; do
        r=$(port "$i" 1)
        peers=$(rpc "$r" system_health | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["peers"] if h else "down")')
        echo "node$i (pid $pid): best #$(height "$r" best) finalized #$(height "$r" finalized) peers $peers"
        i=$((i + 1))
    done <"$dir/pids"
    ;;
logs)
    cat "$dir/node${2:?usage: $0 logs I}.log"
    ;;
restart)
    i="${2:?usage: $0 restart I}"
    pid=$(sed -n "$((i + 1))p" "$dir/pids")
    if kill -0 "$pid" 2>/dev/null; then
        echo "testnet: node$i (pid $pid) is still running" >&2
        exit 1
    fi
    launch "$i" "$(cat "$dir/node$i.role")"
    endpoint "$i" "$(sed -n "$((i + 1))p" "$dir/pids")"
    echo
    ;;
lag)
    [ -s "$dir/pids" ] || { echo "testnet: not running" >&2; exit 1; }
    ports=()
    for ((i = 0; i < $(wc -l <"$dir/pids"); i++)); do ports+=("$(port "$i" 1)"); done
    python3 - "${2:-30}" "${ports[@]}" <<'EOF'
import json, sys, time, urllib.request
seconds, ports = float(sys.argv[1]), sys.argv[2:]
def call(port, method, params=()):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)["result"]
def number(header):
    n = header["number"]
    return int(n, 16) if isinstance(n, str) else n
lags, end = [], time.time() + seconds
while time.time() < end:
    for port in ports:
        try:
            best = number(call(port, "chain_getHeader"))
            final = number(call(port, "chain_getHeader", [call(port, "chain_getFinalizedHead")]))
            lags.append(best - final)
        except Exception:
            pass
    time.sleep(0.25)
lags.sort()
pick = lambda p: lags[min(len(lags) - 1, int(len(lags) * p))] if lags else None
print(json.dumps({"samples": len(lags), "lag_blocks_p50": pick(0.5), "lag_blocks_p99": pick(0.99), "lag_blocks_max": lags[-1] if lags else None}))
EOF
    ;;
add-full-node | add-warp-node | add-validator)
    [ -s "$dir/pids" ] || { echo "testnet: not running" >&2; exit 1; }
    i=$(wc -l <"$dir/pids")
    if [ "$cmd" = add-validator ]; then
        [ "$i" -lt ${#names[@]} ] || { echo "testnet: no dev key left for node$i" >&2; exit 1; }
        launch "$i" validator
    elif [ "$cmd" = add-warp-node ]; then
        launch "$i" warp
    else
        launch "$i" full
    fi
    pid=$(tail -n 1 "$dir/pids")
    endpoint "$i" "$pid"
    echo
    ;;
stop)
    [ -f "$dir/pids" ] || exit 0
    while read -r pid; do
        [ "$pid" -gt 1 ] 2>/dev/null || continue
        kill "$pid" 2>/dev/null || true
    done <"$dir/pids"
    while read -r pid; do
        [ "$pid" -gt 1 ] 2>/dev/null || continue
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done <"$dir/pids"
    rm -f "$dir/pids"
    ;;
*)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
    ;;
esac
