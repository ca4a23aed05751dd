# workload.py - a Python program that allocates heavily, for libkmm-malloc.so.
#
# Builds and sorts a few hundred thousand strings and dicts, round-trips
# them through JSON, grows big buffers, runs threads, a subprocess and a
# fork, and prints checksums.  The output depends on nothing but this file,
# so it must be the same with and without the library.
import hashlib
import json
import os
import random
import subprocess
import sys
import threading

N = int(sys.argv[1]) if len(sys.argv) > 1 else 150000
random.seed(20100516)
h = hashlib.sha256()

# Many small and medium objects: dicts, lists, strings of every length.
items = [{"id": i, "name": "item-%d-%s" % (i, "x" * (i % 97)),
          "vals": [random.random() for _ in range(i % 7)]} for i in range(N)]
items.sort(key=lambda d: (len(d["name"]) % 13, d["vals"][:1], -d["id"]))
blob = json.dumps(items)
assert json.loads(blob) == items
h.update(blob.encode())
print("json", len(blob))

strings = sorted(("%08x" % random.getrandbits(32)) * (1 + i % 9) for i in range(N))
index = {s: i for i, s in enumerate(strings)}
h.update("".join(strings[::101]).encode())
print("strings", len(strings), len(index))

# Big buffers: whole pages and host mappings, grown and shrunk.
buf = bytearray()
for i in range(64):
    buf += bytes([i]) * (i * 4096 + 17)
big = bytes(buf) * 3
h.update(big[::4099])
del buf
print("buffers", len(big))


def worker(k, out):
    acc = []
    for i in range(20000):
        acc.append(str(i * k) * (i % 5))
    out[k] = sum(map(len, acc))


out = {}
threads = [threading.Thread(target=worker, args=(k, out)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", sorted(out.items()))

res = subprocess.run([sys.executable, "-c", "print(sorted(str(i) for i in range(10000))[-1])"],
                     capture_output=True, text=True, check=True)
print("subprocess", res.stdout.strip())

pid = os.fork()
if pid == 0:
    junk = [list(range(i % 50)) for i in range(50000)]
    items.clear()
    os._exit(0 if len(junk) == 50000 else 1)
_, status = os.waitpid(pid, 0)
print("fork", status, len(items), items[0]["id"] if items else None)
print("sha256", h.hexdigest())
