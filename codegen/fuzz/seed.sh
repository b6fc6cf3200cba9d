#!/usr/bin/env bash
# Builds the seed corpora in codegen/fuzz/corpus/<target>/ from the repository's own inputs:
# codegen/tests/fixtures, db/migrations, services/*/queries and the root sqlgen.yaml.
# The query target's input is `schema`, a NUL byte, then `queries`.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$fuzz/../.." && pwd)"
fixtures="$repo/codegen/tests/fixtures"
corpus="$fuzz/corpus"
mkdir -p "$corpus/config" "$corpus/migration" "$corpus/query"

seed() { # seed TARGET NAME < content
  cat > "$corpus/$1/$2"
}

# Config: every sqlgen.yaml in the repository.
while IFS= read -r f; do
  name="$(realpath --relative-to="$repo" "$f" | tr '/' '_')"
  seed config "$name" < "$f"
done < <(find "$repo/sqlgen.yaml" "$fixtures" -name sqlgen.yaml | sort)

# Migration: every schema and migration file (a fixture's schema.sql, migration folders, db/migrations).
while IFS= read -r f; do
  name="$(realpath --relative-to="$repo" "$f" | tr '/' '_')"
  seed migration "$name" < "$f"
done < <(find "$fixtures" "$repo/db/migrations" -name '*.sql' ! -name query.sql | sort)

# Query: each fixture's schema.sql + query.sql, and each service query file against db/migrations.
for dir in "$fixtures"/*/; do
  [ -f "$dir/query.sql" ] || continue
  schema=/dev/null
  [ -f "$dir/schema.sql" ] && schema="$dir/schema.sql"
  { cat "$schema"; printf '\0'; cat "$dir/query.sql"; } | seed query "$(basename "$dir")"
done
for f in "$repo"/services/*/queries/*.sql; do
  name="$(realpath --relative-to="$repo" "$f" | tr '/' '_')"
  { cat "$repo"/db/migrations/*.sql; printf '\0'; cat "$f"; } | seed query "$name"
done

echo "seeded $corpus: config $(ls "$corpus/config" | wc -l), migration $(ls "$corpus/migration" | wc -l), query $(ls "$corpus/query" | wc -l)"
