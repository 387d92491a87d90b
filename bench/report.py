#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into one comparison table.

Input: a results directory holding, per thread count P and round R,
  goro_pP_rR.json   Google Benchmark JSON (goro_bench)
  goro_debug_pP_rR.json  the same linked with the debug runtime (goro_bench_debug)
  boost_pP_rR.json  Google Benchmark JSON (boost_fiber_bench)
  go_pP_rR.txt      `go test -bench` text output
  parked_SYSTEM_pP_rR.txt  one "parked system=... bytes_per_goroutine=..." line
Every repetition of every round is one sample; a cell shows the median of its
samples. Ratios are goro's time (or bytes) divided by the peer's: lower is
better for goro, below 1.00 means goro is faster (smaller).

Output: the table on stdout, and as markdown in RESULTS/table.md; the same
benchmarks in process CPU time per operation (all threads; steadier than wall
time on a loaded machine) in RESULTS/cpu.md; the spread of the wall-time
samples in RESULTS/spread.md.
"""
import json
import pathlib
import re
import statistics
import sys

# (key, label); Boost.Fiber keys that differ are mapped in BOOST_KEY.
ROWS = [
    ("SpawnJoin", "spawn+join"),
    ("PingPong", "ping-pong (unbuffered round trip)"),
    ("Buffered1", "buffered cap 1, per value"),
    ("Buffered100", "buffered cap 100, per value"),
    ("Select2", "select, 2 channels, 1 ready"),
    ("Select8", "select, 8 channels, 1 ready"),
    ("Mutex4", "mutex, 4 goroutines contending"),
]
BOOST_KEY = {"Buffered1": "Buffered2", "Buffered100": "Buffered128"}
BOOST_NOTE = {
    "Buffered1": "b",
    "Buffered100": "c",
}
SYSTEMS = ["goro", "go", "boost"]
DEBUG = "goro_debug"  # reported apart: the debug runtime against the release one


def fail(message):
    sys.exit(f"report.py: {message}")


def read_gbench(path, samples):
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        fail(f"{path}: not a Google Benchmark JSON file ({e})")
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration":
            continue
        if b.get("error_occurred"):
            fail(f"{path}: {b['name']} failed: {b.get('error_message')}")
        key = b["run_name"].split("/")[0]
        unit = scale[b.get("time_unit", "ns")]
        samples.setdefault(key, []).append(b["real_time"] * unit)
        samples.setdefault(key + CPU, []).append(b["cpu_time"] * unit)


CPU = "@cpu"  # suffix of the keys holding process CPU time per iteration
GO_LINE = re.compile(r"^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+([0-9.]+) cpu-ns/op)?")


def read_go(path, samples):
    text = path.read_text()
    if "FAIL" in text:
        fail(f"{path}: a Go benchmark failed:\n{text}")
    for line in text.splitlines():
        m = GO_LINE.match(line)
        if m:
            samples.setdefault(m.group(1), []).append(float(m.group(2)))
            if m.group(3):
                samples.setdefault(m.group(1) + CPU, []).append(float(m.group(3)))


PARKED_LINE = re.compile(
    r"count=(\d+) .*bytes_per_goroutine=([0-9.]+) park_seconds=([0-9.]+)")
parked_counts = set()


def read_parked(path, mem, secs):
    m = PARKED_LINE.search(path.read_text())
    if not m:
        fail(f"{path}: no 'parked ...' result line")
    parked_counts.add(int(m.group(1)))
    mem.append(float(m.group(2)))
    secs.append(float(m.group(3)))


def collect(results):
    """samples[(system, procs)][key] = [values]"""
    samples = {}
    procs_seen = set()
    for path in sorted(results.iterdir()):
        m = re.match(r"(goro_debug|goro|boost|go)_p(\d+)_r\d+\.(json|txt)$", path.name)
        if m:
            system, procs = m.group(1), int(m.group(2))
            procs_seen.add(procs)
            cell = samples.setdefault((system, procs), {})
            (read_go if system == "go" else read_gbench)(path, cell)
            continue
        m = re.match(r"parked_(goro|boost|go)_p(\d+)_r\d+\.txt$", path.name)
        if m:
            system, procs = m.group(1), int(m.group(2))
            procs_seen.add(procs)
            cell = samples.setdefault((system, procs), {})
            read_parked(path, cell.setdefault("ParkedBytes", []),
                        cell.setdefault("ParkedSeconds", []))
    if not procs_seen:
        fail(f"{results}: no benchmark outputs found")
    return samples, sorted(procs_seen)


def fmt_ns(v):
    return "–" if v is None else (f"{v:.1f} ns" if v < 100 else f"{v:.0f} ns")


def fmt_bytes(v):
    return "–" if v is None else f"{v:.0f} B"


def fmt_s(v):
    return "–" if v is None else f"{v:.1f} s"


def fmt_ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    if not values or len(values) < 2:
        return None
    m = statistics.median(values)
    return (max(values) - min(values)) / m * 100 if m else None


def main():
    if len(sys.argv) != 2:
        fail("usage: report.py RESULTS_DIR")
    results = pathlib.Path(sys.argv[1])
    samples, procs_list = collect(results)

    def values(system, procs, key):
        cell = samples.get((system, procs), {})
        if system == "boost":
            base, cpu = (key[:-len(CPU)], CPU) if key.endswith(CPU) else (key, "")
            key = BOOST_KEY.get(base, base) + cpu
        return cell.get(key, [])

    if len(parked_counts) > 1:
        fail(f"{results}: parked programs ran with different counts {sorted(parked_counts)}")
    parked = f"{next(iter(parked_counts)):,}" if parked_counts else "?"
    rows = []
    spreads = []
    for procs in procs_list:
        for key, label in ROWS + [("ParkedBytes", "parked goroutine, resident memory"),
                                  ("ParkedSeconds", f"time to start and park {parked}")]:
            med = {s: median(values(s, procs, key)) for s in SYSTEMS}
            if all(v is None for v in med.values()):
                continue
            fmt = fmt_bytes if key == "ParkedBytes" else fmt_s if key == "ParkedSeconds" else fmt_ns
            boost_cell = fmt(med["boost"])
            if med["boost"] is not None and key in BOOST_NOTE:
                boost_cell += f" ({BOOST_NOTE[key]})"
            name = f"{label}, P={procs}"
            rows.append([name, fmt(med["goro"]), fmt(med["go"]), boost_cell,
                         fmt_ratio(med["goro"], med["go"]), fmt_ratio(med["goro"], med["boost"])])
            counts = [len(values(s, procs, key)) for s in SYSTEMS]
            spreads.append([name] + [
                "–" if spread(values(s, procs, key)) is None else f"{spread(values(s, procs, key)):.0f}%"
                for s in SYSTEMS] + ["/".join(str(c) for c in counts)])

    cpu_rows = []
    for procs in procs_list:
        for key, label in ROWS:
            med = {s: median(values(s, procs, key + CPU)) for s in SYSTEMS}
            if all(v is None for v in med.values()):
                continue
            boost_cell = fmt_ns(med["boost"])
            if med["boost"] is not None and key in BOOST_NOTE:
                boost_cell += f" ({BOOST_NOTE[key]})"
            cpu_rows.append([f"{label}, P={procs}", fmt_ns(med["goro"]), fmt_ns(med["go"]), boost_cell,
                             fmt_ratio(med["goro"], med["go"]), fmt_ratio(med["goro"], med["boost"])])

    debug_rows = []
    for procs in procs_list:
        for key, label in ROWS:
            release, debug = median(values("goro", procs, key)), median(values(DEBUG, procs, key))
            if release is None or debug is None:
                continue
            release_cpu = median(values("goro", procs, key + CPU))
            debug_cpu = median(values(DEBUG, procs, key + CPU))
            debug_rows.append([f"{label}, P={procs}", fmt_ns(release), fmt_ns(debug),
                               fmt_ratio(debug, release), fmt_ns(release_cpu), fmt_ns(debug_cpu),
                               fmt_ratio(debug_cpu, release_cpu)])

    header = ["benchmark", "goro", "Go", "Boost.Fiber", "goro/Go", "goro/Boost"]
    notes = [
        "Times are medians per operation (wall clock); memory is resident bytes per parked goroutine.",
        "Ratios are goro / peer, time (or bytes) ratios: lower is better for goro, < 1.00 means goro is ahead.",
        "P = GOMAXPROCS = GORO_MAXPROCS = Boost.Fiber threads (round_robin for 1, work_stealing above).",
        "(b) Boost.Fiber buffered_channel(2): one usable slot, the same as capacity 1.",
        "(c) Boost.Fiber buffered_channel(128): 127 usable slots (capacity must be a power of two).",
        "Boost.Fiber has no select: –.",
    ]

    def print_table(title, table):
        widths = [max(len(r[i]) for r in table + [header]) for i in range(len(header))]
        line = lambda r: "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                   for i, c in enumerate(r))
        print(title)
        print(line(header))
        print("  ".join("-" * w for w in widths))
        for r in table:
            print(line(r))
        print()

    def markdown(table):
        md = ["| " + " | ".join(header) + " |",
              "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |"]
        return md + ["| " + " | ".join(r) + " |" for r in table]

    print_table("Wall-clock time per operation (median):", rows)
    if cpu_rows:
        print_table("Process CPU time per operation, all threads (median):", cpu_rows)
    for n in notes:
        print(n)

    md = markdown(rows)
    md += [""] + [f"{n}  " if i < len(notes) - 1 else n for i, n in enumerate(notes)]
    (results / "table.md").write_text("\n".join(md) + "\n")
    if cpu_rows:
        (results / "cpu.md").write_text("\n".join(markdown(cpu_rows)) + "\n")

    if debug_rows:
        dh = ["benchmark", "release", "debug runtime", "debug/release",
              "release CPU", "debug CPU", "debug/release CPU"]
        widths = [max(len(r[i]) for r in debug_rows + [dh]) for i in range(len(dh))]
        print("\nDebug runtime (goro::goro_debug) against the release runtime, wall clock and process CPU (median):")
        for r in [dh, ["-" * w for w in widths]] + debug_rows:
            print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        dmd = ["| " + " | ".join(dh) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(dh) - 1)) + " |"]
        dmd += ["| " + " | ".join(r) + " |" for r in debug_rows]
        (results / "debug.md").write_text("\n".join(dmd) + "\n")

    sh = ["benchmark", "goro", "Go", "Boost.Fiber", "samples (goro/Go/Boost)"]
    smd = ["| " + " | ".join(sh) + " |", "| " + " | ".join(["---"] + ["---:"] * 4) + " |"]
    smd += ["| " + " | ".join(r) + " |" for r in spreads]
    smd += ["", "Spread = (max − min) / median of the samples of each cell."]
    (results / "spread.md").write_text("\n".join(smd) + "\n")
    print(f"\nmarkdown: {results / 'table.md'}, {results / 'cpu.md'}, {results / 'debug.md'} and {results / 'spread.md'}")


if __name__ == "__main__":
    main()
