#!/usr/bin/env bash
# Build cost of the codegen build-dependency: a clean `cargo build -p apiauth` as the repository
# has it, and in a scratch copy where no service has the build script or the codegen
# build-dependency (the generated code is committed, so it still compiles); then a no-op build
# that must not rerun build.rs.
#
#   bash bench/build_cost.sh [WORK] [REV]   # WORK defaults to /tmp/sqlgen-build-cost, REV to HEAD
#
# Both clean builds use their own CARGO_TARGET_DIR under WORK (deleted first) and the dev profile.
# CPU heavy: run it once, on a quiet machine if you can.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/sqlgen-build-cost}
rev=${2:-HEAD}
rm -rf "$work"
mkdir -p "$work"

measure() { # name dir target
    local name=$1 dir=$2 target=$3
    ( cd "$dir" && CARGO_TARGET_DIR=$target /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" \
        cargo build -q -p apiauth )
    read -r wall user sys rss <"$work/$name.time"
    printf '| %s | %.1f s | %.1f s | %d MiB |\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024))
}

# The scratch copy: the committed tree, without the build script and codegen build-dependency.
git -C "$root" archive "$rev" | tar -x -C "$work" --one-top-level=without
for toml in "$work"/without/services/*/Cargo.toml; do
    sed -i -e '/^build = "..\/..\/build.rs"$/d' -e '/^\[build-dependencies\]$/,/^$/d' "$toml"
done
git -C "$root" archive "$rev" | tar -x -C "$work" --one-top-level=with

echo "| clean \`cargo build -p apiauth\` (dev profile) | wall | CPU (user+sys) | peak RSS |"
echo "|---|---:|---:|---:|"
measure "with the codegen build-dependency" "$work/with" "$work/target-with"
measure "without it (generated code committed)" "$work/without" "$work/target-without"
# The difference, compiled alone: codegen as the build scripts take it (no CLI features).
( cd "$work/with" && CARGO_TARGET_DIR=$work/target-codegen /usr/bin/time -f "%e %U %S %M" -o "$work/codegen.time" \
    cargo build -q -p codegen --no-default-features --lib )
read -r wall user sys rss <"$work/codegen.time"
printf '| %s | %.1f s | %.1f s | %d MiB |\n' "codegen alone (\`--no-default-features --lib\`)" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024))

echo
echo "No-op rebuild (with): build scripts must be Fresh, not Running:"
( cd "$work/with" && CARGO_TARGET_DIR=$work/target-with cargo build -v -p apiauth 2>&1 ) \
    | grep -E 'Fresh (apiauth|shared|codegen)|Running .*build-script|Compiling' || true
( cd "$work/with" && CARGO_TARGET_DIR=$work/target-with /usr/bin/time -f "%e" -o "$work/noop.time" cargo build -q -p apiauth )
echo "no-op build wall: $(cat "$work/noop.time") s"
