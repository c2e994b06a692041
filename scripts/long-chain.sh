#!/usr/bin/env bash
# A long pruned chain: grows a fresh dev chain block by block (`ghostchain seed-state
# --per-block 1`: one real registration, with one `A` record, per block) to N blocks under
# `--state-pruning W`, reading the database's columns after each segment, then starts
# `ghostchain --dev` on it and replays every block's name changes from height 0, over JSON-RPC
# (`ghost domain watch --from-height 0`) and over GhostBridge's gRPC SubscribeDomainChanges: the
# state column must stay bounded by the live names (not grow with the history), and each replay
# must still bring every registration. Needs Python `grpcio` and `grpcio-tools`
# (tests/python/requirements.txt).
#
#   ./scripts/long-chain.sh [--blocks "10000 50000 100000"] [--state-pruning 256] [--release]
#
# Needs the binaries built (`cargo build -p ghostchain --bins`, or `--release` with
# `cargo build --release -p ghostchain`). Binds 127.0.0.1 only; stops its node by itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
profile=debug
checkpoints="10000 50000 100000"
pruning=256
while [ $# -gt 0 ]; do
    case "$1" in
        --blocks) checkpoints="$2"; shift 2 ;;
        --state-pruning) pruning="$2"; shift 2 ;;
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
base="$work/chain"

printf '%8s %8s %10s %13s %12s %11s %13s %10s\n' \
    blocks names seed_s state_keys state_bytes state_B/nm journal_bytes disk_B/nm
done_names=0
segment=0
for target in $checkpoints; do
    count=$((target - done_names))
    [ "$count" -gt 0 ] || { echo "checkpoints must grow: $target" >&2; exit 2; }
    started=$(date +%s.%N)
    "$bin/ghostchain" seed-state --base-path "$base" --state-pruning "$pruning" --names "$count" \
        --records 1 --per-block 1 --prefix "long${segment}-" \
        > "$work/seed.$segment.json" 2>"$work/seed.$segment.log"
    seconds=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
    "$bin/ghostchain" db-stats --chain dev --base-path "$base" --state-pruning "$pruning" \
        > "$work/stats.$segment.json"
    done_names=$target
    disk=$(du -sb "$base/chains/dev/db" | cut -f1)
    python3 - "$work/stats.$segment.json" "$done_names" "$seconds" "$disk" <<'EOF'
import json, sys
stats, names, seconds, disk = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cols = stats["columns"]
state = cols["state"]
journal = cols.get("state_journal", {"bytes": 0})
print(f"{stats['best']:>8} {names:>8} {seconds:>10} {state['keys']:>13} {state['bytes']:>12} "
      f"{state['bytes'] / names:>11.0f} {journal['bytes']:>13} {disk / names:>10.0f}")
EOF
    segment=$((segment + 1))
done

# Every block's changes from height 0, through the node's RPC.
rpc_port=$(free_port)
grpc_port=$(free_port)
"$bin/ghostchain" --dev --base-path "$base" --state-pruning "$pruning" --no-prometheus \
    --rpc-port "$rpc_port" --grpc-port "$grpc_port" --dns-port "$(free_port)" -l warn \
    2>"$work/node.log" &
node_pid=$!
for _ in $(seq 1 600); do
    if "$bin/ghost" --rpc "ws://127.0.0.1:$rpc_port" chain info >/dev/null 2>&1; then break; fi
    sleep 0.1
done
best=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["best"])' "$work/seed.$((segment - 1)).json")
started=$(date +%s.%N)
# One notification per block with changes: every seeded block has its one registration.
"$bin/ghost" --rpc "ws://127.0.0.1:$rpc_port" --json domain watch --from-height 0 --count "$done_names" \
    > "$work/replay.jsonl"
python3 - "$work/replay.jsonl" "$done_names" "$started" "$best" <<'EOF'
import json, sys, time
path, names, started, best = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
seconds = time.time() - started
blocks, created, heights = 0, set(), []
for line in open(path):
    line = line.strip()
    if not line:
        continue
    note = json.loads(line)
    blocks += 1
    heights.append(note["blockHeight"])
    for change in note["changes"]:
        if change["changeType"] == "created":
            created.add(change["domain"])
ordered = all(b > a for a, b in zip(heights, heights[1:]))
print(f"replay from height 0: {blocks} blocks with changes (#{heights[0]}..#{heights[-1]}, best #{best}), "
      f"{len(created)} of {names} registrations, in height order: {ordered}, {seconds:.1f} s "
      f"({blocks / seconds:.0f} blocks/s)")
if len(created) != names or not ordered:
    sys.exit("the replay lost registrations or went out of order")
EOF

# The same from height 0 over GhostBridge's gRPC SubscribeDomainChanges (one event per change).
stubs=$("$root/tests/python/gen.sh" "$work/stubs")
PYTHONPATH="$stubs" python3 - "$grpc_port" "$done_names" <<'EOF'
import sys, time
import grpc
import ghostdns_pb2 as pb
import ghostdns_pb2_grpc as rpc
port, names = int(sys.argv[1]), int(sys.argv[2])
stub = rpc.GhostDNSServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
started = time.time()
stream = stub.SubscribeDomainChanges(pb.DomainSubscription(from_block_height=0), timeout=600)
created, last, ordered = set(), 0, True
for event in stream:
    ordered &= event.block_height >= last
    last = event.block_height
    if event.change_type == "created":
        created.add(event.domain)
    if len(created) == names:
        break
stream.cancel()
seconds = time.time() - started
print(f"gRPC replay from height 0: {len(created)} of {names} registrations up to #{last}, "
      f"in height order: {ordered}, {seconds:.1f} s")
if len(created) != names or not ordered:
    sys.exit("the gRPC replay lost registrations or went out of order")
EOF
kill -INT "$node_pid"
wait "$node_pid" || true
node_pid=""
