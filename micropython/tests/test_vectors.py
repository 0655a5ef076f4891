# certpin_core against the vector files shared with the Rust core: digests
# computed by OpenSSL (testdata/pins.tsv, ../shared/vectors/vectors.tsv),
# malformed certificates and pin texts (testdata/malformed/, whose expected
# errors the Rust core is held to as well).

import binascii
import gc
import os

import certpin_core as core
from harness import check, raises, read, tsv

TESTDATA = "/testdata/"
SHARED = "/shared/vectors/"


def pem_block(path, index):
    # The DER of the index-th certificate of a PEM file, decoded here (the
    # module itself only takes DER: that is what mbedTLS hands the callback).
    blocks = read(path).decode().split("-----BEGIN CERTIFICATE-----")[1:]
    body = blocks[index].split("-----END CERTIFICATE-----")[0]
    return binascii.a2b_base64("".join(body.split()).encode())


def hexs(b):
    return binascii.hexlify(b).decode()


def b64(b):
    return binascii.b2a_base64(b).decode().strip()


def pin_forms(row):
    # Every text form of this certificate's pins, from OpenSSL's values.
    h, u, c, s64 = row["spki_sha256_hex"], row["ucertpin_hex"], row["cert_sha256_hex"], row["spki_sha256_b64"]
    pairs = ":".join(h[i : i + 2] for i in range(0, 64, 2)).upper()
    return [
        "sha256//" + s64,
        "sha256/" + s64,
        'pin-sha256="%s"' % s64,
        s64,
        "spki-sha256:" + h,
        "ucertpin:" + u,
        "cert-sha256:" + c,
        h,  # bare hex: the SPKI reading of the ambiguous form
        u,  # bare hex: the ucertpin reading
        pairs,
    ]


def check_rows(directory, rows, label):
    seen = 0
    for row in rows:
        if row.get("object", "certificate") != "certificate":
            continue
        path = directory + row["file"]
        der = pem_block(path, int(row.get("index", 0))) if path.endswith(".pem") else read(path)
        name = "%s %s[%s]" % (label, row["file"], row.get("index", 0))
        spki, ucert, cert = core.certificate_digests(der)
        check(b64(spki) == row["spki_sha256_b64"], name + ": spki base64")
        check(hexs(spki) == row["spki_sha256_hex"], name + ": spki hex")
        check(hexs(ucert) == row["ucertpin_hex"], name + ": ucertpin")
        check(hexs(cert) == row["cert_sha256_hex"], name + ": cert-sha256")
        for text in pin_forms(row):
            check(core.matches(core.parse_pins([text]), der), name + ": pin matches: " + text)
        other = bytearray(spki)
        other[31] ^= 1
        for kind in (core.SPKI, core.UCERTPIN, core.CERT, core.SPKI_OR_UCERTPIN):
            check(not core.matches(((kind, bytes(other)),), der), name + ": a wrong pin does not match")
        seen += 1
    return seen


def test_fixture_certificates_pin_like_openssl():
    n = check_rows(TESTDATA, tsv(TESTDATA + "pins.tsv"), "testdata")
    check(n >= 40, "pins.tsv certificate rows checked: %d" % n)


def test_shared_vectors_pin_like_openssl():
    try:
        os.stat(SHARED + "vectors.tsv")
    except OSError:
        # As in the Rust tests: CI provides ../shared beside the checkout.
        print("skipping: ../shared/vectors not present")
        return
    n = check_rows(SHARED, tsv(SHARED + "vectors.tsv"), "shared")
    check(n >= 4, "shared vector rows checked: %d" % n)


def test_v1_and_every_key_type_is_covered():
    types = set(r["key_type"] for r in tsv(TESTDATA + "pins.tsv") if r["object"] == "certificate")
    for t in ("RSA-2048", "RSA-PSS-2048", "EC-P256", "EC-P521", "EC-explicit", "Ed25519", "Ed448", "X25519", "DSA-2048"):
        check(t in types, "key type covered: " + t)
    der = read(TESTDATA + "certs/rsa2048-v1.der")
    check(der[4:6] != b"\xa0\x03", "rsa2048-v1 has no [0] version field")


def test_malformed_certificates_get_the_rust_error_and_offset():
    rows = tsv(TESTDATA + "malformed/malformed.tsv")
    check(len(rows) >= 20, "malformed rows: %d" % len(rows))
    for row in rows:
        der = read(TESTDATA + "malformed/" + row["file"])
        e = raises(lambda: core.certificate_digests(der), core.PinError, row["file"])
        if e is not None:
            got = (e.name, e.offset)
            want = (row["error"], int(row["offset"]))
            check(got == want, "%s: got %s at %s, expected %s at %s (%s)" % (row["file"], got[0], got[1], want[0], want[1], e))


def test_pin_texts_parse_as_the_rust_core_does():
    rows = tsv(TESTDATA + "malformed/pins.tsv")
    check(len(rows) >= 30, "pin rows: %d" % len(rows))
    kinds = {core.SPKI: "spki", core.UCERTPIN: "ucertpin", core.CERT: "cert-sha256", core.SPKI_OR_UCERTPIN: "spki-or-ucertpin"}
    for row in rows:
        text = row["pin"]
        try:
            kind, digest = core.parse_pin(text)
            got = "%s %s" % (kinds[kind], hexs(digest))
        except core.PinError as e:
            got = "%s %s" % (e.name, e.offset if e.name == "invalid-hex" else "-")
        want = "%s %s" % (row["result"], row["detail"])
        check(got == want, "%r: got %s, expected %s" % (text, got, want))


def test_pin_lists():
    row = [r for r in tsv(TESTDATA + "pins.tsv") if r["file"] == "chain/leaf.der"][0]
    text = " sha256//%s;ucertpin:%s,\n%s " % (row["spki_sha256_b64"], row["ucertpin_hex"], row["cert_sha256_hex"])
    pins = core.parse_pins(text)
    check([k for k, _ in pins] == [core.SPKI, core.UCERTPIN, core.SPKI_OR_UCERTPIN], "a ;/,/whitespace list parses in order")
    e = raises(lambda: core.parse_pins(["sha256//AAAA"]), core.PinError, "a bad pin in a list is refused")
    check(e is not None and e.name == "wrong-digest-length", "with the pin's error")


def test_truncations_never_escape_as_other_errors():
    # Every prefix of a real certificate is refused with a PinError, never
    # with IndexError or the like (the callback relies on this).
    der = read(TESTDATA + "certs/ec-p256.der")
    bad = 0
    for n in range(len(der)):
        try:
            core.certificate_digests(der[:n])
            bad += 1
        except core.PinError:
            pass
        except Exception:  # noqa: BLE001
            bad += 1
    check(bad == 0, "all %d truncations of ec-p256.der give PinError (%d did not)" % (len(der), bad))


def allocated_by_check(der, pins):
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    core.matches(pins, memoryview(der))
    used = gc.mem_alloc() - before
    gc.enable()
    return used


def test_memory_per_check_does_not_grow_with_the_certificate():
    # A measurement, reported for the README; the assertion guards against the
    # certificate being copied: an 85 KB certificate must cost about what a
    # 0.5 KB one does, not 85 KB more.
    pins = core.parse_pins(["sha256//" + "A" * 43 + "=", "ucertpin:" + "00" * 32])
    leaf = read(TESTDATA + "chain/leaf.der")
    big = read(TESTDATA + "certs/big.der")
    small_used = allocated_by_check(leaf, pins)
    big_used = allocated_by_check(big, pins)
    print("info: one check allocates %d bytes for a %d-byte certificate, %d for %d bytes" % (small_used, len(leaf), big_used, len(big)))
    check(big_used < small_used + 1024, "no copy of the certificate (%d vs %d bytes)" % (big_used, small_used))


def test_the_webassembly_port_has_no_tls_or_socket():
    # Why the handshake tests use a stand-in (fake_tls, README "Tests"): this port has neither
    # module. Runs before test_callback installs the stand-in. If a later port gains them,
    # this fails, and the handshake tests should move to the real modules.
    for name in ("tls", "socket"):
        try:
            __import__(name)
            found = True
        except ImportError:
            found = False
        check(not found, "the WebAssembly port has no %s module" % name)
