# shellcheck shell=bash
# Common build environment for every script that runs cargo on the workspace.
# Sourced, not executed. Keeps one target dir under ~/.cache so repeated runs on one machine
# reuse the build, and links the prebuilt RocksDB when the shared folder provides it.
GHOST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GHOST_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ghostchain/target}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
for candidate in "${GHOST_ROCKSDB_PREBUILT:-}" "$GHOST_ROOT/../shared/prebuilt/rocksdb-11.8.1" /work/shared/prebuilt/rocksdb-11.8.1; do
    if [ -n "$candidate" ] && [ -f "$candidate/librocksdb.a" ]; then
        ROCKSDB_LIB_DIR="$(cd "$candidate" && pwd)"
        export ROCKSDB_LIB_DIR
        export ROCKSDB_STATIC=1
        break
    fi
done

# A free TCP port on 127.0.0.1 (the scripts' nodes and servers bind loopback only).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
