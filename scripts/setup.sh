#!/usr/bin/env bash
# Installs every Debian package goro needs on a fresh bookworm machine, and
# fetches the SARIF 2.1.0 schema the tests validate against (.cache/sarif/).
# Idempotent: what is already present is skipped, so a second run is fast.
#
#   scripts/setup.sh          build + test dependencies
#   scripts/setup.sh --bench  also the benchmark peers (Go, Boost.Fiber, wrk)
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ ccache pkg-config python3 git
  # LLVM/Clang 19: compiler, clang-tidy + its headers, lit/FileCheck, sanitizer runtimes
  clang-19 clang-tidy-19 clang-format-19 libclang-19-dev llvm-19-dev llvm-19-tools
  llvm-19 libclang-rt-19-dev
  # goro-clangd links clangd's remote-index dependencies
  libgrpc++-dev libprotobuf-dev libabsl-dev
  # tests and symbolization
  googletest libgtest-dev libgmock-dev libbenchmark-dev libdw-dev python3-jsonschema
  # HTTP examples
  libsqlite3-dev sqlite3 curl
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(golang-go golang-golang-x-sync-dev libboost-fiber-dev libboost-context-dev wrk hyperfine)
elif [[ -n "${1:-}" ]]; then
  echo "setup.sh: unknown argument '$1' (expected nothing or --bench)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${#missing[@]} packages"
fi

# Without network the build still works; only the SARIF tests fail, saying why.
"$(dirname "$0")/fetch-sarif-schema.sh" ||
  echo "setup: warning: could not fetch the SARIF schema; the SARIF tests will fail" >&2
