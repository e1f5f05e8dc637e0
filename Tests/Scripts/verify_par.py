#!/usr/bin/env python3
"""Independent check of a provider archive written by swash, sharing no code with it: Python's `gzip`
and `tarfile` read the stream (gzip checks the CRC-32/length trailer), the nkey public keys are decoded
here (base32, CRC-16 from the PyPI `nkeys` package), the Ed25519 signature over the token's raw
`header.claims` segments is verified with the `cryptography` package (PyNaCl when it is missing), and
`hashlib` re-hashes every binary.

Usage: verify_par.py ARCHIVE
Checks SPEC §2/§3: one gzip member (or plain tar), `claims.jwt` first then `world.wasm` then `<target>.bin`
sorted by name, regular files only with mode 0644/0755, uid/gid 0, one mtime for all; header exactly
{"typ":"jwt","alg":"Ed25519"}; claims keys in SPEC order; `iss` an account key that verifies the
signature; `sub` a service key; a 22-character alphanumeric `jti`; 64-uppercase-hex hashes matching
every binary and nothing else.

Exit 0 printing one JSON line (name, vendor, targets, iss, sub, jti, iat, hashes) when all hold; exit 1 with the
reason otherwise; exit 3 when the Python packages are missing (the calling test then skips).
"""
import base64
import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import zlib

try:
    import nkeys
except ImportError:
    print("the nkeys package is not installed", file=sys.stderr)
    sys.exit(3)
try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    def ed25519_verify(public, signature, message):
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
            return True
        except Exception:
            return False
except ImportError:
    try:
        import nacl.signing

        def ed25519_verify(public, signature, message):
            try:
                nacl.signing.VerifyKey(public).verify(message, signature)
                return True
            except Exception:
                return False
    except ImportError:
        print("neither cryptography nor PyNaCl is installed", file=sys.stderr)
        sys.exit(3)

HEADER = '{"typ":"jwt","alg":"Ed25519"}'


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(text, letter, prefix_byte):
    """Decodes an nkey public key: base32 of prefix byte + 32-byte key + CRC-16 (low byte first)."""
    if not text.startswith(letter) or len(text) != 56:
        fail(f"{text!r} is not a public key starting with {letter}")
    raw = base64.b32decode(text + "=" * (-len(text) % 8))
    body, crc = raw[:-2], raw[-2:]
    if nkeys.crc16_checksum(bytes(body)) != bytes(crc):  # little-endian bytes
        fail(f"{text}: checksum mismatch")
    if body[0] != prefix_byte:
        fail(f"{text}: prefix byte {body[0]}, expected {prefix_byte}")
    return bytes(body[1:])


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def single_gzip_member(raw):
    """Decompresses exactly one gzip member and insists nothing follows it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = inflater.decompress(raw) + inflater.flush()
    if not inflater.eof:
        fail("gzip stream is truncated")
    if inflater.unused_data:
        fail("bytes after the first gzip member")
    if gzip.decompress(raw) != data:  # the gzip module checks CRC-32 and length
        fail("gzip module disagrees")
    return data


def main():
    raw = open(sys.argv[1], "rb").read()
    if raw[:2] == b"\x1f\x8b":
        # No flags but FEXTRA (swash's index of independently inflatable pieces, which readers skip), no timestamp.
        if raw[3] not in (0, 4) or raw[4:8] != b"\0\0\0\0":
            fail("gzip header carries flags or a timestamp")
        if raw[3] == 4 and raw[12:14] != b"SW":
            fail("the gzip header's extra field is not swash's index")
        stream = single_gzip_member(raw)
    else:
        stream = raw
    tar = tarfile.open(fileobj=io.BytesIO(stream), mode="r:")
    members = tar.getmembers()
    names = [m.name for m in members]
    if not names or names[0] != "claims.jwt":
        fail(f"claims.jwt is not first: {names}")
    binaries = names[1:]
    world = binaries[:1] == ["world.wasm"]
    targets = binaries[1:] if world else binaries
    if targets != sorted(targets) or not targets or not all(t.endswith(".bin") for t in targets):
        fail(f"targets not <target>.bin sorted by name: {targets}")
    mtimes = {m.mtime for m in members}
    for m in members:
        if not m.isreg():
            fail(f"{m.name} is not a regular file")
        if m.uid != 0 or m.gid != 0:
            fail(f"{m.name} is owned by {m.uid}:{m.gid}")
        expected_mode = 0o644 if m.name == "claims.jwt" else 0o755
        if m.mode != expected_mode:
            fail(f"{m.name} has mode {oct(m.mode)}, expected {oct(expected_mode)}")
    if len(mtimes) != 1:
        fail(f"entries carry different mtimes: {mtimes}")

    token = tar.extractfile("claims.jwt").read().decode("ascii")
    if token != token.strip():
        fail("claims.jwt has surrounding whitespace")
    head, claims_b64, sig_b64 = token.split(".")
    if b64url(head).decode() != HEADER or "=" in token:
        fail("header is not exactly " + HEADER + " in unpadded base64url")
    claims_text = b64url(claims_b64).decode("utf-8")
    claims = json.loads(claims_text)
    order = [k for k in claims]
    wanted = [k for k in ["jti", "iat", "iss", "sub", "wascap", "wascap_revision"]]
    if order != wanted:
        fail(f"claims keys in order {order}, expected {wanted}")
    if json.dumps(claims, separators=(",", ":"), ensure_ascii=False) != claims_text:
        fail("claims JSON is not compact")
    if not re.fullmatch(r"[0-9A-Za-z]{22}", claims["jti"]):
        fail(f"jti {claims['jti']!r} is not 22 alphanumerics")
    if claims["wascap_revision"] != 3:
        fail("wascap_revision is not 3")
    wascap = claims["wascap"]
    key_order = [k for k in wascap]
    spec_order = [k for k in ["name", "capid", "vendor", "rev", "ver", "target_hashes", "config_schema"] if k in wascap]
    if key_order != spec_order:
        fail(f"wascap keys in order {key_order}, expected {spec_order}")

    issuer = public_key(claims["iss"], "A", 0)
    public_key(claims["sub"], "V", 168)
    if not ed25519_verify(issuer, b64url(sig_b64), (head + "." + claims_b64).encode("ascii")):
        fail("signature does not verify")

    hashes = wascap["target_hashes"]
    expected_keys = {("world.wasm" if n == "world.wasm" else n[: -len(".bin")]) for n in binaries}
    if set(hashes) != expected_keys:
        fail(f"target_hashes keys {sorted(hashes)} do not match the binaries {sorted(expected_keys)}")
    for name in binaries:
        key = "world.wasm" if name == "world.wasm" else name[: -len(".bin")]
        digest = hashlib.sha256(tar.extractfile(name).read()).hexdigest().upper()
        if hashes[key] != digest:
            fail(f"{name}: SHA-256 {digest} but claims say {hashes[key]}")
    print(json.dumps({
        "ok": True, "name": wascap.get("name"), "vendor": wascap["vendor"],
        "targets": sorted(expected_keys - {"world.wasm"}), "world": world, "iss": claims["iss"],
        "sub": claims["sub"], "jti": claims["jti"], "iat": claims["iat"], "hashes": hashes,
        "compressed": raw[:2] == b"\x1f\x8b",
    }))


main()
