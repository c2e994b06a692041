#!/usr/bin/env bash
# Full sync from peers next to local import of the same blocks (issue #12's sync target: sync
# at >= 0.8x the local import rate).
#
#   ./scripts/sync-bench.sh [TRANSFERS]     (default 100000)
#
# Starts a one-validator chain on 127.0.0.1 (the `local` spec with //Alice, Aura + GRANDPA over
# libp2p, $GHOST_SYNC_BENCH_SLOT_MS slots, default 200) with two full nodes following it, fills
# it with TRANSFERS balance transfers (`ghost bench transfer`), then times a new full node from
# process start until its best block reaches the chain's height: it downloads from the three
# peers in parallel (range sync) and imports through the consensus import queue. Then it stops
# the chain, writes the validator's blocks to a file (`ghostchain export-blocks`) and times
# `ghostchain import-blocks` of that file into an empty base path: the same blocks, the same
# checks (seal, re-execution, justifications), no network. Prints one JSON document.
# GHOST_SYNC_BENCH_RATE=R paces the transfers at R a second (`ghost bench --rate`), so blocks
# carry about R x slot transfers each: 500 with 200 ms slots gives the 1,000 blocks x 100
# transfers shape of the target. Unset, they go as fast as the chain takes them.
# GHOST_SYNC_BENCH_KEEP=1 keeps the work directory (logs, block file).
# Ports $GHOST_SYNC_BENCH_PORT (default 31400) + 10 i + 0..4; everything it started is stopped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
count="${1:-100000}"
bin="$CARGO_TARGET_DIR/debug"
work="$(mktemp -d "${TMPDIR:-/tmp}/ghost-sync-bench.XXXXXX")"
export GHOST_TESTNET_DIR="$work/net"
export GHOST_TESTNET_PORT="${GHOST_SYNC_BENCH_PORT:-31400}"
export GHOST_TESTNET_SLOT_MS="${GHOST_SYNC_BENCH_SLOT_MS:-200}"
testnet="$root/scripts/testnet.sh"
cleanup() {
    "$testnet" stop >/dev/null 2>&1 || true
    if [ -n "${GHOST_SYNC_BENCH_KEEP:-}" ]; then
        echo "sync-bench [$(date +%T)]: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

best() { # best NODE-INDEX: the node's best block number (-1 when it does not answer)
    python3 - "$((GHOST_TESTNET_PORT + 10 * $1 + 1))" <<'PY'
import json, sys, urllib.request
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "chain_getHeader", "params": []}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}", body, {"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        n = json.load(r)["result"]["number"]
        print(int(n, 16) if isinstance(n, str) else n)
except Exception:
    print(-1)
PY
}

echo "sync-bench [$(date +%T)]: one validator and two full nodes in $work" >&2
"$testnet" start 1 >/dev/null
"$testnet" add-full-node >/dev/null
"$testnet" add-full-node >/dev/null
echo "sync-bench [$(date +%T)]: $count transfers" >&2
"$bin/ghost" --rpc "ws://127.0.0.1:$((GHOST_TESTNET_PORT + 1))" --json bench transfer \
    --count "$count" --accounts 200 --concurrency 256 \
    ${GHOST_SYNC_BENCH_RATE:+--rate "$GHOST_SYNC_BENCH_RATE"} >"$work/load.json"
target="$(best 0)"
for peer in 1 2; do
    until [ "$(best "$peer")" -ge "$target" ]; do sleep 0.5; done
done

echo "sync-bench [$(date +%T)]: a new full node syncs #$target from three peers" >&2
started=$(date +%s.%N)
"$testnet" add-full-node >/dev/null
# The new node's best every ~0.1 s (time, height): its timeline shows start-up, the steady
# rate and any stall.
while :; do
    now_best="$(best 3)"
    echo "$(date +%s.%N) $now_best" >>"$work/sync-timeline.txt"
    [ "$now_best" -ge "$target" ] && break
    sleep 0.1
done
synced=$(date +%s.%N)
"$testnet" stop >/dev/null

echo "sync-bench [$(date +%T)]: the same blocks imported from a file" >&2
"$bin/ghostchain" export-blocks --chain "$work/net/spec.json" --base-path "$work/net/node0" \
    --to "$target" "$work/blocks.bin" 2>"$work/export.json" \
    || { cat "$work/export.json" >&2; exit 1; }
"$bin/ghostchain" import-blocks --chain "$work/net/spec.json" --base-path "$work/import" \
    "$work/blocks.bin" 2>"$work/import.log" >"$work/import.json" \
    || { cat "$work/import.log" >&2; exit 1; }

python3 - "$work" "$started" "$synced" "$target" <<'PY'
import json, sys
work, started, synced, target = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
load = json.load(open(f"{work}/load.json"))
exported = json.loads(open(f"{work}/export.json").read().strip().splitlines()[-1])
imported = json.load(open(f"{work}/import.json"))
sync_s = synced - started
sync_bps = target / sync_s
timeline = [(float(t) - started, float(b)) for t, b in
            (l.split() for l in open(f"{work}/sync-timeline.txt") if l.strip())]
first = next((t for t, b in timeline if b >= 1), sync_s)
stall = max((b2[0] - b1[0] for b1, b2 in zip(timeline, timeline[1:]) if b2[1] <= b1[1]), default=0.0)
import_bps = imported["blocks"] / imported["seconds"]
print(json.dumps({
    "blocks": target,
    "extrinsics": exported["extrinsics"],
    "transfers_per_block": round(exported["extrinsics"] / max(target, 1), 1),
    "load": {k: load.get(k) for k in ("count", "lost", "throughput")},
    "sync": {"seconds": round(sync_s, 2), "blocks_per_s": round(sync_bps, 1),
             "tx_per_s": round(exported["extrinsics"] / sync_s, 1), "peers": 3,
             "first_block_after_s": round(first, 2),
             "blocks_per_s_after_first": round(target / max(sync_s - first, 1e-9), 1),
             "longest_poll_without_progress_s": round(stall, 2)},
    "import": {"seconds": round(imported["seconds"], 2), "blocks_per_s": round(import_bps, 1),
               "tx_per_s": round(imported["extrinsics"] / imported["seconds"], 1)},
    "ratio": round(sync_bps / import_bps, 3),
}, indent=2))
PY
