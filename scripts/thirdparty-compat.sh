#!/usr/bin/env bash
# Clients we did not write, against synnefo-emu, as users point them at a
# Synnefo cloud: python-swiftclient (the `swift` CLI) on Pithos, with and
# without --pithos-update-md5, and openstacksdk on Cyclades through Astakos'
# identity v2.0 (discovery, compute, network, block storage, image).
# The `openstack` CLI (python-openstackclient) lists flavors, networks,
# subnets, ports, floating IPs, images and volumes (`server list` of its
# recent releases needs identity v3, which Astakos does not have: it fails
# against Synnefo too). Each check prints PASS or FAIL; the script exits 1 if any failed, and 2
# (skipped) only when PyPI cannot be reached to install the clients.
#
#   scripts/thirdparty-compat.sh        # venv in target/thirdparty-venv (kept)
set -uo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/target/thirdparty-venv"
if [ ! -x "$VENV/bin/swift" ] || [ ! -x "$VENV/bin/openstack" ] || ! "$VENV/bin/python" -c 'import openstack' 2>/dev/null; then
  python3 -m venv "$VENV" >/dev/null 2>&1 || { echo "thirdparty-compat: python3 -m venv failed" >&2; exit 2; }
  "$VENV/bin/pip" install -q --disable-pip-version-check python-swiftclient openstacksdk python-openstackclient >/dev/null 2>&1 || {
    echo "thirdparty-compat: cannot install python-swiftclient, openstacksdk and python-openstackclient from PyPI" >&2
    exit 2
  }
fi
cargo build -q -p synnefo-emu || exit 1

WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT
FAILED=0
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }

# start NAME EXTRA-FLAGS...: an emulator; sets URL and UUID.
start() {
  local name=$1; shift
  ./target/debug/synnefo-emu --listen 127.0.0.1:0 --user "tp@example.com:tp-token:tp-$name" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q '^TOKEN=' "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^AUTHENTICATION_URL=//p' "$WORK/$name.out")
  UUID="tp-$name"
  [ -n "$URL" ] || { echo "thirdparty-compat: the emulator did not start" >&2; cat "$WORK/$name.err" >&2; exit 1; }
}

# swift_checks NAME CHECKSUM-FLAG: the swift CLI's round trip.
swift_checks() {
  local name=$1 sum=$2
  local base=${URL%/astakos/identity/v2.0}
  local sw=("$VENV/bin/swift" --os-auth-token tp-token --os-storage-url "$base/pithos/object-store/v1/$UUID")
  head -c 9000000 /dev/urandom >"$WORK/data.bin"
  local want; want=$(sha256sum "$WORK/data.bin" | cut -d' ' -f1)
  (cd "$WORK" && "${sw[@]}" post box >/dev/null 2>&1) && pass "swift post container ($name)" || fail "swift post container ($name)"
  if (cd "$WORK" && "${sw[@]}" upload $sum -H "Content-Type: application/octet-stream" box data.bin >"$WORK/up" 2>&1); then
    pass "swift upload ($name)"
  else
    fail "swift upload ($name): $(tail -1 "$WORK/up")"
  fi
  if "${sw[@]}" download $sum box data.bin -o "$WORK/back.bin" >"$WORK/down" 2>&1 &&
    [ "$(sha256sum "$WORK/back.bin" | cut -d' ' -f1)" = "$want" ]; then
    pass "swift download, same sha256 ($name)"
  else
    fail "swift download ($name): $(tail -1 "$WORK/down")"
  fi
  [ "$("${sw[@]}" list box 2>&1)" = "data.bin" ] && pass "swift list ($name)" || fail "swift list ($name)"
  local stat; stat=$("${sw[@]}" stat box data.bin 2>&1)
  local md5; md5=$(md5sum "$WORK/data.bin" | cut -d' ' -f1)
  if grep -q "Content Length: 9000000" <<<"$stat" &&
    { [ -n "$sum" ] || grep -q "ETag: $md5" <<<"$stat"; }; then
    pass "swift stat ($name)"
  else
    fail "swift stat ($name): $stat"
  fi
  "${sw[@]}" post box data.bin -m color:blue >/dev/null 2>&1
  grep -q "Meta Color: blue" <<<"$("${sw[@]}" stat box data.bin 2>&1)" && pass "swift post metadata ($name)" || fail "swift post metadata ($name)"
  "${sw[@]}" copy box data.bin -d /box/copy.bin >/dev/null 2>&1
  [ "$("${sw[@]}" list box 2>&1 | tr '\n' ' ')" = "copy.bin data.bin " ] && pass "swift copy ($name)" || fail "swift copy ($name)"
  "${sw[@]}" delete box copy.bin >/dev/null 2>&1
  [ "$("${sw[@]}" list box 2>&1)" = "data.bin" ] && pass "swift delete ($name)" || fail "swift delete ($name)"
}

start md5 --pithos-update-md5
swift_checks "MD5 ETags" ""
start plain
# Without MD5 ETags (Synnefo's default) swift cannot check its MD5s.
swift_checks "Pithos-hash ETags" "--ignore-checksum"

start sdk --action-delay-ms 0
if "$VENV/bin/python" scripts/thirdparty/openstacksdk_checks.py "$URL" tp-token >"$WORK/sdk" 2>&1; then :; fi
cat "$WORK/sdk" | grep -E '^(PASS|FAIL)'
PASSED=$((PASSED + $(grep -c '^PASS' "$WORK/sdk")))
FAILED=$((FAILED + $(grep -c '^FAIL' "$WORK/sdk")))
grep -q 'openstacksdk: .* passed' "$WORK/sdk" || { fail "openstacksdk checks ran"; tail -5 "$WORK/sdk"; }

# The openstack CLI: what the server sent, read back as JSON.
os_cli=("$VENV/bin/openstack" --os-auth-type v2token --os-auth-url "$URL" --os-token tp-token
  --os-identity-api-version 2 --os-region-name default)
# openstack_check NAME PYTHON-CONDITION-ON-rows -- ARGS...
openstack_check() {
  local name=$1 condition=$2; shift 3
  if "${os_cli[@]}" "$@" -f json >"$WORK/os.json" 2>"$WORK/os.err" &&
    "$VENV/bin/python" -c "import json,sys; rows=json.load(open(sys.argv[1])); sys.exit(0 if ($condition) else 1)" "$WORK/os.json"; then
    pass "openstack $name"
  else
    fail "openstack $name: $(head -c 300 "$WORK/os.err" "$WORK/os.json")"
  fi
}
openstack_check "flavor list" 'any(r["ID"] == 1 and r["RAM"] == 1024 for r in rows)' -- flavor list
openstack_check "network list" 'any(r["Name"] == "Public IPv4+IPv6 Network" and r["Subnets"] == ["1", "2"] for r in rows)' -- network list
openstack_check "subnet list" 'sorted(r["Subnet"] for r in rows) == ["2001:db8:1::/64", "203.0.113.0/24"]' -- subnet list
openstack_check "image list" 'any(r["Name"] == "Debian Base" for r in rows)' -- --os-image-api-version 1 image list
openstack_check "port list" 'isinstance(rows, list)' -- port list
openstack_check "floating ip list" 'isinstance(rows, list)' -- floating ip list
# The SDK's volume went with its server (delete_on_termination).
openstack_check "volume list (v2)" 'rows == []' -- --os-volume-api-version 2 volume list

echo "thirdparty-compat: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
