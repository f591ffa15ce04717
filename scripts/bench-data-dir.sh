#!/usr/bin/env bash
# The emulator's data dir as the transfer benchmark sees it: 512 MiB up and
# down with our CLI against the release emulator kept in memory, with
# --data-dir on disk (DISK_DIR, default: target/) and with --data-dir in
# tmpfs (/dev/shm), twice each, in one run. The file and every target are
# in tmpfs; the area is warmed (written and freed) before each timed step.
# Before each round, the disk's own rate: the same 512 MiB written into
# DISK_DIR as the emulator writes blocks (128 files of 4 MiB, each synced,
# four at a time), the most an on-disk upload can go.
#
#   scripts/bench-data-dir.sh            # ROUNDS="1 2 3" for three rounds
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p kamaki-cli -p synnefo-emu
DISK_DIR=${DISK_DIR:-target}
F=/dev/shm/bench-512.bin
[ -f $F ] || head -c $((512<<20)) /dev/urandom > $F
run() {
  local label=$1; shift
  W=$(mktemp -d)
  ./target/release/synnefo-emu --listen 127.0.0.1:0 --user b@example.com:bt "$@" > $W/out 2>$W/err &
  P=$!
  for _ in $(seq 50); do grep -q '^TOKEN=' $W/out 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^AUTHENTICATION_URL=//p' $W/out)
  printf '[global]\ndefault_cloud = e\n[cloud "e"]\nurl = %s\ntoken = bt\n' "$URL" > $W/rc
  K="./target/release/kamaki --config $W/rc"
  $K container create c >/dev/null
  # warm the target area: the tmpfs, and the file system of a data dir on
  # disk, whose page cache takes the blocks (pages the kernel has not
  # recently freed cost this VM about three times the system time)
  head -c $((512<<20)) /dev/zero > /dev/shm/warm; rm /dev/shm/warm
  if [ -n "${WARM:-}" ]; then head -c $((512<<20)) /dev/zero > $WARM/warm; rm $WARM/warm; fi
  s=$(date +%s.%N); $K file upload $F /c/x -N >/dev/null 2>&1; e=$(date +%s.%N)
  up=$(echo "512/($e-$s)" | bc -l)
  head -c $((512<<20)) /dev/zero > /dev/shm/warm; rm /dev/shm/warm
  s=$(date +%s.%N); $K file download /c/x /dev/shm/out.bin -N >/dev/null 2>&1; e=$(date +%s.%N)
  down=$(echo "512/($e-$s)" | bc -l)
  cmp -s $F /dev/shm/out.bin || echo "MISMATCH"
  rm -f /dev/shm/out.bin
  printf '%-22s upload %7.0f MiB/s   download %7.0f MiB/s\n' "$label" "$up" "$down"
  kill $P; wait $P 2>/dev/null || true
  rm -rf $W
}
disk_rate() {
  # The same 512 MiB as the emulator writes it: 128 files of 4 MiB, each
  # synced, four at a time (its four sync threads).
  local D
  D=$(mktemp -d "$DISK_DIR/dd.XXXX")
  s=$(date +%s.%N)
  for w in 0 1 2 3; do
    ( for i in $(seq $w 4 127); do
        dd if=$F of=$D/b$i bs=4M skip=$i count=1 conv=fsync status=none
      done ) &
  done
  wait
  e=$(date +%s.%N)
  rm -rf $D
  printf '%-22s write+sync %7.0f MiB/s  (128 files of 4 MiB, 4 at a time)\n' "disk ($DISK_DIR)" "$(echo "512/($e-$s)" | bc -l)"
}
for i in ${ROUNDS:-1 2}; do
disk_rate
run "in memory"
D=$(mktemp -d "$DISK_DIR/dd.XXXX"); WARM=$D run "data dir on disk" --data-dir $D/cloud; rm -rf $D
D=$(mktemp -d /dev/shm/dd.XXXX); run "data dir in tmpfs" --data-dir $D/cloud; rm -rf $D
done
