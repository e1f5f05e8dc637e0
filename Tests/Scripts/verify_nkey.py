#!/usr/bin/env python3
"""Independent check of a swash key: reads `swash keys gen … -o json` on stdin and checks it with the
PyPI `nkeys` package (NATS's Python implementation) and PyNaCl, neither of which shares code with swash.

Exit 0 and print "ok <public key>" when the seed decodes, its CRC checks, and it derives the printed public
key and signs a message the public key verifies; exit 1 with a reason otherwise; exit 3 when the Python
packages are missing (the calling test then skips).
"""
import base64
import json
import sys

try:
    import nacl.public
    import nacl.signing
except ImportError:
    print("PyNaCl is not installed", file=sys.stderr)
    sys.exit(3)
try:
    import nkeys
except ImportError:
    nkeys = None


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def b32(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


def main():
    doc = json.load(sys.stdin)
    seed, public = doc["seed"], doc["public_key"]
    raw = b32(seed)
    body, crc = raw[:-2], raw[-2:]
    if crc16(body) != int.from_bytes(crc, "little"):
        sys.exit("seed checksum mismatch")
    prefix = ((body[0] & 7) << 5) | ((body[1] & 0xF8) >> 3)
    if prefix == 184:  # X: a curve (X25519) key; the PyPI nkeys package has none, so PyNaCl alone checks it
        derived = bytes(nacl.public.PrivateKey(bytes(body[2:])).public_key)
        pub_payload = bytes([prefix]) + derived
        c = crc16(pub_payload)
        expected = base64.b32encode(pub_payload + bytes([c & 0xFF, c >> 8])).decode().rstrip("=")
        if expected != public:
            sys.exit(f"curve public key mismatch: derived {expected}, printed {public}")
        print("ok", public, "(PyNaCl X25519)")
        return
    signing = nacl.signing.SigningKey(bytes(body[2:]))
    pub_payload = bytes([prefix]) + bytes(signing.verify_key)
    c = crc16(pub_payload)
    expected = base64.b32encode(pub_payload + bytes([c & 0xFF, c >> 8])).decode().rstrip("=")
    if expected != public:
        sys.exit(f"public key mismatch: derived {expected}, printed {public}")
    if nkeys is not None and nkeys.valid_public_prefix_byte(prefix) and prefix != 184:
        kp = nkeys.from_seed(seed.encode())
        if kp.public_key.decode() != public:
            sys.exit("nkeys package derived another public key")
        sig = kp.sign(b"independent check")
        if not kp.verify(b"independent check", sig):
            sys.exit("nkeys package could not verify its own signature")
    signing.verify_key.verify(signing.sign(b"x"))
    print("ok", public, "(nkeys package)" if nkeys is not None else "(PyNaCl only)")


main()
