#!/usr/bin/env bash
# Regenerates Sources/BenchGRPC/Generated from Protos/ with grpc-swift-protobuf's
# protoc plugin (built from the pinned checkout). The output is committed.
#   scripts/generate-grpc.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --quiet --product protoc-gen-grpc-swift-2
plugin="$(swift build -c release --show-bin-path)/protoc-gen-grpc-swift-2"
out=Sources/BenchGRPC/Generated
target=$out
if [ "${1:-}" = "--check" ]; then target=$(mktemp -d); fi
mkdir -p "$target"
protoc -I ../Protos -I Protos \
  --plugin=protoc-gen-grpc-swift-2="$plugin" \
  --grpc-swift-2_out="$target" \
  --grpc-swift-2_opt=Visibility=Public,FileNaming=DropPath,UseAccessLevelOnImports=true,ProtoPathModuleMappings=Protos/module-mappings.asciipb \
  Protos/secscore/bench/v1/bench_service.proto
if [ "${1:-}" = "--check" ]; then
  diff -r "$out" "$target" && echo "generated gRPC code is up to date"
  rm -rf "$target"
fi
