#!/usr/bin/env bash
# Builds and runs the fuzz targets.
#   scripts/fuzz.sh [SECONDS]    each target for SECONDS (default 60)
# Targets: the host's frame reader (Swift), the snapshot loader (Swift), and
# the C SDK's reader and dispatch (C). Seeds: Fuzz/corpus/. Findings are
# written to .build/fuzz/<target>/crash-*; turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
clang=$(dirname "$(command -v swift)")/clang
work=.build/fuzz
mkdir -p "$work"

# C SDK: clang's libFuzzer with its own main.
"$clang" -fsanitize=fuzzer,address -g -O1 -I Sources/CSecScorePlugin/include Fuzz/c/fuzz_c_sdk.c \
  Sources/CSecScorePlugin/sdk.c Sources/CSecScorePlugin/generated/secscore/*/v1/*.pb-c.c -lprotobuf-c \
  -o "$work/fuzz-c-sdk" 2>/dev/null

# Swift targets: libFuzzer coverage and ASan for every Swift module they use.
# Each target has its own main (SwiftPM's entry point), which calls
# LLVMFuzzerRunDriver, so libFuzzer's main is never linked in.
(cd Fuzz && swift build -c release --quiet -Xswiftc -sanitize=fuzzer,address)
bin=$(cd Fuzz && swift build -c release --show-bin-path)

run() {
  local name=$1 binary=$2 seeds=$3
  mkdir -p "$work/$name/corpus"
  cp -n "$seeds"/* "$work/$name/corpus/" 2>/dev/null || true
  echo "== $name, $seconds s"
  (cd "$work/$name" && "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 corpus 2>&1 \
    | grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|ERROR|SUMMARY" || true)
  if ls "$work/$name"/crash-* >/dev/null 2>&1; then echo "FINDINGS in $work/$name"; return 1; fi
}
status=0
run c-sdk "$PWD/$work/fuzz-c-sdk" Fuzz/corpus/c-sdk || status=1
run frame-decoder "$bin/fuzz-frame-decoder" Fuzz/corpus/frames || status=1
run snapshot-loader "$bin/fuzz-snapshot-loader" Fuzz/corpus/snapshots || status=1
exit $status
