#!/usr/bin/env bash
# DNS throughput: dnsperf against GhostBridge (a release `ghostchain --dev` answering from chain
# state) next to the hickory-dns server answering the same names from a static zone file, same
# machine, same run, same query mix.
#
#   ./scripts/dns-bench.sh [--names 100] [--seconds 10] [--clients 4] [--json FILE]
#
# Installs what it lacks: dnsperf (apt) and hickory-dns 0.26.3 (cargo install, into
# ~/.cache/ghostchain/tools). Builds ghostchain in release. Loopback only; stops everything.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
names=100
seconds=10
clients=4
json=""
while [ $# -gt 0 ]; do
    case "$1" in
        --names) names="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --json) json="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v dnsperf >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsperf >/dev/null; }
tools="$HOME/.cache/ghostchain/tools"
if [ ! -x "$tools/bin/hickory-dns" ]; then
    cargo install --root "$tools" hickory-dns --version =0.26.3 --no-default-features --locked
fi
cargo build --release -p ghostchain --bins
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rpc_port=$(free_port); ghost_dns=$(free_port); grpc_port=$(free_port); hickory_port=$(free_port)
"$bin/ghostchain" --dev --no-prometheus --rpc-port "$rpc_port" --dns-port "$ghost_dns" --grpc-port "$grpc_port" -l warn 2>"$work/node.log" &
pids+=($!)
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done

# The same names in both servers: name-i.ghost A 10.0.x.y, submitted without waiting, then
# awaited once through DNS.
{
    echo '$ORIGIN ghost.'
    echo '@ 3600 IN SOA ns.ghost. hostmaster.ghost. 1 3600 600 604800 60'
    echo '@ 3600 IN NS ns.ghost.'
} > "$work/ghost.zone"
: > "$work/queries.txt"
for i in $(seq 1 "$names"); do
    ip="10.0.$((i / 256)).$((i % 256))"
    "$bin/ghost" --rpc "ws://127.0.0.1:$rpc_port" domain register "name-$i.ghost" --from //Alice \
        --record "A=$ip" --wait none >/dev/null
    echo "name-$i 300 IN A $ip" >> "$work/ghost.zone"
    echo "name-$i.ghost A" >> "$work/queries.txt"
done
until dig @127.0.0.1 -p "$ghost_dns" +short "name-$names.ghost" A | grep -q .; do sleep 0.2; done

cat > "$work/hickory.toml" <<TOML
listen_addrs_ipv4 = ["127.0.0.1"]
listen_port = $hickory_port
directory = "$work"
$( [ "$(id -u)" = 0 ] && printf 'user = "nobody"\ngroup = "%s"\n' "$(getent group nogroup >/dev/null && echo nogroup || echo nobody)" )

[[zones]]
zone = "ghost"
zone_type = "Primary"

[zones.stores]
type = "file"
zone_path = "ghost.zone"
TOML
"$tools/bin/hickory-dns" --config "$work/hickory.toml" >"$work/hickory.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    dig @127.0.0.1 -p "$hickory_port" +short +time=1 +tries=1 "name-1.ghost" A | grep -q . && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/hickory.log" >&2; exit 1; }
    sleep 0.2
done

run() {
    dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries.txt" -l "$seconds" -c "$clients" -T "$clients" -q 200 2>&1 \
        | awk '/Queries per second/ {print $4} /Average Latency/ {print $4}' | paste -sd' '
}
ghost_result=$(run "$ghost_dns")
hickory_result=$(run "$hickory_port")
ghost_qps=${ghost_result%% *}
hickory_qps=${hickory_result%% *}
echo "names: $names, $seconds s, $clients clients, $(nproc) cores"
echo "GhostBridge (chain state): ${ghost_qps} q/s, avg latency ${ghost_result##* } s"
echo "hickory-dns (zone file):   ${hickory_qps} q/s, avg latency ${hickory_result##* } s"
python3 -c "print(f'ratio GhostBridge / hickory-dns: {float(\"$ghost_qps\") / float(\"$hickory_qps\"):.2f}x')"
if [ -n "${json:-}" ]; then
    python3 -c "import json; json.dump({'names': $names, 'seconds': $seconds, 'clients': $clients, 'ghostbridge_qps': float('$ghost_qps'), 'hickory_qps': float('$hickory_qps')}, open('$json', 'w'))"
fi
