# grow.py - python3 holding more than the library's machine boots with
# (KMM_MALLOC_BOOT="ram=64M"): 300 MB in 2000-byte objects (kmalloc), with
# a 10 MB bytearray (beyond the largest buddy block) every 30 MB; then it
# drops half and builds as much again.  Prints what it holds.
import hashlib

objs, big, total = [], [], 0
while total < 300 << 20:
    objs.append(bytes([len(objs) % 251]) * 2000)
    total += 2000
    if total % (30 << 20) < 2000:
        big.append(bytearray([len(big) + 1]) * (10 << 20))
h = hashlib.sha256()
for o in objs[::1000]:
    h.update(o[:16])
print(len(objs), "objects,", len(big), "big,", sum(len(b) for b in big) >> 20, "MiB big", h.hexdigest()[:16])
del objs[::2]
objs.extend(bytes([i % 7]) * 3000 for i in range(50000))
print(len(objs), "objects after the second round;", all(b[0] == i + 1 for i, b in enumerate(big)))
