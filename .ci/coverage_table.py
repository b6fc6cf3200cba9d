#!/usr/bin/env python3
"""Prints line coverage per crate from `cargo llvm-cov report --json --summary-only` and fails below
the floors (issue 17): 95% for each service crate and for sqlgen-runtime, 92% for codegen.

Usage: coverage_table.py SUMMARY_JSON CARGO_METADATA_JSON HELPER_CRATE...

Each source file belongs to the workspace crate whose folder holds it most closely (codegen/runtime/
is sqlgen-runtime, not codegen). A crate of the workspace that has no floor here and is not named
as a helper fails the run, so a new product crate cannot go unmeasured.
"""
import json
import os
import sys

FLOORS = {
    "codegen": 92.0,
    "sqlgen-runtime": 95.0,
    "shared": 95.0,
    "apiauth": 95.0,
    "apivote": 95.0,
    "secretstore": 95.0,
}

summary_path, metadata_path, *helpers = sys.argv[1:]
with open(summary_path) as f:
    files = json.load(f)["data"][0]["files"]
with open(metadata_path) as f:
    metadata = json.load(f)

members = set(metadata["workspace_members"])
folders = []
for package in metadata["packages"]:
    if package["id"] in members:
        folders.append((os.path.dirname(package["manifest_path"]) + os.sep, package["name"]))
# The deepest folder first, so a file of codegen/runtime/ is the runtime's.
folders.sort(key=lambda entry: len(entry[0]), reverse=True)

unknown = sorted(name for _, name in folders if name not in FLOORS and name not in helpers)
if unknown:
    sys.exit(f"coverage: no floor for workspace crate(s) {', '.join(unknown)}: add one in .ci/coverage_table.py or name it a helper in .ci/coverage")

totals = {name: [0, 0] for name in FLOORS}
for entry in files:
    path = entry["filename"]
    owner = next((name for folder, name in folders if path.startswith(folder)), None)
    if owner in totals:
        lines = entry["summary"]["lines"]
        totals[owner][0] += lines["count"]
        totals[owner][1] += lines["covered"]

failed = []
print(f"{'crate':<16}{'lines':>8}{'missed':>8}{'cover':>9}{'floor':>8}")
for name, floor in FLOORS.items():
    count, covered = totals[name]
    if count == 0:
        failed.append(f"{name}: no lines measured")
        continue
    percent = 100.0 * covered / count
    mark = "" if percent >= floor else "  BELOW FLOOR"
    print(f"{name:<16}{count:>8}{count - covered:>8}{percent:>8.2f}%{floor:>7.1f}%{mark}")
    if percent < floor:
        failed.append(f"{name}: {percent:.2f}% < {floor:.1f}%")
count = sum(c for c, _ in totals.values())
covered = sum(v for _, v in totals.values())
print(f"{'total':<16}{count:>8}{count - covered:>8}{100.0 * covered / count:>8.2f}%")
print(f"not reported (test helpers, not products): {', '.join(helpers)}")
if failed:
    sys.exit("coverage below the floor: " + "; ".join(failed))
