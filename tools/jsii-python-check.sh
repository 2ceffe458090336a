#!/usr/bin/env bash
# Generates the Python bindings of the compiled jsii assembly (.jsii) and fails on any error:
# a check that the public API is usable from Python, run after the jsii compile step.
#
# Code only: building and packaging the Python distribution needs PyPI, which is not reachable
# from these machines, and the project declares no Python target (publishToPypi is off). So the
# check works on a temporary copy of the package (package.json, .jsii, lib/, assets/...) in
# which, when the assembly has no Python target, one is declared with the names publishing
# would use; jsii-pacmak generates into a temporary directory. Nothing in the project is
# written or changed.
#
# Usage: tools/jsii-python-check.sh        (from anywhere; works on the project containing it)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "jsii-python-check: $*" >&2
  exit 1
}

[ -f .jsii ] || fail "no .jsii assembly: compile first (npx jsii --silence-warnings=reserved-word, or npx projen compile)"
[ -d lib ] || fail "no lib/: compile first"
stale="$(find src -name '*.ts' -newer .jsii -print -quit)"
[ -z "$stale" ] || fail ".jsii is older than $stale: compile again first"

work="$(mktemp -d "${TMPDIR:-/tmp}/jsii-python.XXXXXX")"
trap 'rm -rf "$work"' EXIT
package="$work/package"
mkdir -p "$package"
# What `npm pack` puts in the package (jsii-pacmak embeds that tarball in the Python bindings).
for part in package.json .npmignore README.md LICENSE lib assets; do
  if [ -e "$part" ]; then cp -R "$part" "$package/"; fi
done
cp .jsii* "$package/"
ln -s "$PWD/node_modules" "$package/node_modules"

node - "$package" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const read = file => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'));
const write = (file, value) => fs.writeFileSync(path.join(dir, file), JSON.stringify(value, undefined, 2));
const pkg = read('package.json');
const assembly = read('.jsii');
if (assembly.schema === 'jsii/file-redirect') {
  throw new Error(`.jsii redirects to ${assembly.filename}: compressed assemblies are not supported by this check`);
}
if (assembly.targets?.python) {
  console.log(`jsii-python-check: Python target ${JSON.stringify(assembly.targets.python)}`);
} else {
  const name = pkg.name.replace(/^@/, '').replace('/', '.');
  const python = { distName: name, module: name.replace(/[-.]/g, '_') };
  assembly.targets = { ...assembly.targets, python };
  pkg.jsii = { ...pkg.jsii, targets: { ...pkg.jsii?.targets, python } };
  write('.jsii', assembly);
  write('package.json', pkg);
  console.log(`jsii-python-check: no Python target declared; generating as ${JSON.stringify(python)}`);
}
JS

npx --no-install jsii-pacmak --target python --code-only --no-npmignore --no-fingerprint --force \
  --outdir "$work/dist" "$package" \
  || fail "jsii-pacmak could not generate the Python bindings (see above)"

module="$(find "$work/dist" -name '__init__.py' -path '*/src/*' -print -quit)"
[ -n "$module" ] || fail "jsii-pacmak reported success but generated no Python module"
# The generated code must at least be valid Python (a syntax check: the jsii runtime is not installed here).
if command -v python3 >/dev/null; then
  find "$work/dist" -name '*.py' -print0 | xargs -0 python3 -m py_compile \
    || fail "the generated Python code does not compile (see above)"
fi
echo "jsii-python-check: Python bindings generated ($(find "$work/dist" -name '*.py' | wc -l | tr -d ' ') .py files)"
