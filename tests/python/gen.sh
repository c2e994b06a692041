#!/usr/bin/env bash
# Generates the Python stubs of proto/ghostdns.proto into a directory (default: a new temporary
# one) and prints it. The tests do the same on their own; this is for interactive use:
#   PYTHONPATH=$(tests/python/gen.sh) python3 -c 'import ghostdns_pb2'
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
proto_dir="$here/../../proto"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
python3 -m grpc_tools.protoc -I "$proto_dir" --python_out="$out" --grpc_python_out="$out" "$proto_dir/ghostdns.proto"
echo "$out"
