#!/usr/bin/env bash
# HTTP throughput and latency: goro::http::server against Go's net/http
# serving the same handler (bench/http/hello.{cpp,go}), driven by wrk over
# loopback. Prints a Markdown table (requests/s, latency percentiles, ratio)
# for docs/performance.md's "HTTP" section.
#
#   bench/http/run.sh [seconds-per-run [rounds]]    (default 10 s, 3 rounds)
#
# Each round runs goro then Go (alternating, so a change in the machine's
# load hits both); the table shows each number's median over the rounds.
# Needs golang-go and wrk (scripts/setup.sh --bench). Builds the release
# runtime in build/bench-http (Release, library only). Two setups:
#   pinned: each server on CPU 0 with one worker (GORO_MAXPROCS=1,
#           GOMAXPROCS=1), wrk on CPU 1 — a core each, nobody competing;
#   shared: both servers with 2 workers, wrk unpinned — all fighting for the
#           machine's 2 cores, as a server on a busy box does.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
rounds=${2:-3}
build=build/bench-http
out=$build/bin
mkdir -p "$out"

for tool in go wrk clang++-19 taskset; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/setup.sh --bench)" >&2; exit 2; }
done

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-19 \
  -DCMAKE_CXX_COMPILER=clang++-19 -DGORO_BUILD_CHECKERS=OFF -DGORO_BUILD_TOOLS=OFF \
  -DGORO_BUILD_TESTS=OFF -DGORO_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target goro >/dev/null
clang++-19 -std=c++20 -O2 -I runtime/include bench/http/hello.cpp "$build/runtime/libgoro.a" \
  -pthread -ldl -o "$out/hello-goro"
(cd bench/http && GO111MODULE=off GOCACHE="$PWD/../../$build/gocache" go build -o "../../$out/hello-go" hello.go)

load=$(cut -d' ' -f1-3 /proc/loadavg)
server_pid=""
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

# run NAME SETUP CMD...: starts the server, warms it up, measures; prints a row.
run() {
  local name=$1 setup=$2
  shift 2
  local log=$build/$name-$setup.log
  local pin_server=() pin_wrk=()
  if [[ $setup == pinned ]]; then
    pin_server=(taskset -c 0)
    pin_wrk=(taskset -c 1)
  fi
  "${pin_server[@]}" "$@" >"$log.server" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log.server")
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { echo "run.sh: $name did not start" >&2; cat "$log.server" >&2; exit 1; }
  local url=http://127.0.0.1:$port/hello
  [[ $(curl -s "$url") == "Hello, World!" ]] || { echo "run.sh: $name answers wrong" >&2; exit 1; }
  "${pin_wrk[@]}" wrk -t1 -c64 -d2s "$url" >/dev/null # warm-up
  local cpu0 cpu1
  cpu0=$(awk '{print $14 + $15}' "/proc/$server_pid/stat") # utime + stime, in clock ticks
  "${pin_wrk[@]}" wrk -t1 -c64 -d"${secs}s" --latency "$url" >"$log"
  cpu1=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  stop_server
  local errors
  errors=$(grep -c "Non-2xx\|Socket errors" "$log" || true)
  # requests/s and the 50/90/99% latencies in ms
  awk -v errors="$errors" -v ticks=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^Requests\/sec/ { rps = $2 }
    / requests in / { n = $1 }
    $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
    END { printf "%s %.2f %.2f %.2f %s %.1f\n", rps, p50, p90, p99, errors, ticks * 1e6 / hz / n }' "$log"
}

# median of the numbers on stdin
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "| setup | server | requests/s | p50 ms | p90 ms | p99 ms | server CPU µs/request | goro / Go (requests/s) | goro / Go (CPU/request) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for setup in pinned shared; do
  procs=1
  [[ $setup == shared ]] && procs=2
  : >"$build/$setup.goro" && : >"$build/$setup.go"
  for _ in $(seq "$rounds"); do
    run goro "$setup" env GORO_MAXPROCS=$procs "$out/hello-goro" >>"$build/$setup.goro"
    run go "$setup" env GOMAXPROCS=$procs "$out/hello-go" >>"$build/$setup.go"
  done
  row() { # file -> "rps p50 p90 p99 cpu" medians
    local f=$1
    echo "$(cut -d' ' -f1 "$f" | median) $(cut -d' ' -f2 "$f" | median) $(cut -d' ' -f3 "$f" | median)" \
      "$(cut -d' ' -f4 "$f" | median) $(cut -d' ' -f6 "$f" | median)"
  }
  read -r g_rps g50 g90 g99 g_cpu < <(row "$build/$setup.goro")
  read -r o_rps o50 o90 o99 o_cpu < <(row "$build/$setup.go")
  ratio=$(awk -v a="$g_rps" -v b="$o_rps" 'BEGIN {printf "%.2f", a / b}')
  cpu_ratio=$(awk -v a="$g_cpu" -v b="$o_cpu" 'BEGIN {printf "%.2f", a / b}')
  echo "| $setup ($procs worker$([[ $procs == 1 ]] || echo s)) | goro | $g_rps | $g50 | $g90 | $g99 | $g_cpu | $ratio | $cpu_ratio |"
  echo "| | Go net/http | $o_rps | $o50 | $o90 | $o99 | $o_cpu | | |"
  if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$build/$setup.goro" "$build/$setup.go"; then
    echo "run.sh: wrk reported errors (see $build/*.log)" >&2
  fi
done
echo
echo "wrk -t1 -c64 -d${secs}s, GET /hello (14-byte body, keep-alive), median of $rounds rounds;" \
  "$(go version | awk '{print $3}'); $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');" \
  "load average before: $load"
