#!/usr/bin/env bash
# Installs what the ENS end-to-end test needs into a cache directory this script owns
# (GHOST_ENS_NPM, default ~/.cache/ghostchain/npm): anvil and ENS's published contracts.
#
#   ./scripts/ens-npm.sh          install if missing; prints the cache directory
#
# Pinned: @foundry-rs/anvil-linux-amd64 1.7.1, @ensdomains/ens 0.6.2, @ensdomains/resolver
# 0.3.1 (the registry and PublicResolver, without NameWrapper). Needs npm and the npm registry;
# a missing npm is an error, not a skip. Safe to run again: it reinstalls only when the pins
# change.
set -euo pipefail

ANVIL_PKG="@foundry-rs/anvil-linux-amd64@1.7.1"
ENS_PKG="@ensdomains/ens@0.6.2"
RESOLVER_PKG="@ensdomains/resolver@0.3.1"

if ! command -v npm >/dev/null 2>&1; then
    echo "ens-npm: npm not found: the ENS end-to-end test needs Node.js and npm (apt-get install npm)" >&2
    exit 1
fi
cache="${GHOST_ENS_NPM:-$HOME/.cache/ghostchain/npm}"
stamp="$ANVIL_PKG $ENS_PKG $RESOLVER_PKG"
mkdir -p "$cache"
if [[ "$(cat "$cache/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "ens-npm: installing into $cache: $stamp" >&2
    rm -rf "$cache/node_modules" "$cache/package.json" "$cache/package-lock.json"
    echo '{"name":"ghostchain-ens-e2e","private":true}' > "$cache/package.json"
    # --ignore-scripts: only the packages' files are used (artifacts and the anvil binary).
    npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --loglevel=error \
        "$ANVIL_PKG" "$ENS_PKG" "$RESOLVER_PKG" >&2
    echo "$stamp" > "$cache/.stamp"
fi
anvil="$cache/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
[[ -x "$anvil" ]] || { echo "ens-npm: anvil binary not found at $anvil" >&2; exit 1; }
for artifact in ens/build/contracts/ENSRegistry.json resolver/build/contracts/PublicResolver.json; do
    [[ -f "$cache/node_modules/@ensdomains/$artifact" ]] \
        || { echo "ens-npm: $artifact missing in $cache" >&2; exit 1; }
done
echo "$cache"
