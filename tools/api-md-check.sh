#!/usr/bin/env bash
# Fails when API.md is stale: regenerates it from the compiled jsii assembly (.jsii) into a
# temporary file with jsii-docgen, exactly as projen's docgen task does, and compares.
#
# Usage:
#   tools/api-md-check.sh          compare with API.md in the working tree: run it after the jsii
#                                  compile and before docgen rewrites API.md (or on a fresh clone)
#   tools/api-md-check.sh --head   compare with API.md as committed (git HEAD): usable at any
#                                  point, also after the build has regenerated API.md
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "api-md-check: $*" >&2
  exit 1
}

[ -f .jsii ] || fail "no .jsii assembly: compile first (npx jsii --silence-warnings=reserved-word, or npx projen compile)"
stale="$(find src -name '*.ts' -newer .jsii -print -quit)"
[ -z "$stale" ] || fail ".jsii is older than $stale: compile again first"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/api-md.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

case "${1:-}" in
  --head)
    what="API.md as committed"
    git rev-parse --git-dir >/dev/null 2>&1 || fail "--head needs a git checkout"
    git cat-file -e HEAD:API.md 2>/dev/null || fail "API.md is not committed: run npx projen docgen and commit API.md"
    git show HEAD:API.md > "$tmp/expected.md"
    ;;
  "")
    what="API.md"
    [ -f API.md ] || fail "there is no API.md: run npx projen docgen and commit API.md"
    cp API.md "$tmp/expected.md"
    ;;
  *)
    fail "unknown option $1 (expected nothing or --head)"
    ;;
esac

npx --no-install jsii-docgen -o "$tmp/API.md" >/dev/null || fail "jsii-docgen failed (see above)"
if ! diff -u --label "$what" --label "API.md generated from .jsii" "$tmp/expected.md" "$tmp/API.md" > "$tmp/diff"; then
  head -n 60 "$tmp/diff" >&2
  fail "$what is stale ($(grep -c '^[-+][^-+]' "$tmp/diff") changed lines): run npx projen docgen and commit API.md"
fi
echo "api-md-check: $what matches the public API"
