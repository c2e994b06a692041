#!/usr/bin/env bash
# Measures how much gas ENS spends to register a name and set 3 records, on a local anvil
# chain with the real ENS contracts deployed from their npm build artifacts.
#
#   ./scripts/ens-gas.sh [--json FILE] [--trace FILE]
#
# --trace also writes every transaction it sent, in order, with its block and receipt, for
# `runtime/ens-evm-compare` to replay in revm (docs/PERFORMANCE.md, "Fees").
#
# Needs Node.js >= 20 and npm (npm registry only). Installs pinned packages into a cache dir
# (ENS_GAS_CACHE, default ~/.cache/ghostchain-ens-gas), starts anvil on 127.0.0.1 at a free
# port, runs scripts/ens-gas.mjs against it, and stops anvil on exit. Results: docs/ens-gas.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

json=""
trace=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) json="$(realpath -m "$2")"; shift 2 ;;
    --trace) trace="$(realpath -m "$2")"; shift 2 ;;
    -h|--help) sed -n 2,12p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Pinned versions (the ones docs/ens-gas.md reports).
ANVIL_PKG="@foundry-rs/anvil-linux-amd64@1.7.1"
ENS_PKG="@ensdomains/ens@0.6.2"
RESOLVER_PKG="@ensdomains/resolver@0.3.1"
ETHERS_PKG="ethers@6.17.0"
# ETHRegistrarController (the .eth commit/register controller) ships only in this package.
# It is unpacked without its dependencies (truffle etc.): only its build/contracts/*.json are used.
ETHREGISTRAR_PKG="@ensdomains/ethregistrar@2.0.5"
HARDFORK="${ENS_GAS_HARDFORK:-osaka}"

cache="${ENS_GAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostchain-ens-gas}"
stamp="$ANVIL_PKG $ENS_PKG $RESOLVER_PKG $ETHERS_PKG $ETHREGISTRAR_PKG"
mkdir -p "$cache"
if [[ "$(cat "$cache/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "installing into $cache: $stamp" >&2
  rm -rf "$cache/node_modules" "$cache/package.json" "$cache/package-lock.json" "$cache/ethregistrar"
  echo '{"name":"ghostchain-ens-gas","private":true}' > "$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
    "$ANVIL_PKG" "$ENS_PKG" "$RESOLVER_PKG" "$ETHERS_PKG" >&2
  tgz="$(cd "$cache" && npm pack --silent "$ETHREGISTRAR_PKG" | tail -n1)"
  mkdir -p "$cache/ethregistrar"
  tar -xzf "$cache/$tgz" -C "$cache/ethregistrar" --strip-components=1
  rm -f "$cache/$tgz"
  echo "$stamp" > "$cache/.stamp"
fi

anvil="$cache/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
[[ -x "$anvil" ]] || { echo "anvil binary not found at $anvil" >&2; exit 1; }

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
log="$(mktemp -t ens-gas-anvil.XXXXXX.log)"
"$anvil" --host 127.0.0.1 --port "$port" --hardfork "$HARDFORK" --accounts 10 >"$log" 2>&1 &
anvil_pid=$!
cleanup() {
  if kill -0 "$anvil_pid" 2>/dev/null; then
    kill "$anvil_pid" 2>/dev/null || true
    wait "$anvil_pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT INT TERM

rpc="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  if node -e 'fetch(process.argv[1],{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({jsonrpc:"2.0",id:1,method:"eth_chainId",params:[]})}).then(r=>r.json()).then(()=>process.exit(0),()=>process.exit(1))' "$rpc" 2>/dev/null; then
    break
  fi
  kill -0 "$anvil_pid" 2>/dev/null || { echo "anvil exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done

echo "anvil $("$anvil" --version | head -n1 | sed 's/^anvil Version: //') on $rpc (pid $anvil_pid), hardfork $HARDFORK" >&2
ENS_GAS_RPC="$rpc" \
ENS_GAS_MODULES="$cache/node_modules" \
ENS_GAS_ETHREGISTRAR="$cache/ethregistrar" \
ENS_GAS_JSON="$json" \
ENS_GAS_TRACE="$trace" \
  node "$root/scripts/ens-gas.mjs"
