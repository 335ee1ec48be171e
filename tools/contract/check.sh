#!/usr/bin/env bash
# The contract check an integrator would run: api/openapi.yaml (public and admin API in
# one file) must pass Redocly's recommended rules with zero errors, and the Go client
# (oapi-codegen, types + client) and the TypeScript types (openapi-typescript) generated
# from it must compile (go vet; tsc --strict). Every tool is pinned: npm ones in
# package.json/package-lock.json, oapi-codegen through `go run module@version`.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
spec="$here/../../api/openapi.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v npm >/dev/null 2>&1; then
  echo "contract: installing Node.js and npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -x node_modules/.bin/redocly ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "contract: redocly lint (recommended rules)"
node_modules/.bin/redocly lint --config redocly.yaml --format stylish "$spec" 2>&1 | grep -v "Node.js 20 support\|║\|╔\|╚" || {
  echo "contract: redocly lint failed"; exit 1; }

echo "contract: oapi-codegen types + client, go vet"
mkdir -p "$work/go/ccpclient"
go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml "$spec" > "$work/go/ccpclient/client.go"
(cd "$work/go" && printf 'module ccpcontract\n\ngo 1.26\n' > go.mod &&
  go get github.com/oapi-codegen/runtime@v1.9.0 >/dev/null 2>&1 && go mod tidy >/dev/null 2>&1 && go vet ./...)

echo "contract: openapi-typescript, tsc --strict"
mkdir -p "$work/ts"
node_modules/.bin/openapi-typescript "$spec" -o "$work/ts/api.d.ts" >/dev/null
cp typecheck.ts "$work/ts/"
(cd "$work/ts" && "$here/node_modules/.bin/tsc" --strict --noEmit --target es2022 --module es2022 --moduleResolution bundler api.d.ts typecheck.ts)
echo "contract: ok"
