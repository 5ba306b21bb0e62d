#!/usr/bin/env bash
# Renders the HTML report of the bundled Fabrikam example (after three earlier
# runs recorded, so its history and trend show) and the fleet overview of every bundled
# example into docs/, in headless Chromium. Usage: scripts/screenshots.sh SECSCORE
set -euo pipefail
secscore=${1:?usage: scripts/screenshots.sh path/to/secscore}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/Examples/snapshots" "$work/fleet"
for day in 2025-10-06 2025-10-20 2025-11-03; do
  "$secscore" evaluate "$work/fleet/fabrikam-distributor" --as-of $day --history "$work/one.sqlite" --fail-on none --format json >/dev/null
done
"$secscore" evaluate "$work/fleet/fabrikam-distributor" --as-of 2025-11-15 --history "$work/one.sqlite" --fail-on none --output "$work/report.html"
"$secscore" evaluate --fleet "$work/fleet" --as-of 2025-10-20 --history "$work/fleet.sqlite" --fail-on none >/dev/null
"$secscore" evaluate --fleet "$work/fleet" --as-of 2025-11-15 --history "$work/fleet.sqlite" --fail-on none --report-dir "$work/reports" --format html >/dev/null
shoot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="$2" --screenshot="$3" "file://$1" 2>/dev/null
}
shoot "$work/report.html" 1280,2150 "$root/docs/report-html.png"
shoot "$work/reports/index.html" 1280,700 "$root/docs/fleet-overview.png"
echo "wrote docs/report-html.png and docs/fleet-overview.png"
