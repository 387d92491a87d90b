#!/usr/bin/env bash
# bench/run.sh — builds and runs goro's benchmarks and the same programs in Go
# and Boost.Fiber, then prints one table with goro's ratio to each peer.
# Not a test: nothing here runs in CI. See docs/performance.md.
#
#   bench/run.sh                      # everything, default settings
#   ROUNDS=5 PROCS="1 2" bench/run.sh
#
# Settings (environment):
#   PROCS         thread counts to compare (default: "1 <nproc>"); each value is
#                 GORO_MAXPROCS for goro, GOMAXPROCS (-test.cpu) for Go and the
#                 Boost.Fiber thread count
#   ROUNDS        rounds (default 3); each round runs goro, Go and Boost.Fiber
#                 once, one after the other, so slow phases of a noisy machine
#                 hit all three alike
#   REPS          repetitions per benchmark per round (default 3):
#                 --benchmark_repetitions for goro and Boost, -test.count for Go
#   MIN_TIME      seconds per repetition (default 0.5): --benchmark_min_time
#                 and -test.benchtime
#   PARKED_COUNT  goroutines for the parked-memory programs (default 1000000)
#   PARKED_ROUNDS rounds of the parked programs (default 1; each takes tens of
#                 seconds on a machine with slow page faults)
#   MAX_LOAD      if set, wait before each round until the 1-minute load
#                 average is below it (at most 10 minutes)
#   RESULTS       output directory (default build/bench/results)
#   FILTER        regex of benchmarks to run (default: all)
# The median of all repetitions of all rounds goes into the table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build/bench
NPROC=$(nproc)
PROCS=${PROCS:-"1 $NPROC"}
[[ "$PROCS" == "1 1" ]] && PROCS=1
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-3}
MIN_TIME=${MIN_TIME:-0.5}
PARKED_COUNT=${PARKED_COUNT:-1000000}
PARKED_ROUNDS=${PARKED_ROUNDS:-1}
RESULTS=${RESULTS:-$BUILD/results}
FILTER=${FILTER:-.}

for tool in cmake go python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' not found (scripts/setup.sh installs it)" >&2; exit 1; }
done

log() { printf '\n== %s\n' "$*" >&2; }

# ---- build: the bench preset (Release) and the Go test binary, offline.
log "building (cmake --preset bench)"
cmake --preset bench -S "$ROOT" >/dev/null
cmake --build "$BUILD" -j2 --target goro_bench goro_bench_debug goro_parked
HAVE_BOOST=0
if cmake --build "$BUILD" -j2 --target boost_fiber_bench boost_fiber_parked 2>/dev/null; then
  HAVE_BOOST=1
else
  echo "run.sh: Boost.Fiber peer not built (libboost-fiber-dev missing?); its column stays empty" >&2
fi

export GOPATH=$BUILD/go/gopath GOCACHE=$BUILD/go/cache GO111MODULE=on GOFLAGS=-mod=mod \
       GOPROXY=off GOTOOLCHAIN=local GOENV=off CGO_ENABLED=0
log "building Go benchmarks ($(go version))"
(cd "$ROOT/bench/go" && go test -c -o "$BUILD/go/bench.test" . && go build -o "$BUILD/go/parked" ./parked)

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $NPROC logical CPUs"
  echo "kernel: $(uname -sr)"
  echo "compiler: $(clang++-19 --version | head -1)"
  echo "go: $(go version)"
  echo "boost: $(dpkg-query -W -f '${Version}' libboost-fiber-dev 2>/dev/null || echo '?')"
  echo "google benchmark: $(dpkg-query -W -f '${Version}' libbenchmark-dev 2>/dev/null || echo '?')"
  echo "settings: PROCS='$PROCS' ROUNDS=$ROUNDS REPS=$REPS MIN_TIME=$MIN_TIME PARKED_COUNT=$PARKED_COUNT PARKED_ROUNDS=$PARKED_ROUNDS"
}
machine > "$RESULTS/machine.txt"

load() { cut -d' ' -f1 /proc/loadavg; }

wait_for_load() {
  [[ -z "${MAX_LOAD:-}" ]] && return 0
  local waited=0
  while awk -v l="$(load)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }'; do
    if (( waited >= 600 )); then
      echo "run.sh: load still $(load) after 10 minutes; going on" >&2
      return 0
    fi
    echo "run.sh: load $(load) >= $MAX_LOAD, waiting" >&2
    sleep 15
    waited=$((waited + 15))
  done
}

note_load() { echo "$1: load $(load)" >> "$RESULTS/load.txt"; }

GBENCH_FLAGS=(--benchmark_repetitions="$REPS" --benchmark_min_time="$MIN_TIME"
              --benchmark_filter="$FILTER" --benchmark_format=json)

for ((round = 1; round <= ROUNDS; ++round)); do
  wait_for_load
  for p in $PROCS; do
    log "round $round/$ROUNDS, P=$p: goro"
    note_load "round $round P=$p start"
    GORO_MAXPROCS=$p "$BUILD/bench/goro_bench" "${GBENCH_FLAGS[@]}" > "$RESULTS/goro_p${p}_r${round}.json"
    log "round $round/$ROUNDS, P=$p: goro, debug runtime"
    GORO_MAXPROCS=$p "$BUILD/bench/goro_bench_debug" "${GBENCH_FLAGS[@]}" \
      > "$RESULTS/goro_debug_p${p}_r${round}.json"
    log "round $round/$ROUNDS, P=$p: Go"
    (cd "$RESULTS" && GOMAXPROCS=$p "$BUILD/go/bench.test" -test.run '^$' -test.bench "$FILTER" \
        -test.benchtime "${MIN_TIME}s" -test.count "$REPS" -test.cpu "$p") > "$RESULTS/go_p${p}_r${round}.txt"
    if ((HAVE_BOOST)); then
      log "round $round/$ROUNDS, P=$p: Boost.Fiber"
      "$BUILD/bench/boost_fiber_bench" --threads="$p" "${GBENCH_FLAGS[@]}" > "$RESULTS/boost_p${p}_r${round}.json"
    fi
    note_load "round $round P=$p end"
  done
done

for ((round = 1; round <= PARKED_ROUNDS; ++round)); do
  wait_for_load
  for p in $PROCS; do
    log "parked round $round/$PARKED_ROUNDS, P=$p: $PARKED_COUNT goroutines each"
    note_load "parked round $round P=$p start"
    GORO_MAXPROCS=$p "$BUILD/bench/goro_parked" "$PARKED_COUNT" | tee "$RESULTS/parked_goro_p${p}_r${round}.txt"
    GOMAXPROCS=$p "$BUILD/go/parked" "$PARKED_COUNT" | tee "$RESULTS/parked_go_p${p}_r${round}.txt"
    if ((HAVE_BOOST)); then
      "$BUILD/bench/boost_fiber_parked" --threads="$p" "$PARKED_COUNT" |
        tee "$RESULTS/parked_boost_p${p}_r${round}.txt"
    fi
    note_load "parked round $round P=$p end"
  done
done

log "results ($RESULTS)"
cat "$RESULTS/machine.txt"
echo
python3 "$ROOT/bench/report.py" "$RESULTS"
