#!/usr/bin/env bash
# Builds GhostChain and starts a development node: `./scripts/dev.sh [extra ghostchain flags]`.
# One validator (Alice), instant sealing and finality, JSON-RPC on ws://127.0.0.1:9944,
# Prometheus on 127.0.0.1:9615. State is temporary unless you pass --base-path DIR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
cargo build -p ghostchain --bins
exec "$CARGO_TARGET_DIR/debug/ghostchain" --dev "$@"
