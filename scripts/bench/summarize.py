#!/usr/bin/env python3
"""Collects the results of scripts/bench/peers.sh into one table with ratios.

    summarize.py RESULTS_FILE CRITERION_DIR [JMH_JSON]

RESULTS_FILE holds `RESULT peer=... op=... median_ns=... min_ns=... max_ns=...` lines (from
the peers and the Go parser below); CRITERION_DIR is the criterion output of the codec bench
(target/criterion); JMH_JSON is JMH's `-rf json` output. Prints a markdown table: per op,
each implementation's median ns/op with its spread, and the ratio to ours (peer / unipos).
"""

import json
import os
import statistics
import sys


def parse_results(path):
    rows = []
    if not os.path.exists(path):
        return rows
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        kv = dict(p.split("=", 1) for p in line.split()[1:])
        rows.append(kv)
    return rows


def criterion_row(crit_dir, group, bench, op):
    path = os.path.join(crit_dir, group, bench, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    est = json.load(open(path))
    med = est["median"]
    return {
        "peer": "unipos (Rust)",
        "op": op,
        "median_ns": med["point_estimate"],
        "min_ns": med["confidence_interval"]["lower_bound"],
        "max_ns": med["confidence_interval"]["upper_bound"],
        "spread": "95%% CI of the median; MAD %.1f ns" % est["median_abs_dev"]["point_estimate"],
    }


def jmh_rows(path):
    rows = []
    if not path or not os.path.exists(path):
        return rows
    names = {"packOnly": "pack", "buildAndPack": "build_and_pack", "unpack": "unpack"}
    for b in json.load(open(path)):
        name = b["benchmark"].rsplit(".", 1)[-1]
        raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
        rows.append({
            "peer": "jPOS (Java, JMH)",
            "op": names.get(name, name),
            "median_ns": statistics.median(raw),
            "min_ns": min(raw),
            "max_ns": max(raw),
            "spread": "min-max of %d measurement iterations" % len(raw),
        })
    return rows


def main():
    results, crit = sys.argv[1], sys.argv[2]
    jmh = sys.argv[3] if len(sys.argv) > 3 else None
    rows = []
    for op in ("pack", "unpack"):
        r = criterion_row(crit, "iso8583_0200_sale_with_f55", op, op)
        if r:
            rows.append(r)
    labels = {"pyiso8583": "pyiso8583 (Python, timeit)", "moov": "moov-io/iso8583 (Go, testing.B)"}
    for r in parse_results(results):
        r["peer"] = labels.get(r["peer"], r["peer"])
        r.setdefault("spread", "min-max of %s rounds" % r.get("rounds", "?"))
        rows.append(r)
    rows += jmh_rows(jmh)
    ours = {r["op"]: float(r["median_ns"]) for r in rows if r["peer"].startswith("unipos")}
    print("| operation | implementation | median ns/op | spread (ns) | ratio to unipos |")
    print("|---|---|---:|---|---:|")
    order = {"pack": 0, "build_and_pack": 1, "unpack": 2}
    for r in sorted(rows, key=lambda r: (order.get(r["op"], 9), r["op"], float(r["median_ns"]))):
        base_op = "pack" if r["op"] in ("pack", "build_and_pack") else r["op"]
        base = ours.get(base_op)
        med = float(r["median_ns"])
        ratio = "%.1f×" % (med / base) if base and not r["peer"].startswith("unipos") else "1×" if base else "-"
        if r["op"] == "dict_copy_overhead":
            ratio = "(overhead, not a codec op)"
        print("| %s | %s | %.1f | %.1f–%.1f (%s) | %s |" % (
            r["op"], r["peer"], med, float(r["min_ns"]), float(r["max_ns"]), r["spread"], ratio))


if __name__ == "__main__":
    main()
