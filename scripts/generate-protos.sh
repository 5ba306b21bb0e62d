#!/usr/bin/env bash
# Regenerates the committed protobuf code from Protos/.
#   scripts/generate-protos.sh          write into the source tree
#   scripts/generate-protos.sh --check  regenerate into a temporary folder and
#                                       fail if the committed code differs
# Needs protoc and protoc-c (Debian: protobuf-compiler, protobuf-c-compiler);
# protoc-gen-swift is built from the swift-protobuf version Package.swift pins.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=${1:-write}

for tool in protoc protoc-c; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; run 'make deps'" >&2; exit 2; }
done
swift build -c release --product protoc-gen-swift >/dev/null
plugin="$(swift build -c release --show-bin-path)/protoc-gen-swift"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/swift" "$out/c"
protos=(secscore/tenant/v1/tenant.proto secscore/plugin/v1/plugin.proto)
# The host's decoding views (Swift only; not part of the plugin contract).
swift_only=(secscore/hostview/v1/response_view.proto)

protoc -I Protos --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_opt=UseAccessLevelOnImports=true \
  --swift_out="$out/swift" "${protos[@]}" "${swift_only[@]}"
protoc-c -I Protos --c_out="$out/c" "${protos[@]}"
# protoc-c writes a folder per package. Headers go under the C SDK's public
# include/ (plugins include them through secscore_plugin.h), sources under
# generated/, both keeping the secscore/... paths the generated #includes use.
mkdir -p "$out/c-include" "$out/c-src"
(cd "$out/c" && find . -name '*.pb-c.h' -exec install -D -m 644 {} "$out/c-include/{}" \;)
(cd "$out/c" && find . -name '*.pb-c.c' -exec install -D -m 644 {} "$out/c-src/{}" \;)

swift_dir=Sources/SecScoreWire/Generated
c_src=Sources/CSecScorePlugin/generated/secscore
c_inc=Sources/CSecScorePlugin/include/secscore
if [ "$mode" = "--check" ]; then
  status=0
  diff -ru "$swift_dir" "$out/swift" || status=1
  diff -ru "$c_src" "$out/c-src/secscore" || status=1
  diff -ru "$c_inc" "$out/c-include/secscore" || status=1
  if [ $status -ne 0 ]; then
    echo "error: generated protobuf code is stale; run 'make generate' and commit the result" >&2
    exit 1
  fi
  echo "generated protobuf code is up to date"
else
  rm -rf "$swift_dir" "$c_src" "$c_inc"
  mkdir -p "$swift_dir" "$c_src" "$c_inc"
  cp -R "$out/swift/." "$swift_dir/"
  cp -R "$out/c-src/secscore/." "$c_src/"
  cp -R "$out/c-include/secscore/." "$c_inc/"
  echo "regenerated $swift_dir, $c_src and $c_inc"
fi
