#!/usr/bin/env bash
# Sets up the machine like dev.sh, then runs the whole suite: formatting, clippy, and every test
# (unit, runtime, in-process node and end-to-end tests that start real ghostchain processes).
# One build profile (dev/test) serves all of it; the target dir is under ~/.cache/ghostchain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"

echo "== Python gRPC client requirements" >&2
python3 -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages -r tests/python/requirements.txt

echo "== ENS end-to-end packages (npm: anvil, @ensdomains/ens, @ensdomains/resolver)" >&2
# Fails the run (with a clear message) if npm is missing: the ENS test is never skipped.
"$root/scripts/ens-npm.sh" >/dev/null

echo "== ENSIP-15 reference vectors (npm: @adraffy/ens-normalize)" >&2
GHOST_ENS_NORMALIZE_VECTORS="$("$root/scripts/ens-normalize-npm.sh")"
export GHOST_ENS_NORMALIZE_VECTORS GHOST_REQUIRE_ENS_VECTORS=1

echo "== cargo fmt --check" >&2
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings" >&2
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo build (binaries for end-to-end tests)" >&2
cargo build --workspace --bins
echo "== cargo test" >&2
cargo test --workspace -- --test-threads 2
echo "== contracts: fmt, clippy and the examples' off-chain unit tests (host)" >&2
(
    cd contracts
    export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/contracts-host"
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo test --workspace
)
echo "== all tests passed" >&2
