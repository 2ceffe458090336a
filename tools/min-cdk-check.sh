#!/usr/bin/env bash
# Type-checks the public library (everything src/index.ts reaches) against the lowest
# aws-cdk-lib the package's peerDependency allows, so the claimed minimum stays true while the
# tests run against a newer aws-cdk-lib.
set -euo pipefail
cd "$(dirname "$0")/.."
min="$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[^0-9]*/, '')")"
constructs="$(node -p "require('./package.json').peerDependencies['constructs'].replace(/^[^0-9]*/, '')")"
work="$(mktemp -d "${TMPDIR:-/tmp}/min-cdk.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r src "$work/src"
cat > "$work/package.json" <<JSON
{ "name": "min-cdk-check", "private": true,
  "dependencies": { "aws-cdk-lib": "$min", "constructs": "$constructs", "yaml": "^2", "@types/node": "^20", "typescript": "~6.0.0" } }
JSON
cat > "$work/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "node16", "strict": true, "noEmit": true, "skipLibCheck": true,
    "types": ["node"], "esModuleInterop": true, "resolveJsonModule": true }, "files": ["src/index.ts"] }
JSON
(cd "$work" && npm install --no-audit --no-fund --silent >/dev/null && npx tsc -p tsconfig.json)
echo "min-cdk-check: the library type-checks against aws-cdk-lib $min"
