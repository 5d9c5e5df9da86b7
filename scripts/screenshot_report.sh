#!/usr/bin/env bash
# Screenshot an HTML report with headless Chromium, offline: screenshot_report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 REPORT.html [OUT.png] [WIDTHxHEIGHT]" >&2
  exit 2
fi
html=$1
out=${2:-${html%.*}.png}
size=${3:-1280x2000}
if [[ ! -f $html ]]; then
  echo "$0: no such file: $html" >&2
  exit 2
fi
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -z $chromium ]]; then
  echo "$0: chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/it)" >&2
  exit 2
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

# No network, no background services, a throw-away profile: the page must render alone.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size="${size/x/,}" \
  --screenshot="$out_abs" "$url" >/dev/null 2>&1

if [[ ! -s $out_abs ]]; then
  echo "$0: chromium wrote no screenshot" >&2
  exit 1
fi
echo "$out_abs"
