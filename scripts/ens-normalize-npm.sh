#!/usr/bin/env bash
# Installs the ENSIP-15 reference implementation, @adraffy/ens-normalize, into a cache
# directory this script owns (GHOST_ENS_NORMALIZE, default ~/.cache/ghostchain/ens-normalize)
# and writes its normalisations of a fixed corpus (scripts/ens-normalize-vectors.mjs) to
# vectors.json there. `cargo test -p ghost-primitives --test ens_reference` then checks the
# chain's ENSIP-15 (ens-normalize-rs) against every vector.
#
#   ./scripts/ens-normalize-npm.sh      install if missing, (re)write the vectors; prints the file
#
# Pinned: @adraffy/ens-normalize 1.11.1, the spec version ens-normalize-rs 0.2.0 bundles. Needs
# node and npm; a missing npm is an error, not a skip.
set -euo pipefail

PKG="@adraffy/ens-normalize@1.11.1"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v npm >/dev/null 2>&1; then
    echo "ens-normalize-npm: npm not found (apt-get install npm)" >&2
    exit 1
fi
cache="${GHOST_ENS_NORMALIZE:-$HOME/.cache/ghostchain/ens-normalize}"
mkdir -p "$cache"
if [[ "$(cat "$cache/.stamp" 2>/dev/null)" != "$PKG" ]]; then
    echo "ens-normalize-npm: installing $PKG into $cache" >&2
    rm -rf "$cache/node_modules" "$cache/package.json" "$cache/package-lock.json"
    echo '{"name":"ghostchain-ens-normalize","private":true,"type":"module"}' > "$cache/package.json"
    npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --loglevel=error "$PKG" >&2
    echo "$PKG" > "$cache/.stamp"
fi
cp "$here/ens-normalize-vectors.mjs" "$cache/vectors.mjs"
(cd "$cache" && node vectors.mjs "$cache/vectors.json")
echo "$cache/vectors.json"
