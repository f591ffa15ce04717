#!/usr/bin/env python3
"""Small-request latency of synnefo-emu while it is busy with a large upload
and with clients that stall: p50/p99 of `HEAD` on an account, idle and then
under load, in one run, as ratios (issue 14, item 8).

    cargo build --release -p synnefo-emu -p kamaki-cli
    python3 scripts/bench-stalled-clients.py [SIZE_MIB] [STALLED]   # 1024, 50

The upload goes through this repository's `kamaki` CLI from /dev/shm; the
stalled clients open connections and send half a request's headers.
"""
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SIZE_MIB = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
STALLED = int(sys.argv[2]) if len(sys.argv) > 2 else 50
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMU = os.path.join(ROOT, "target/release/synnefo-emu")
KAMAKI = os.path.join(ROOT, "target/release/kamaki")


def heads(host, port, path, count):
    """Latencies (ms) of `count` HEADs on one kept-alive connection."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    took = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("HEAD", path, headers={"X-Auth-Token": "bench-token"})
        reply = conn.getresponse()
        reply.read()
        assert reply.status == 204, reply.status
        took.append((time.perf_counter() - start) * 1000)
    conn.close()
    return took


def summary(took):
    took = sorted(took)
    return statistics.median(took), took[int(len(took) * 0.99) - 1]


work = tempfile.mkdtemp(dir="/dev/shm")
emu = subprocess.Popen(
    [EMU, "--listen", "127.0.0.1:0", "--user", "bench@example.com:bench-token:bench"],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
url = None
while url is None:
    line = emu.stdout.readline()
    if line.startswith("AUTHENTICATION_URL="):
        url = line.strip().split("=", 1)[1]
host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
port = int(port)
account = "/pithos/object-store/v1/bench"
rc = os.path.join(work, "kamakirc")
with open(rc, "w") as f:
    f.write('[global]\ndefault_cloud = emu\n\n[cloud "emu"]\nurl = %s\ntoken = bench-token\n' % url)
subprocess.run([KAMAKI, "--config", rc, "container", "create", "pithos"], check=True,
               stdout=subprocess.DEVNULL)

heads(host, port, account, 50)  # warm up
idle = heads(host, port, account, 500)

data = os.path.join(work, "data")
with open(data, "wb") as f:
    for _ in range(SIZE_MIB):
        f.write(os.urandom(1 << 20))
stalled = []
for _ in range(STALLED):
    s = socket.create_connection((host, port))
    s.sendall(b"GET " + account.encode() + b" HTTP/1.1\r\nHost: h\r\nX-Auth-")
    stalled.append(s)
upload = subprocess.Popen([KAMAKI, "--config", rc, "file", "upload", "-N", data, "/pithos/big"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.3)
busy = []
while upload.poll() is None:
    busy += heads(host, port, account, 20)
upload.wait()
for s in stalled:
    s.close()
emu.terminate()
os.remove(data)

(i50, i99), (b50, b99) = summary(idle), summary(busy)
print("idle: %d HEADs, p50 %.2f ms, p99 %.2f ms" % (len(idle), i50, i99))
print("busy (%d MiB upload, %d stalled connections): %d HEADs, p50 %.2f ms (%.1fx), p99 %.2f ms (%.1fx)"
      % (SIZE_MIB, STALLED, len(busy), b50, b50 / i50, b99, b99 / i99))
print("upload exit status: %d" % upload.returncode)
