#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build GhostChain: system packages for RocksDB's
# bindings (libclang) and the C/C++ toolchain, and the Rust toolchain pinned in
# rust-toolchain.toml (with the wasm32v1-none target). Safe to run again: it only installs what is
# missing. Sourced by dev.sh and test.sh.
set -euo pipefail

need_pkgs=()
command -v cc >/dev/null 2>&1 || need_pkgs+=(build-essential)
command -v c++ >/dev/null 2>&1 || need_pkgs+=(g++)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
dpkg -s libclang-dev >/dev/null 2>&1 || need_pkgs+=(libclang-dev)
# dig, for the DNS end-to-end tests.
command -v dig >/dev/null 2>&1 || need_pkgs+=(dnsutils)
# unbound, for the end-to-end test of GhostBridge behind a recursive resolver.
command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || need_pkgs+=(unbound)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    echo "setup: installing ${need_pkgs[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found; install Rust with rustup first (https://rustup.rs)" >&2
    exit 1
fi
# rustup reads rust-toolchain.toml and installs the pinned toolchain, components and targets.
(cd "$(dirname "${BASH_SOURCE[0]}")/.." && rustup toolchain install >/dev/null)
