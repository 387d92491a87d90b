#!/bin/sh
# goro-tidy -j2 against run-clang-tidy-19 -j2 with the goro plugin: the same
# files (the runtime's and the examples' C++ files of build/default's
# compile_commands.json), the same checks, wall time. Not a test: CI never
# runs it. Results: docs/performance.md, section "goro-tidy".
#
#   bench/tidy/vs_run_clang_tidy.sh            (from anywhere; build/default built)
#
# Environment: ROUNDS (3), SETS ("goro project": the checks -*,goro-* and the
# repository's .clang-tidy), JOBS (2), OUT (build/bench-tidy/vs). The two
# tools run interleaved, alternating which goes first, so that a change in
# the machine's load hits both alike; the load average is logged before each
# run. Every run's output is kept, and the sorted, de-duplicated warning
# lines of the two tools are compared: they must be the same findings.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build/default
rounds=${ROUNDS:-3}
sets=${SETS:-goro project}
jobs=${JOBS:-2}
out=${OUT:-$root/build/bench-tidy/vs}
tidy=$build/tool/goro-tidy
plugin=$build/checkers/goro-tidy.so
for f in "$tidy" "$plugin" "$build/compile_commands.json"; do
  [ -e "$f" ] || { echo "vs_run_clang_tidy.sh: $f is missing (build build/default)" >&2; exit 2; }
done
command -v run-clang-tidy-19 >/dev/null || { echo "vs_run_clang_tidy.sh: no run-clang-tidy-19" >&2; exit 2; }
# Both from the same checker sources: a stale plugin would run other checks.
cmake --build "$build" --target goro-tidy goro-tidy-plugin > /dev/null
mkdir -p "$out"
log=$out/times.txt
: > "$log"
cd "$root"

checks_of() { [ "$1" = goro ] && echo '-*,goro-*' || echo ''; }

run_goro_tidy() { # set round
  checks=$(checks_of "$1")
  /usr/bin/time -f "%e" -o "$out/time.tmp" "$tidy" -p "$build" -j "$jobs" --quiet \
    ${checks:+--checks=$checks} 'runtime/*.cpp' 'examples/*.cpp' \
    > "$out/goro-tidy-$1-$2.out" 2> "$out/goro-tidy-$1-$2.err" || true
}

run_run_clang_tidy() { # set round
  checks=$(checks_of "$1")
  /usr/bin/time -f "%e" -o "$out/time.tmp" run-clang-tidy-19 -p "$build" -j "$jobs" -quiet \
    -load "$plugin" ${checks:+-checks=$checks} "$root/(runtime|examples)/.*\\.cpp\$" \
    > "$out/run-clang-tidy-$1-$2.out" 2> "$out/run-clang-tidy-$1-$2.err" || true
}

for set in $sets; do
  r=1
  while [ "$r" -le "$rounds" ]; do
    if [ $((r % 2)) -eq 1 ]; then order="goro_tidy run_clang_tidy"; else order="run_clang_tidy goro_tidy"; fi
    for tool in $order; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      "run_$tool" "$set" "$r"
      echo "$set $tool round=$r wall=$(tail -1 "$out/time.tmp") load_before=$load load_after=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$log"
    done
    r=$((r + 1))
  done
  # The same findings from both (last round's outputs).
  for tool in goro-tidy run-clang-tidy; do
    grep -E '^/.*:[0-9]+:[0-9]+: (warning|error):' "$out/$tool-$set-$rounds.out" | sort -u > "$out/$tool-$set.findings" || true
  done
  if cmp -s "$out/goro-tidy-$set.findings" "$out/run-clang-tidy-$set.findings"; then
    echo "$set: the same $(wc -l < "$out/goro-tidy-$set.findings") findings from both" | tee -a "$log"
  else
    echo "$set: the findings differ: diff $out/goro-tidy-$set.findings $out/run-clang-tidy-$set.findings" | tee -a "$log"
  fi
done
nproc_=$(nproc)
echo "machine: $nproc_ cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" | tee -a "$log"
