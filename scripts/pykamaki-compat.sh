#!/usr/bin/env bash
# Runs the real Python kamaki (0.16, under pyenv's Python 2.7) against
# synnefo-emu: if the reference client cannot use the emulator, the emulator
# is wrong. Each check prints PASS or FAIL; the script exits non-zero if any
# check failed.
#
#   scripts/pykamaki-compat.sh            # builds synnefo-emu, installs kamaki in target/pykamaki
#
set -uo pipefail
cd "$(dirname "$0")/.."

PY="env PYENV_VERSION=2.7.18 python2.7"
if ! $PY -c 'import sys' 2>/dev/null; then
  echo "pykamaki-compat: python2.7 (pyenv 2.7.18) is not available here" >&2
  exit 2
fi
DIR=target/pykamaki
if [ ! -x "$DIR/bin/kamaki" ]; then
  $PY -m pip install -q --disable-pip-version-check --target "$DIR" kamaki==0.16 >/dev/null 2>&1 || {
    echo "pykamaki-compat: cannot install kamaki==0.16 from PyPI" >&2
    exit 2
  }
fi
cargo build -q -p synnefo-emu || exit 1

WORK=$(mktemp -d)
trap 'kill $EMU_PID 2>/dev/null; rm -rf "$WORK"' EXIT
./target/debug/synnefo-emu --listen 127.0.0.1:0 \
  --user user@example.com:compat-token --user other@example.com:other-token \
  >"$WORK/emu.out" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 50); do grep -q '^TOKEN=' "$WORK/emu.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^AUTHENTICATION_URL=//p' "$WORK/emu.out")
[ -n "$URL" ] || { echo "pykamaki-compat: the emulator did not start" >&2; cat "$WORK/emu.err" >&2; exit 1; }
cat >"$WORK/kamakirc" <<CONF
[global]
default_cloud = emu

[cloud "emu"]
url = $URL
token = compat-token
CONF

kamaki() { env PYENV_VERSION=2.7.18 PYTHONPATH="$DIR" python2.7 "$DIR/bin/kamaki" --config "$WORK/kamakirc" "$@" 2>&1; }

FAILED=0
# check NAME EXPECTED-REGEX -- kamaki arguments...
check() {
  local name=$1 expect=$2; shift 3
  local out
  out=$(kamaki "$@")
  if [ $? -eq 0 ] && grep -Eq -- "$expect" <<<"$out"; then
    echo "PASS $name"
  else
    echo "FAIL $name: kamaki $*"; sed 's/^/    /' <<<"$out" | head -20
    FAILED=$((FAILED + 1))
  fi
}

OTHER_UUID=$(sed -n 's/^user other@example.com uuid //p' "$WORK/emu.err")
check "user authenticate" "serviceCatalog" -- user authenticate
check "user info" "name: User" -- user info
check "user uuid2name" "other@example.com" -- user uuid2name "$OTHER_UUID"
check "user name2uuid" "$OTHER_UUID" -- user name2uuid other@example.com
check "user list" "User" -- user list

echo "$((FAILED)) failed"
[ "$FAILED" -eq 0 ]
