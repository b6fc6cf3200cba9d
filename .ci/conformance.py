#!/usr/bin/env python3
"""Scores `sqlgen describe` on a corpus (../shared/conformance or ../shared/realworld) and fails below
the project's floors for it. Floors only ever rise.

conformance (issue 3, raised by issue 14): against PostgreSQL, at most 0.5% of the queries it accepts are rejected, and
parameter and column types and column names agree on at least 99.9% of fields; queries PostgreSQL
rejects are rejected too, except the documented exceptions below. Against sqlc, nullability agrees on
at least 96.5% of fields: every disagreement is in a class where sqlc is known to be wrong
(aggregates, function results, casts, scalar subqueries) or where sqlgen follows PostgreSQL (coalesce
with a non-null argument, CREATE TABLE AS, a WHERE or inner-join condition on the nullable side of an
outer join, which drops its NULL rows).

realworld (issue 14): at most 0.5% of the queries PostgreSQL accepts are rejected (893 of 893
analysed when set), types and column names agree on at least 99.9% of fields. Queries PostgreSQL
rejects there are not judged: most fail only because PostgreSQL ran each project's schema dump in
sqlc's file order, where a table precedes the sequence its default reads, or without an extension.

A run that finds no cases fails.
"""
import json
import os
import subprocess
import sys
import tempfile

corpus, binary = sys.argv[1], sys.argv[2]
NAME = os.path.basename(os.path.normpath(corpus))
FLOORS = {
    "conformance": {"rejected": 0.005, "types": 0.999, "names": 0.999, "judge_rejections": True, "sqlc_nulls": 0.965},
    "realworld": {"rejected": 0.005, "types": 0.999, "names": 0.999, "judge_rejections": False, "sqlc_nulls": None},
}[NAME]
# PostgreSQL rejected these only because the oracle's server lacked the extension (pgvector);
# sqlgen accepts extension types it has no catalogue for, with a warning.
ALLOWED_UNEXPECTED_SUCCESS = {"sqlc/pg_vector"}


def score(oracle):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        report = f.name
    cmd = [sys.executable, os.path.join(corpus, "compare.py"), "--cmd", f"{binary} describe --config {{config}}",
           "--expected", oracle, "--report", report]
    subprocess.run(cmd, cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(report) as f:
        return json.load(f)


failures = []
pg = score("pg")
t = pg["total"]
if t["cases"] == 0 or t["expected"] == 0:
    failures.append("the scorer found no cases")
# `expected` counts the queries PostgreSQL accepts; those it rejects are `agreed_failures` (sqlgen
# rejects them too) or `unexpected_success`.
accepted = t["expected"]
rejected = t["errors"] / max(accepted, 1)
types = 1 - t["type_mismatches"] / max(t["type_fields"], 1)
names = 1 - t["name_mismatches"] / max(t["type_fields"], 1)
unexpected = sorted(cid for cid, c in pg["cases"].items() if c["counts"]["unexpected_success"] and cid not in ALLOWED_UNEXPECTED_SUCCESS)
if not FLOORS["judge_rejections"]:
    unexpected = []
print(f"{NAME} pg:   {t['cases']} cases, {t['expected']} queries; PostgreSQL accepts {accepted}, sqlgen rejects {t['errors']} ({rejected:.1%}); "
      f"types {types:.2%} of {t['type_fields']} fields; names {names:.2%}; agreed rejections {t['agreed_failures']}; "
      f"accepted what PostgreSQL rejects: {t['unexpected_success']}")
if rejected > FLOORS["rejected"]:
    failures.append(f"rejected {rejected:.1%} of the queries PostgreSQL accepts (floor: at most {FLOORS['rejected']:.1%})")
if types < FLOORS["types"]:
    failures.append(f"types agree on {types:.2%} (floor {FLOORS['types']:.1%})")
if names < FLOORS["names"]:
    failures.append(f"column names agree on {names:.2%} (floor {FLOORS['names']:.1%})")
if unexpected:
    failures.append(f"accepted queries PostgreSQL rejects in {', '.join(unexpected)}")

if FLOORS["sqlc_nulls"] is not None:
    s = score("sqlc")["total"]
    nulls = 1 - s["nullability_mismatches"] / max(s["type_fields"], 1)
    print(f"{NAME} sqlc: nullability agrees on {nulls:.2%} of {s['type_fields']} fields ({s['nullability_mismatches']} differ)")
    if s["cases"] == 0:
        failures.append("the sqlc scorer found no cases")
    if nulls < FLOORS["sqlc_nulls"]:
        failures.append(f"nullability agrees with sqlc on {nulls:.2%} (floor {FLOORS['sqlc_nulls']:.1%})")

for f in failures:
    print(f"{NAME}: {f}", file=sys.stderr)
sys.exit(1 if failures else 0)
