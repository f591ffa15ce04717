#!/usr/bin/env bash
# Transfers as a user feels them, in one run on one machine: the `kamaki`
# CLI of this repository and the Python kamaki 0.16 CLI, each moving its own
# bytes to and from one release synnefo-emu, at 0 ms and at 20 ms of added
# latency per request (--fault-latency-ms), next to the machine's
# single-core sha256 rate (openssl). Prints throughput as ratios, the
# client's CPU seconds per GiB (user and system apart) and its peak RSS.
#
#   scripts/bench-transfers.sh                    # builds what it needs
#   SIZE_MIB=512 LATENCIES="0 20" SMALL_FILES=300 BIG_FILES=20 scripts/bench-transfers.sh
#
# Files live in /dev/shm. Writing into memory the kernel has not freed
# recently costs about three times the system time, so before every timed
# transfer a file of the same size is written to and deleted from the same
# tmpfs ("warming"): every tool is timed into just-freed pages alike.
# BIG_FILES=0 skips the tree of 64 MiB files; PYKAMAKI=0 skips Python kamaki.
# PY3=1 also times the libraries: kamaki-rs on Python 3 (target/py3-venv, as
# scripts/python3-tests.sh installs it) and kamaki 0.16's own, each calling
# PithosClient.upload_object and download_object on a file; kamaki 0.16 twice:
# with its library default (MAX_THREADS = 1, "py2lib") and with its CLI's
# setting (MAX_THREADS = 5, "py2lib5").
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-512}
LATENCIES=${LATENCIES:-"0 20"}
SMALL_FILES=${SMALL_FILES:-300}
BIG_FILES=${BIG_FILES:-20}
PYKAMAKI=${PYKAMAKI:-1}
PY3=${PY3:-0}
PYDIR=target/pykamaki
PY="env PYENV_VERSION=2.7.18 python2.7"

cargo build -q --release -p kamaki-cli -p synnefo-emu
if [ "$PYKAMAKI" = 1 ] && [ ! -x "$PYDIR/bin/kamaki" ]; then
  $PY -m pip install -q --disable-pip-version-check --target "$PYDIR" kamaki==0.16 >/dev/null 2>&1 ||
    { echo "bench-transfers: cannot install kamaki 0.16; run with PYKAMAKI=0" >&2; exit 2; }
fi

WORK=$(mktemp -d -p /dev/shm)
EMU_PID=
trap '[ -n "$EMU_PID" ] && kill $EMU_PID 2>/dev/null; rm -rf "$WORK"' EXIT
RESULTS=$WORK/results
: >"$RESULTS"

# warm BYTES: write and delete that much in the tmpfs the transfers use.
warm() { head -c "$1" /dev/zero >"$WORK/warm" && rm -f "$WORK/warm"; }
# timed LABEL BYTES FILES CMD...: runs CMD under /usr/bin/time, records
# "LABEL BYTES FILES elapsed user system maxrss_kb".
timed() {
  local label=$1 bytes=$2 files=$3; shift 3
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" ||
    { echo "bench-transfers: failed: $*" >&2; tail -5 "$WORK/err" >&2; exit 1; }
  echo "$label $bytes $files $(tail -1 "$WORK/time")" >>"$RESULTS"
}
tree() { # tree DIR COUNT SIZE: COUNT files of SIZE random bytes in 3 levels
  local dir=$1 count=$2 size=$3 i
  for i in $(seq 1 "$count"); do
    mkdir -p "$dir/d$((i % 7))/e$((i % 3))"
    head -c "$size" /dev/urandom >"$dir/d$((i % 7))/e$((i % 3))/f$i.bin"
  done
}
same() { diff -r "$1" "$2" >/dev/null || { echo "bench-transfers: $1 and $2 differ" >&2; exit 1; }; }

SIZE=$((SIZE_MIB << 20))
head -c "$SIZE" /dev/urandom >"$WORK/sha.in"
best=
for _ in 1 2 3; do
  /usr/bin/time -f "%e" -o "$WORK/time" openssl dgst -sha256 "$WORK/sha.in" >/dev/null
  t=$(cat "$WORK/time")
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
echo "sha256 $SIZE 1 $best 0 0 0" >>"$RESULTS"
rm -f "$WORK/sha.in"

for lat in $LATENCIES; do
  ./target/release/synnefo-emu --listen 127.0.0.1:0 --user bench@example.com:bench-token \
    --fault-latency-ms "$lat" >"$WORK/emu.out" 2>/dev/null &
  EMU_PID=$!
  for _ in $(seq 50); do grep -q '^TOKEN=' "$WORK/emu.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^AUTHENTICATION_URL=//p' "$WORK/emu.out")
  printf '[global]\ndefault_cloud = emu\n\n[cloud "emu"]\nurl = %s\ntoken = bench-token\n' "$URL" >"$WORK/kamakirc"
  rs=(./target/release/kamaki --config "$WORK/kamakirc")
  py=(env PYENV_VERSION=2.7.18 PYTHONPATH="$PYDIR" python2.7 "$PYDIR/bin/kamaki" --config "$WORK/kamakirc")
  "${rs[@]}" container create rs >/dev/null
  [ "$PYKAMAKI" = 1 ] && "${py[@]}" container create py >/dev/null 2>&1

  # One file of new data each (blocks are deduplicated across accounts).
  head -c "$SIZE" /dev/urandom >"$WORK/rs.data"
  warm "$SIZE"; timed "rs-upload@$lat" "$SIZE" 1 "${rs[@]}" file upload -N "$WORK/rs.data" /rs/data
  warm "$SIZE"; timed "rs-download@$lat" "$SIZE" 1 "${rs[@]}" file download -N /rs/data "$WORK/rs.out"
  cmp "$WORK/rs.data" "$WORK/rs.out"; rm -f "$WORK/rs.out"
  # Unchanged: -d shows every request; no block may be POSTed.
  timed "rs-reupload@$lat" "$SIZE" 1 "${rs[@]}" -d file upload -N -f "$WORK/rs.data" /rs/data
  if grep -q 'POST .*update' "$WORK/err"; then echo "bench-transfers: the re-upload sent blocks" >&2; exit 1; fi
  rm -f "$WORK/rs.data"
  if [ "$PY3" = 1 ]; then
    # lib.py UP|DOWN OBJECT FILE: one call of the library of the Python running it.
    cat >"$WORK/lib.py" <<'PYLIB'
import sys
from kamaki.clients.astakos import AstakosClient
from kamaki.clients.pithos import PithosClient
url, token, threads, way, obj, path = sys.argv[1:7]
astakos = AstakosClient(url, token)
pithos = PithosClient(astakos.get_endpoint_url('object-store'), token,
                      astakos.user_info['id'], 'lib')
if threads != 'default':
    pithos.MAX_THREADS = int(threads)
if way == 'up':
    pithos.upload_object(obj, open(path, 'rb'))
else:
    pithos.download_object(obj, open(path, 'wb+'))
PYLIB
    py3lib=(target/py3-venv/bin/python "$WORK/lib.py" "$URL" bench-token default)
    py2lib=(env PYENV_VERSION=2.7.18 PYTHONPATH="$PYDIR" python2.7 "$WORK/lib.py" "$URL" bench-token default)
    py2lib5=(env PYENV_VERSION=2.7.18 PYTHONPATH="$PYDIR" python2.7 "$WORK/lib.py" "$URL" bench-token 5)
    "${rs[@]}" container create lib >/dev/null
    for lib in py3lib py2lib py2lib5; do
      head -c "$SIZE" /dev/urandom >"$WORK/lib.data"
      eval "cmd=(\"\${$lib[@]}\")"
      warm "$SIZE"; timed "$lib-upload@$lat" "$SIZE" 1 "${cmd[@]}" up "$lib" "$WORK/lib.data"
      warm "$SIZE"; timed "$lib-download@$lat" "$SIZE" 1 "${cmd[@]}" down "$lib" "$WORK/lib.out"
      cmp "$WORK/lib.data" "$WORK/lib.out"; rm -f "$WORK/lib.data" "$WORK/lib.out"
    done
  fi
  if [ "$PYKAMAKI" = 1 ]; then
    head -c "$SIZE" /dev/urandom >"$WORK/py.data"
    warm "$SIZE"; timed "py-upload@$lat" "$SIZE" 1 "${py[@]}" file upload "$WORK/py.data" /py/data
    warm "$SIZE"; timed "py-download@$lat" "$SIZE" 1 "${py[@]}" file download /py/data "$WORK/py.out"
    cmp "$WORK/py.data" "$WORK/py.out"; rm -f "$WORK/py.data" "$WORK/py.out"
  fi

  # A tree of small files.
  SMALL=$((SMALL_FILES * 16384))
  tree "$WORK/small.rs" "$SMALL_FILES" 16384
  timed "rs-tree-small-upload@$lat" "$SMALL" "$SMALL_FILES" "${rs[@]}" file upload -N -r "$WORK/small.rs" /rs/small
  warm "$SMALL"; timed "rs-tree-small-download@$lat" "$SMALL" "$SMALL_FILES" "${rs[@]}" file download -N -r /rs/small "$WORK/small.rs.out"
  same "$WORK/small.rs" "$WORK/small.rs.out"; rm -rf "$WORK/small.rs" "$WORK/small.rs.out"
  if [ "$PYKAMAKI" = 1 ]; then
    tree "$WORK/small.py" "$SMALL_FILES" 16384
    timed "py-tree-small-upload@$lat" "$SMALL" "$SMALL_FILES" "${py[@]}" file upload -r "$WORK/small.py" /py/small
    warm "$SMALL"; timed "py-tree-small-download@$lat" "$SMALL" "$SMALL_FILES" "${py[@]}" file download -r /py/small "$WORK/small.py.out"
    same "$WORK/small.py" "$WORK/small.py.out"; rm -rf "$WORK/small.py" "$WORK/small.py.out"
  fi

  # A tree of large files.
  if [ "$BIG_FILES" -gt 0 ]; then
    BIG=$((BIG_FILES << 26))
    tree "$WORK/big" "$BIG_FILES" $((1 << 26))
    warm "$BIG"; timed "rs-tree-big-upload@$lat" "$BIG" "$BIG_FILES" "${rs[@]}" file upload -N -r "$WORK/big" /rs/big
    warm "$BIG"; timed "rs-tree-big-download@$lat" "$BIG" "$BIG_FILES" "${rs[@]}" file download -N -r /rs/big "$WORK/big.out"
    same "$WORK/big" "$WORK/big.out"; rm -rf "$WORK/big" "$WORK/big.out"
  fi
  kill $EMU_PID; wait $EMU_PID 2>/dev/null || true; EMU_PID=
done

python3 - "$RESULTS" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    label, size, files, elapsed, user, system, rss = line.split()
    rows[label] = dict(bytes=int(size), files=int(files), s=float(elapsed),
                       user=float(user), sys=float(system), rss=int(rss))
sha = rows.pop("sha256")
sha_rate = sha["bytes"] / sha["s"] / 1e6
print(f"single-core sha256 (openssl): {sha_rate:.0f} MB/s")
print(f"{'what':34} {'s':>7} {'MB/s':>7} {'x sha':>6} {'x py':>6} {'user s/GiB':>10} {'sys s/GiB':>9} {'RSS MiB':>8}")
for label, r in rows.items():
    rate = r["bytes"] / r["s"] / 1e6
    gib = r["bytes"] / (1 << 30)
    twin = rows.get(label.replace("rs-", "py-", 1)) if label.startswith("rs-") else None
    vs_py = f"{twin['s'] / r['s']:6.1f}" if twin else "     -"
    print(f"{label:34} {r['s']:7.2f} {rate:7.0f} {rate / sha_rate:6.2f} {vs_py} "
          f"{r['user'] / gib:10.2f} {r['sys'] / gib:9.2f} {r['rss'] / 1024:8.1f}")
for lat in sorted({l.split("@")[1] for l in rows}):
    for way in ("upload", "download"):
        py3, py2 = rows.get(f"py3lib-{way}@{lat}"), rows.get(f"py2lib-{way}@{lat}")
        py2t5, cli = rows.get(f"py2lib5-{way}@{lat}"), rows.get(f"rs-{way}@{lat}")
        if py3 and py2 and py2t5 and cli:
            print(f"Python 3 kamaki-rs {way}_object @{lat} ms: {py2['s'] / py3['s']:.1f}x kamaki 0.16's "
                  f"(MAX_THREADS 1), {py2t5['s'] / py3['s']:.1f}x (MAX_THREADS 5); "
                  f"{cli['s'] / py3['s']:.2f}x the speed of our CLI")
    one, big = rows.get(f"rs-upload@{lat}"), rows.get(f"rs-tree-big-upload@{lat}")
    if one and big:
        for way in ("upload", "download"):
            a, b = rows[f"rs-{way}@{lat}"], rows[f"rs-tree-big-{way}@{lat}"]
            ratio = (b["bytes"] / b["s"]) / (a["bytes"] / a["s"])
            print(f"tree of big files / one file, {way} @{lat} ms: {ratio:.2f}x")
PY
