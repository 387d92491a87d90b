#!/usr/bin/env bash
# Builds main.cpp with g++ using only `pkg-config goro`, from an installed prefix.
set -euo pipefail
prefix=$1 out=$2 src=$3
pcdir=""
for d in "$prefix"/lib/pkgconfig "$prefix"/lib/*/pkgconfig "$prefix"/lib64/pkgconfig; do
  if [[ -f $d/goro.pc ]]; then pcdir=$d; break; fi
done
[[ -n $pcdir ]] || { echo "pkg-config-build: no goro.pc under $prefix" >&2; exit 1; }
export PKG_CONFIG_PATH=$pcdir
# shellcheck disable=SC2046 # word splitting of pkg-config's flags is intended
g++ $(pkg-config --cflags goro) "$src" -o "$out" $(pkg-config --libs goro)
