#!/bin/sh
# Times goro-tidy's whole-program lock-order merge (tool/LockOrderMerge.*) on
# synthetic facts (gen_lock_facts.py) for growing numbers of TUs, to show that
# it is linear. Not a test: CI never runs it.
#
#   bench/tidy/merge_scaling.sh [N...]      (default: 1000 10000)
#
# Environment: GORO_TIDY (default build/default/tool/goro-tidy), ROUNDS (3),
# WORK (default build/bench-tidy). Prints, per N and round, goro-tidy's own
# --merge-stats line (sizes; wall time to read the facts and to merge them)
# and /usr/bin/time's wall, user and system time and peak RSS of the whole
# process, then the load average. On a shared machine compare CPU (user+sys):
# the wall time includes waiting for a core.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tidy=${GORO_TIDY:-$root/build/default/tool/goro-tidy}
rounds=${ROUNDS:-3}
work=${WORK:-$root/build/bench-tidy}
[ -x "$tidy" ] || { echo "merge_scaling.sh: no goro-tidy at $tidy (build the goro-tidy target)" >&2; exit 2; }
[ $# -gt 0 ] || set -- 1000 10000

for n in "$@"; do
  dir=$work/facts-$n
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    python3 "$here/gen_lock_facts.py" "$n" "$dir"
    # The facts name src/ and include/ files: the directories exist (as in a
    # real tree) so that looking up their .clang-tidy finds nothing, quietly.
    mkdir -p "$dir/src" "$dir/include"
    touch "$dir/.complete"
  fi
  r=1
  while [ "$r" -le "$rounds" ]; do
    (cd "$dir" && /usr/bin/time -f "N=$n round $r: %e s wall, %U s user, %S s sys, %M KB max RSS" \
      "$tidy" --lock-order-facts . --merge-stats 2>&1 >/dev/null | grep -e 'lock-order merge' -e '^N=') || true
    r=$((r + 1))
  done
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
