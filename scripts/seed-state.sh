#!/usr/bin/env bash
# State growth: seeds a fresh dev chain to N names (`ghostchain seed-state`: real registrations
# with R `A` records each, authored into blocks without RPC), then measures what a node on that
# state costs: the seeding's block time per registration at that size, the database (state
# column and whole directory, per name), and a `ghostchain --dev` node started on it (seconds
# until its DNS answers, resident memory, DNS answer latency for random names). One row per N.
#
#   ./scripts/seed-state.sh [--names "1000 10000 100000"] [--records 3] [--state-pruning 256]
#                           [--queries 500] [--release]
#
# Needs the binaries built (`cargo build -p ghostchain --bins`, or `--release` with
# `cargo build --release -p ghostchain`). Binds 127.0.0.1 only; stops its node by itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
profile=debug
sizes="1000 10000 100000"
records=3
pruning=256
queries=500
while [ $# -gt 0 ]; do
    case "$1" in
        --names) sizes="$2"; shift 2 ;;
        --records) records="$2"; shift 2 ;;
        --state-pruning) pruning="$2"; shift 2 ;;
        --queries) queries="$2"; shift 2 ;;
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

printf '%8s %7s %13s %13s %9s %13s %9s %9s %9s %9s %9s\n' \
    names blocks us/reg_block state_keys state_B/nm disk_bytes disk_B/nm ready_s rss_MB dns_p50ms dns_p99ms
for n in $sizes; do
    base="$work/$n"
    "$bin/ghostchain" seed-state --base-path "$base" --state-pruning "$pruning" --names "$n" \
        --records "$records" > "$work/$n.seed.json" 2>"$work/$n.seed.log"
    "$bin/ghostchain" db-stats --chain dev --base-path "$base" --state-pruning "$pruning" \
        > "$work/$n.stats.json"
    disk=$(du -sb "$base/chains/dev/db" | cut -f1)
    rpc_port=$(free_port)
    dns_port=$(free_port)
    grpc_port=$(free_port)
    started=$(date +%s.%N)
    "$bin/ghostchain" --dev --base-path "$base" --state-pruning "$pruning" --no-prometheus \
        --rpc-port "$rpc_port" --grpc-port "$grpc_port" --dns-port "$dns_port" -l warn 2>"$work/$n.node.log" &
    node_pid=$!
    python3 - "$n" "$records" "$queries" "$dns_port" "$node_pid" "$started" \
        "$work/$n.seed.json" "$work/$n.stats.json" "$disk" <<'EOF'
import json, random, socket, struct, sys, time
n, records, queries, port, pid = (int(a) for a in sys.argv[1:6])
started = float(sys.argv[6])
seed, stats, disk = json.load(open(sys.argv[7])), json.load(open(sys.argv[8])), int(sys.argv[9])

def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", 1, 1)

def ask(sock, name, qid):
    sock.send(query(name, qid))
    while True:
        reply = sock.recv(4096)
        if reply[:2] == struct.pack(">H", qid):
            answers = struct.unpack(">H", reply[6:8])[0]
            return (reply[3] & 0x0F), answers

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
sock.settimeout(0.5)
probe = f"seed{n - 1}.ghost"
deadline = time.time() + 600
while True:
    try:
        if ask(sock, probe, 1) == (0, records):
            break
    except (socket.timeout, ConnectionRefusedError, OSError):
        pass
    if time.time() > deadline:
        sys.exit(f"{n}: the node's DNS never answered {probe}")
    time.sleep(0.1)
ready = time.time() - started
rss_kb = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS"))
random.seed(n)
latencies = []
for i in range(queries):
    name = f"seed{random.randrange(n)}.ghost"
    t = time.perf_counter()
    rcode, answers = ask(sock, name, (i + 2) & 0xFFFF)
    latencies.append((time.perf_counter() - t) * 1e3)
    if rcode != 0 or answers != records:
        sys.exit(f"{name}: rcode {rcode}, {answers} answers, expected {records}")
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, len(latencies) * p // 100)]
state = stats["columns"]["state"]
last = seed["samples"][-1]
print(f"{n:>8} {stats['best']:>7} {last['per_registration_us']:>13.1f} {state['keys']:>13} "
      f"{state['bytes'] / n:>9.0f} {disk:>13} {disk / n:>9.0f} {ready:>9.1f} {rss_kb / 1024:>9.1f} "
      f"{pct(50):>9.3f} {pct(99):>9.3f}")
EOF
    kill -INT "$node_pid"
    wait "$node_pid" || true
    node_pid=""
done
