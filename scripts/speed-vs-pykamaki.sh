#!/usr/bin/env bash
# Times `kamaki file upload` and `file download` of one file against one
# release synnefo-emu, for the Python kamaki 0.16 and for this kamaki, in the
# same run, next to the machine's single-core sha256 rate (openssl dgst -sha256, else sha256sum).
#
#   cargo build --release -p kamaki-cli -p synnefo-emu
#   scripts/speed-vs-pykamaki.sh [SIZE_MIB]       # default 256
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-256}
DIR=target/pykamaki
PY="env PYENV_VERSION=2.7.18 python2.7"
[ -x "$DIR/bin/kamaki" ] || $PY -m pip install -q --disable-pip-version-check --target "$DIR" kamaki==0.16
WORK=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'kill $EMU_PID 2>/dev/null; rm -rf "$WORK"' EXIT
./target/release/synnefo-emu --listen 127.0.0.1:0 --user bench@example.com:bench-token >"$WORK/emu.out" 2>/dev/null &
EMU_PID=$!
for _ in $(seq 50); do grep -q '^TOKEN=' "$WORK/emu.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^AUTHENTICATION_URL=//p' "$WORK/emu.out")
printf '[global]\ndefault_cloud = emu\n\n[cloud "emu"]\nurl = %s\ntoken = bench-token\n' "$URL" >"$WORK/kamakirc"
# One file each: the emulator stores blocks by hash across accounts, so a
# second upload of the same bytes would send no block at all.
head -c $((SIZE << 20)) /dev/urandom >"$WORK/data"
head -c $((SIZE << 20)) /dev/urandom >"$WORK/data.rs"

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
rate() { echo "scale=0; $SIZE * 1.048576 / $1" | bc -l; }

# openssl uses the CPU's SHA instructions, as the sha2 crate does (coreutils may not).
if command -v openssl >/dev/null; then SHA=$(seconds openssl dgst -sha256 "$WORK/data"); else SHA=$(seconds sha256sum "$WORK/data"); fi
py() { env PYENV_VERSION=2.7.18 PYTHONPATH="$DIR" python2.7 "$DIR/bin/kamaki" --config "$WORK/kamakirc" "$@"; }
rs() { ./target/release/kamaki --config "$WORK/kamakirc" "$@"; }
py container create py >/dev/null 2>&1 || true
rs container create rs >/dev/null 2>&1 || true
PY_UP=$(seconds py file upload "$WORK/data" /py/data)
RS_UP=$(seconds rs file upload "$WORK/data.rs" /rs/data)
PY_DOWN=$(seconds py file download /py/data "$WORK/py.out")
RS_DOWN=$(seconds rs file download /rs/data "$WORK/rs.out")
cmp -s "$WORK/data" "$WORK/py.out" || echo "python download differs!"
cmp -s "$WORK/data.rs" "$WORK/rs.out" || echo "rust download differs!"
S=$(rate "$SHA")
printf 'size %s MiB; single-core sha256: %s MB/s\n' "$SIZE" "$S"
printf '%-22s %8s MB/s  %5.2fx sha256\n' \
  "python kamaki upload" "$(rate "$PY_UP")" "$(echo "$(rate "$PY_UP") / $S" | bc -l)" \
  "rust kamaki upload" "$(rate "$RS_UP")" "$(echo "$(rate "$RS_UP") / $S" | bc -l)" \
  "python kamaki download" "$(rate "$PY_DOWN")" "$(echo "$(rate "$PY_DOWN") / $S" | bc -l)" \
  "rust kamaki download" "$(rate "$RS_DOWN")" "$(echo "$(rate "$RS_DOWN") / $S" | bc -l)"
