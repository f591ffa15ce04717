#!/usr/bin/env bash
# Runs the real Python kamaki (0.16, under pyenv's Python 2.7) against
# synnefo-emu: if the reference client cannot use the emulator, the emulator
# is wrong. Each check prints PASS or FAIL; the script exits non-zero if any
# check failed.
#
#   scripts/pykamaki-compat.sh            # builds synnefo-emu, installs kamaki in target/pykamaki
#   scripts/pykamaki-compat.sh --data-dir # the same against an emulator that keeps its state on disk
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
cargo build -q -p synnefo-emu -p kamaki-cli || exit 1

WORK=$(mktemp -d)
trap 'kill $EMU_PID 2>/dev/null; rm -rf "$WORK"' EXIT
EMU_ARGS=()
MODE="in memory"
if [ "${1:-}" = "--data-dir" ]; then
  EMU_ARGS=(--data-dir "$WORK/data")
  MODE="with --data-dir"
fi
./target/debug/synnefo-emu --listen 127.0.0.1:0 --image-listing bare "${EMU_ARGS[@]}" \
  --user user@example.com:compat-token --user other@example.com:other-token \
  >"$WORK/emu.out" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 50); do grep -q '^TOKEN=' "$WORK/emu.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^AUTHENTICATION_URL=//p' "$WORK/emu.out")
SERVICE_TOKEN=$(sed -n 's/^SERVICE_TOKEN=//p' "$WORK/emu.out")
[ -n "$URL" ] || { echo "pykamaki-compat: the emulator did not start" >&2; cat "$WORK/emu.err" >&2; exit 1; }
cat >"$WORK/kamakirc" <<CONF
[global]
default_cloud = emu
service_cli = astakos
commission_cli = astakos

[cloud "emu"]
url = $URL
token = compat-token

# kamaki's way to the calls Astakos reserves to services: the astakos
# client of this cloud gets the service (component) token.
[cloud "svc"]
url = $URL
token = compat-token
astakos_url = $URL
astakos_token = $SERVICE_TOKEN
CONF

kamaki() { env PYENV_VERSION=2.7.18 PYTHONPATH="$DIR" python2.7 "$DIR/bin/kamaki" --config "$WORK/kamakirc" "$@" 2>&1; }

FAILED=0
PASSED=0
# check NAME EXPECTED-REGEX -- kamaki arguments...
check() {
  local name=$1 expect=$2; shift 3
  local out
  out=$(kamaki "$@")
  local rc=$?
  if [ $rc -eq 0 ] && { [ "$expect" = "^$" ] || grep -Eq -- "$expect" <<<"$out"; }; then
    echo "PASS $name"
    PASSED=$((PASSED + 1))
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
check "service quotas (service token)" "$OTHER_UUID" -- service quotas --service-token "$SERVICE_TOKEN"
check "service uuid2username (service token)" "other@example.com" -- service uuid2username --service-token "$SERVICE_TOKEN" --uuid "$OTHER_UUID"
check "commission pending (service token)" "^$" -- --cloud svc commission pending

# Compute, network, block storage.
IMAGE=1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01
check "flavor list" "C1R1024D20" -- flavor list
check "image list" "Debian Base" -- image list
check "server create -w" "status: ACTIVE|ACTIVE" -- server create --name compat-vm --flavor-id 1 --image-id "$IMAGE" -w
SERVER=$(kamaki server list | sed -n 's/^\([0-9][0-9]*\) compat-vm.*/\1/p' | head -1)
check "server list" "compat-vm" -- server list
check "server info" "compat-vm" -- server info "$SERVER"
check "server shutdown -w" "STOPPED" -- server shutdown "$SERVER" -w
check "server start -w" "ACTIVE" -- server start "$SERVER" -w
check "network create" "compat-net" -- network create --name compat-net
NET=$(kamaki network list | sed -n 's/^\([0-9][0-9]*\) compat-net.*/\1/p' | head -1)
check "subnet create" "10.0.0.0/24" -- subnet create --network-id "$NET" --cidr 10.0.0.0/24
check "port create -w" "ACTIVE|BUILD" -- port create --network-id "$NET" --device-id "$SERVER" -w
check "ip create" "floating_ip_address" -- ip create
check "volume types" "drbd" -- volume types
check "volume create" "compat-vol" -- volume create --name compat-vol --size 1 --server-id "$SERVER" --volume-type 1
check "quota list" "cyclades.vm" -- quota list
check "project list" "." -- project list
# A snapshot of an Archipelago (ext_vlmc) volume: an image and a Pithos
# object in the owner's `snapshots` container.
EXT_FLAVOR=$(kamaki flavor list | sed -n 's/^\([0-9][0-9]*\) C1R1024D20ext_vlmc$/\1/p' | head -1)
check "server create (ext_vlmc) -w" "ACTIVE" -- server create --name compat-ext --flavor-id "$EXT_FLAVOR" --image-id "$IMAGE" -w
EXT_SERVER=$(kamaki server list | sed -n 's/^\([0-9][0-9]*\) compat-ext.*/\1/p' | head -1)
EXT_VOLUME=$(kamaki server info "$EXT_SERVER" | sed -n '/^volumes:/{n;s/^ *\([0-9][0-9]*\).*/\1/p}' | head -1)
check "snapshot create" "compat-snap" -- snapshot create --volume-id "$EXT_VOLUME" --name compat-snap
check "snapshot list" "compat-snap" -- snapshot list
check "image list (snapshot)" "compat-snap" -- image list
check "file list /snapshots" "compat-snap" -- file list /snapshots
# --output-format json of kamaki 0.16 and of ours, parsed: the same JSON
# (what the server sent, field for field and type for type).
json_same() {
  local name=$1; shift 2
  env PYENV_VERSION=2.7.18 PYTHONPATH="$DIR" python2.7 "$DIR/bin/kamaki" --config "$WORK/kamakirc" "$@" --output-format json >"$WORK/py.json" 2>/dev/null
  ./target/debug/kamaki --config "$WORK/kamakirc" "$@" --output-format json >"$WORK/rs.json" 2>/dev/null
  if python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(0 if a == b and a not in (None, [], {}) else 1)' "$WORK/py.json" "$WORK/rs.json"; then
    echo "PASS json: $name"
    PASSED=$((PASSED + 1))
  else
    echo "FAIL json: $name"; head -c 400 "$WORK/py.json" | sed 's/^/    py: /'; head -c 400 "$WORK/rs.json" | sed 's/^/    rs: /'
    FAILED=$((FAILED + 1))
  fi
}
json_same "server list -l" -- server list -l
json_same "server info" -- server info "$SERVER"
json_same "flavor list -l" -- flavor list -l
json_same "flavor info" -- flavor info 1
json_same "network list -l" -- network list -l
json_same "network info" -- network info "$NET"
json_same "subnet list -l" -- subnet list -l
json_same "port list -l" -- port list -l
json_same "volume list -l" -- volume list -l
json_same "flavor list" -- flavor list
json_same "flavor list --ram 1024" -- flavor list --ram 1024
json_same "volume list" -- volume list
json_same "snapshot list" -- snapshot list
json_same "snapshot list -l" -- snapshot list -l
SNAP_ID=$(kamaki snapshot list | sed -n 's/^\([0-9a-f-]\{36\}\).*/\1/p' | head -1)
json_same "snapshot info" -- snapshot info "$SNAP_ID"
json_same "volume type" -- volume type 1
json_same "subnet info" -- subnet info 1
json_same "server info --nics" -- server info "$SERVER" --nics
json_same "server info --stats" -- server info "$SERVER" --stats
json_same "server attachments" -- server attachments "$SERVER"
json_same "server info --diagnostics" -- server info "$SERVER" --diagnostics
json_same "server attachment" -- server attachment "$SERVER" --attachment-id "$(kamaki server attachments "$SERVER" | sed -n 's/^\([0-9][0-9]*\).*/\1/p' | head -1)"
IP_ID=$(kamaki ip list | sed -n 's/^\([0-9][0-9]*\).*/\1/p' | head -1)
json_same "ip info" -- ip info "$IP_ID"
check "keypair generate" "compat-key" -- keypair generate --key-name compat-key
json_same "keypair list" -- keypair list
json_same "keypair info" -- keypair info compat-key
json_same "user info" -- user info
json_same "user list" -- user list
json_same "service list" -- service list
json_same "quota list" -- quota list
json_same "resource list" -- resource list
json_same "project info" -- project info "$(kamaki project list | sed -n 's/^\([0-9a-f-]\{36\}\).*/\1/p' | head -1)"
json_same "image list -l" -- image list -l
json_same "image info" -- image info "$IMAGE"
check "server delete -w" "DELETED|status" -- server delete "$SERVER" -w

# Pithos.
head -c 9000000 /dev/urandom > "$WORK/big.bin"
echo "hello compat" > "$WORK/small.txt"
check "container create" "^$" -- container create compat
check "file upload (multi-block)" "." -- file upload "$WORK/big.bin" /compat/big.bin
check "file upload (small)" "." -- file upload "$WORK/small.txt" /compat/dir/small.txt
check "file list" "big.bin" -- file list /compat
check "file download" "." -- file download /compat/big.bin "$WORK/big.out"
if cmp -s "$WORK/big.bin" "$WORK/big.out"; then echo "PASS downloaded bytes equal"; PASSED=$((PASSED + 1)); else echo "FAIL downloaded bytes differ"; FAILED=$((FAILED + 1)); fi
check "file cat" "hello compat" -- file cat /compat/dir/small.txt
check "file info" "x-object-hash|hash" -- file info /compat/big.bin
check "file publish" "http" -- file publish /compat/dir/small.txt
check "file copy" "." -- file copy /compat/dir/small.txt /compat/copy.txt
check "file modify" "." -- file modify /compat/copy.txt --metadata-add k=v
check "file delete" "." -- file delete /compat/copy.txt --yes
check "container info" "x-container-block-size|block" -- container info compat
json_same "container list" -- container list
json_same "container list CONTAINER" -- container list compat
json_same "file list" -- file list /compat
json_same "volume types" -- volume types
check "group create" "." -- group create friends --uuid "$OTHER_UUID"
check "group list" "friends" -- group list
json_same "group list" -- group list
check "image register" "compat-image" -- image register --name compat-image --location /compat/big.bin --public
check "image list (registered)" "compat-image" -- image list
json_same "image info (registered)" -- image info "$(kamaki image list | sed -n 's/^\([0-9a-f-]\{36\}\) compat-image.*/\1/p' | head -1)"
echo x > "$WORK/x.txt"
check "file upload (a file named as a directory)" "." -- file upload "$WORK/x.txt" /compat/notes
check "file upload (under it)" "." -- file upload "$WORK/x.txt" /compat/notes/a.txt
check "scripts verifyfs --fix-conflicts" "Renaming notes" -- scripts verifyfs compat --fix-conflicts --yes
check "scripts verifyfs --fix-missing-dirs" "Creating directory object" -- scripts verifyfs compat --fix-missing-dirs --yes
check "scripts verifyfs (consistent)" "^$" -- scripts verifyfs compat

echo "pykamaki-compat ($MODE): $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
