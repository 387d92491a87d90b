#!/usr/bin/env python3
"""Writes synthetic lock-order facts for N translation units, as
goro-lock-order-inversion writes them (FactsFile; format in
docs/checks/goro-lock-order-inversion.md), to measure goro-tidy's merge
(tool/LockOrderMerge.*) at scale:

    gen_lock_facts.py N DIR       # DIR/mod<i>-<n>.lockorder.jsonl, one per TU
    goro-tidy --lock-order-facts DIR --merge-stats

The program it describes: TU i (src/mod<i>.cpp) defines class Mod<i> with
mutexes mu_0..mu_5, in blocks of 100 TUs (calls stay within a block). Per TU:

  edge records (9-10)
    - mu_0->mu_1->mu_2->mu_3->mu_4 and mu_0->mu_2: its own, acyclic order;
    - mu_4->Logger::mu_: every TU logs under its lock (a node of in-degree N);
    - mu_1->cache_mu@TU: a mutex with internal linkage (the @TU is rewritten);
    - config_mu->registry_mu from an inline function in include/registry.h
      that every TU includes: N identical records, one graph edge;
    - pool_mu->Logger::mu_ from include/pool.h, in every 10th TU.
  call records (3) and acquires records (2)
    - run() holds mu_0 and calls Mod<i+1>::lock_b(), which acquires mu_1:
      one derived edge across TUs;
    - chain() acquires mu_5 and calls Mod<i+1>::chain(): chains of calls
      across TUs, followed 8 deep (MaxCrossTUCalls), so every chain() acquires
      up to 9 mutexes;
    - guard() holds mu_4 and calls chain(): up to 9 derived edges.

so about 20 graph edges per TU (the issue's "10 edges per TU", doubled by
the calls). Cycles across TUs, per block of 100 TUs (2 per 100 TUs in all):
    - Pair<b>::left->right in TU 100b and right->left in TU 100b+1;
    - Tri<b>::x->y (edge record, TU 100b+2), y held while calling
      Tri<b>::take_z() (call, TU 100b+3), which acquires z (TU 100b+4), and
      z->x (edge record, TU 100b+4).
Every other order is acyclic, so exactly those are reported.
"""
import json
import os
import sys

BLOCK = 100


def site(file, line, col=3):
    return {"file": file, "line": line, "col": col}


def key(cls, fn):
    # Itanium-like, unique per function (the merge only compares keys).
    return "_ZN%d%s%d%sEv" % (len(cls), cls, len(fn), fn)


def tu_records(i, n):
    tu = "src/mod%d.cpp" % i
    cls = "Mod%d" % i
    mu = ["%s::mu_%d" % (cls, k) for k in range(6)]
    out = [{"kind": "tu", "version": 1, "tu": tu}]

    def edge(frm, to, fn, first, at, file=tu):
        out.append({"kind": "edge", "from": frm, "to": to, "mode": "exclusive",
                    "function": fn, "first_site": site(file, first), "site": site(file, at),
                    "via": [], "tu": tu})

    def call(fn, fn_key, callee, callee_key, at, held):
        out.append({"kind": "call", "function": fn, "function_key": fn_key, "callee": callee,
                    "callee_key": callee_key, "site": site(tu, at), "via": [],
                    "held": [{"mutex": m, "site": site(tu, line)} for m, line in held], "tu": tu})

    def acquires(fn, fn_key, mutex, at):
        out.append({"kind": "acquires", "function": fn, "function_key": fn_key, "mutex": mutex,
                    "mode": "exclusive", "site": site(tu, at), "via": [], "tu": tu})

    update = cls + "::update()"
    for k, (a, b) in enumerate([(0, 1), (1, 2), (2, 3), (3, 4), (0, 2)]):
        edge(mu[a], mu[b], update, 10 + 2 * k, 11 + 2 * k)
    edge(mu[4], "Logger::mu_", cls + "::report()", 30, 31)
    edge(mu[1], "cache_mu@" + tu, cls + "::cached()", 34, 35)
    edge("config_mu", "registry_mu", "syncRegistry()", 10, 11, file="include/registry.h")
    if i % 10 == 0:
        edge("pool_mu", "Logger::mu_", "Pool::drain()", 20, 21, file="include/pool.h")

    same_block_next = i + 1 < n and (i + 1) % BLOCK != 0
    acquires(cls + "::lock_b()", key(cls, "lock_b"), mu[1], 40)
    acquires(cls + "::chain()", key(cls, "chain"), mu[5], 44)
    if same_block_next:
        nxt = "Mod%d" % (i + 1)
        call(cls + "::run()", key(cls, "run"), nxt + "::lock_b()", key(nxt, "lock_b"), 51,
             [(mu[0], 50)])
        call(cls + "::chain()", key(cls, "chain"), nxt + "::chain()", key(nxt, "chain"), 45, [])
    call(cls + "::guard()", key(cls, "guard"), cls + "::chain()", key(cls, "chain"), 61,
         [(mu[4], 60)])

    # The cycles across TUs, at the start of each block (if the block is whole enough).
    b, r = divmod(i, BLOCK)
    if b * BLOCK + 4 < n:
        pair, tri = "Pair%d" % b, "Tri%d" % b
        if r == 0:
            edge(pair + "::left", pair + "::right", cls + "::transfer()", 70, 71)
        elif r == 1:
            edge(pair + "::right", pair + "::left", cls + "::refund()", 70, 71)
        elif r == 2:
            edge(tri + "::x", tri + "::y", cls + "::stage()", 70, 71)
        elif r == 3:
            call(cls + "::commit()", key(cls, "commit"), tri + "::take_z()", key(tri, "take_z"),
                 71, [(tri + "::y", 70)])
        elif r == 4:
            acquires(tri + "::take_z()", key(tri, "take_z"), tri + "::z", 80)
            edge(tri + "::z", tri + "::x", cls + "::rollback()", 70, 71)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_lock_facts.py N DIR")
    n, out_dir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for i in range(n):
        with open(os.path.join(out_dir, "mod%d-%d.lockorder.jsonl" % (i, n)), "w") as f:
            for record in tu_records(i, n):
                f.write(json.dumps(record, separators=(",", ":")) + "\n")
    blocks = sum(1 for b in range((n + BLOCK - 1) // BLOCK) if b * BLOCK + 4 < n)
    print("%d TUs, %d cycles across TUs expected" % (n, 2 * blocks))


if __name__ == "__main__":
    main()
