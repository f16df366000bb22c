#!/usr/bin/env bash
# The one bootstrap of MatchMinds, used by `make run`, `make test`, .ci/run and GitHub alike.
#
#   scripts/bootstrap.sh python   the venv with the locked Python packages (make run, lint, benchmarks)
#   scripts/bootstrap.sh test     the same, plus what the test suite needs: the OIDC provider's npm
#                                 packages and Debian's chromium, fonts-nanum and gettext
#   scripts/bootstrap.sh cluster  the same as python, plus the servers of `make cluster-up`
#                                 (haproxy, redis-server, redis-sentinel, postgresql, iproute2)
#
# Idempotent and quick once done: each step leaves a stamp with the hash of what it installed
# and is skipped while that hash is unchanged. Debian packages are installed only as root;
# anyone else is told the one apt-get command to run.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."

MODE=${1:-python}
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
BIN="$VENV/bin"
LOCK=requirements-dev.txt

say() { echo "bootstrap: $*" >&2; }

fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

python_packages() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "MatchMinds needs Python 3.11 or newer as \`$PYTHON\` (set PYTHON=/path/to/python3.11)."
    exit 1
  fi
  [ -x "$BIN/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.bootstrap-python" want
  want="$(fingerprint "$LOCK" requirements.txt) $("$BIN/python" -c 'import sys; print(sys.version.split()[0])')"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return
  fi
  say "installing the locked Python packages ($LOCK) into $VENV"
  # --no-deps: the lock already lists every transitive package, each with its hashes. The
  # filter drops pip's warnings about a machine's pip.conf naming local indexes that don't exist.
  "$BIN/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$LOCK" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
  echo "$want" >"$stamp"
}

debian_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/nanum ] || missing+=(fonts-nanum)
  command -v msgfmt >/dev/null || missing+=(gettext)
  apt_install "the browser tests" "${missing[@]}"
}

cluster_packages() {
  local missing=()
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  apt_install "the cluster (make cluster-up, needs root)" "${missing[@]}"
}

apt_install() {
  local purpose=$1
  shift
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ]; then
    say "$purpose need Debian packages; run: sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

npm_packages() {
  local dir=tests/oidc_provider
  [ -f "$dir/package-lock.json" ] || return 0
  if ! command -v npm >/dev/null; then
    say "the sign-in tests need Node.js 20+ and npm; run: sudo apt-get install --no-install-recommends nodejs npm"
    exit 1
  fi
  local stamp="$dir/node_modules/.bootstrap-npm" want
  want=$(fingerprint "$dir/package-lock.json")
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return
  fi
  say "installing the OIDC provider's npm packages ($dir/package-lock.json)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" >"$stamp"
}

case "$MODE" in
  python) python_packages ;;
  test)
    python_packages
    debian_packages
    npm_packages
    ;;
  cluster)
    python_packages
    cluster_packages
    ;;
  *)
    say "usage: scripts/bootstrap.sh python|test|cluster"
    exit 2
    ;;
esac
