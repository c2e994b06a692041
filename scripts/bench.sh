#!/usr/bin/env bash
# Every KPI of the original plan measured side by side in one run, on this machine:
#
#   ./scripts/bench.sh [--count 10000] [--skip LIST] [--no-doc]
#
# 1. builds the release binaries (`ghostchain`, `ghost`), the contract examples and the criterion
#    benches (not counted in the run's time);
# 2. on one release `ghostchain --dev` with GhostBridge: `ghost bench register` (--count names,
#    none may be lost, each checked over RPC and DNS), `ghost bench transfer`, `ghost bench
#    contract-call` on the counter example, registration latency end to end
#    (`scripts/register-latency.sh`) and DNS propagation (`scripts/dns-propagation.sh`);
# 3. DNS throughput and server CPU per answer against hickory-dns, NSD and Knot on a static zone
#    (`scripts/dns-bench.sh`);
# 4. criterion: block import on RocksDB (and in memory) vs ed25519-dalek batch verification
#    (`node/storage/benches/import.rs`), WASM token transfer vs native;
# 5. 1,000 registrations on a 4-validator testnet (`scripts/testnet.sh`, debug binaries, submitted
#    round robin to all four nodes);
# 6. ENS's gas for the same name operations on anvil (`scripts/ens-gas.sh`; needs npm), and the
#    resources behind each fee: ENS's transactions replayed in revm (exactly anvil's gas), their
#    execution time and storage slots, next to our register's CPU time and state written
#    (`runtime/ens-evm-compare`, its own workspace);
# 7. propagation on the 4-validator testnet (a registration through node 0 until every
#    validator's DNS answers it) and ENS sync latency on anvil (three `ens-oracle`s, a change on
#    ENS until `domain_resolve` and DNS show it): the e2e tests that measure them, debug build;
# 8. writes `$CARGO_TARGET_DIR/bench-report.json` (every figure, the machine, the commit) and
#    refreshes the table between the `bench.sh` markers at the top of `docs/PERFORMANCE.md`
#    (`--no-doc` leaves the doc alone).
#
# `--skip` takes a comma-separated list of `load,latency,dns,criterion,testnet,ens,propagation,enssync`
# to leave out (their rows then say "not run"). Loopback only; everything it starts is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
count=10000
skip=""
doc=1
while [ $# -gt 0 ]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --skip) skip="$2"; shift 2 ;;
        --no-doc) doc=0; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
runs() { [[ ",$skip," != *",$1,"* ]]; }

"$root/scripts/setup.sh"
command -v dig >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsutils >/dev/null; }

echo "== building (release)" >&2
cargo build --release -p ghostchain --bins
cargo build --release -p ghost-contract-fixtures
if runs ens; then
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/ens-evm-compare" \
        cargo build --release --manifest-path "$root/runtime/ens-evm-compare/Cargo.toml"
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/ens-evm-compare" \
        cargo test --release --no-run -q --manifest-path "$root/runtime/ens-evm-compare/Cargo.toml"
fi
if runs criterion; then
    cargo bench --no-run -p ghost-storage --bench import
    cargo bench --no-run -p ghost-contract-fixtures --bench token_vs_native
fi
bin="$CARGO_TARGET_DIR/release"
counter_wasm="$CARGO_TARGET_DIR/wasm-contracts/wasm32v1-none/release/ghost_example_counter.wasm"

out=$(mktemp -d)
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
started=$(date +%s)

if runs load || runs latency; then
    rpc_port=$(free_port); dns_port=$(free_port); grpc_port=$(free_port)
    "$bin/ghostchain" --dev --base-path "$out/dev" --no-prometheus --rpc-port "$rpc_port" \
        --dns-port "$dns_port" --grpc-port "$grpc_port" -l warn 2>"$out/node.log" &
    node_pid=$!
    for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done
    rpc="ws://127.0.0.1:$rpc_port"
    ghost() { "$bin/ghost" --rpc "$rpc" --timeout 300 "$@"; }
    if runs load; then
        echo "== ghost bench register --count $count" >&2
        ghost --json bench register --count "$count" --accounts 20 --concurrency 256 --records 3 \
            --dns "127.0.0.1:$dns_port" > "$out/register.json"
        echo "== ghost bench transfer --count $count" >&2
        ghost --json bench transfer --count "$count" --accounts 20 --concurrency 256 > "$out/transfer.json"
        echo "== ghost bench contract-call (counter.increment) --count $((count / 5))" >&2
        code_hash=$(ghost --json contract upload "$counter_wasm" --from //Alice \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["code_hash"])')
        counter=$(ghost --json contract instantiate "$code_hash" --from //Alice --value 1GHOST \
            --args '["u64:0"]' | python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
        ghost --json bench contract-call "$counter" --count "$((count / 5))" --accounts 20 \
            --concurrency 256 --method increment --args '["u64:1"]' > "$out/contract_call.json"
    fi
    if runs latency; then
        echo "== registration latency, DNS propagation" >&2
        "$root/scripts/register-latency.sh" --release --rpc "$rpc" --runs 50 --json "$out/latency.json"
        "$root/scripts/dns-propagation.sh" --release --rpc "$rpc" --dns-port "$dns_port" --runs 50 \
            --json "$out/propagation.json"
    fi
    kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
fi
if runs dns; then
    echo "== DNS throughput and CPU per answer vs hickory-dns, NSD, Knot" >&2
    # A server that fails is reported as failed in dns.json; the other steps still run.
    "$root/scripts/dns-bench.sh" --names 1000 --seconds 10 --json "$out/dns.json" \
        || echo "dns-bench: a server could not be measured (see above)" >&2
fi
if runs criterion; then
    echo "== criterion: block import, WASM vs native transfer" >&2
    cargo bench -p ghost-storage --bench import -- \
        'import/(memory_import|rocksdb_import|dalek_verify_batch|verify_batch)/1000' --warm-up-time 1 --measurement-time 3
    cargo bench -p ghost-contract-fixtures --bench token_vs_native -- '^transfer/' \
        --warm-up-time 1 --measurement-time 3
fi
if runs testnet; then
    echo "== 4-validator testnet: ghost bench register --count 1000 across all four nodes" >&2
    cargo build -p ghostchain --bins
    export GHOST_TESTNET_DIR="$out/testnet" GHOST_TESTNET_PORT="${GHOST_BENCH_TESTNET_PORT:-31400}"
    testnet_stop() { "$root/scripts/testnet.sh" stop >/dev/null 2>&1 || true; }
    trap 'testnet_stop; cleanup' EXIT
    endpoints=$("$root/scripts/testnet.sh" start 4)
    node_args=$(python3 -c 'import json,sys; print(" ".join("--node " + n["rpc"] for n in json.load(sys.stdin)))' <<<"$endpoints")
    first=$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rpc"])' <<<"$endpoints")
    # shellcheck disable=SC2086
    "$CARGO_TARGET_DIR/debug/ghost" --rpc "$first" --timeout 300 --json bench register --count 1000 \
        --accounts 8 --concurrency 64 --records 1 $node_args > "$out/testnet.json"
    testnet_stop
fi
if runs ens; then
    echo "== ENS gas on anvil" >&2
    "$root/scripts/ens-gas.sh" --json "$out/ens.json" --trace "$out/ens-trace.json"
    echo "== the resources behind the fees: ENS's transactions in revm vs our register" >&2
    # The replay's own tests first: it must reproduce anvil's gas and refuse what it cannot.
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/ens-evm-compare" \
        cargo test --release -q --manifest-path "$root/runtime/ens-evm-compare/Cargo.toml"
    "$CARGO_TARGET_DIR/ens-evm-compare/release/ens-evm-compare" --trace "$out/ens-trace.json" \
        --json "$out/ens-resources.json"
fi
if runs propagation; then
    echo "== propagation on the 4-validator testnet: registration -> every validator's DNS" >&2
    cargo build -p ghostchain --bins
    # The test starts its own testnet in a port range of its own.
    env -u GHOST_TESTNET_DIR -u GHOST_TESTNET_PORT cargo test -p ghost-e2e --test testnet -- \
        --ignored --nocapture propagation_and_sync_figures > "$out/testnet-propagation.log" 2>&1 \
        || { tail -20 "$out/testnet-propagation.log" >&2; echo "testnet propagation: failed" >&2; }
fi
if runs enssync; then
    echo "== ENS sync latency on anvil (3 ens-oracles, --dev)" >&2
    cargo build --workspace --bins
    ENS_E2E_SAMPLES=50 cargo test -p ghost-e2e --test ens_bridge ens_names_link -- --nocapture \
        > "$out/ens-sync.log" 2>&1 \
        || { tail -20 "$out/ens-sync.log" >&2; echo "ENS sync: failed" >&2; }
fi
elapsed=$(( $(date +%s) - started ))

report="$CARGO_TARGET_DIR/bench-report.json"
doc_arg=""
[ "$doc" = 1 ] && doc_arg="$root/docs/PERFORMANCE.md"
python3 "$root/scripts/bench-report.py" --dir "$out" --criterion "$CARGO_TARGET_DIR/criterion" \
    --elapsed "$elapsed" --commit "$(git -C "$root" rev-parse --short HEAD)" \
    --report "$report" ${doc_arg:+--doc "$doc_arg"}
echo "report: $report ($elapsed s excluding the build)" >&2
