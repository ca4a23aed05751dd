# heap.py - a Python program holding a few hundred MB, for the programs
# benchmark (bench/programs_bench.c).
#
#   python3 heap.py [N]        N keys (default 800000: about 450 MB at its peak)
#
# A dict of N entries with strings of every small length, a list of N
# strings sorted, half the dict deleted and refilled with other sizes, and
# a list of 2000-byte buffers (the size the MemoryError was met
# with): malloc's small sizes, its growth and its reuse after frees.
# Prints checksums that depend on nothing but N.
import sys
import zlib

n = int(sys.argv[1]) if len(sys.argv) > 1 else 800000
d = {}
for i in range(n):
    d["k%09d" % i] = ("v" * (i % 53), i)
words = sorted(str(i * 2654435761 % 4294967296) * (1 + i % 7) for i in range(n))
crc = zlib.crc32("".join(words[::997]).encode())
for i in range(0, n, 2):
    del d["k%09d" % i]
for i in range(0, n, 4):
    d["r%09d" % i] = [i] * (i % 11)
buffers = [bytearray(2000) for _ in range(n // 10)]
for i, b in enumerate(buffers):
    b[i % 2000] = i & 255
total = sum(len(v) for v in d.values())
print(len(d), len(words), crc, total, len(buffers), sum(b[i % 2000] for i, b in enumerate(buffers)))
