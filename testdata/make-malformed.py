#!/usr/bin/env python3
"""Writes testdata/malformed/: certificates each broken in exactly one way, and the table
(malformed.tsv) of the error the Rust core must report for each, with the byte offset; and
pins.tsv, pin texts (valid and not) with what parsing them must give.

Standard library only, deterministic. Each file is a real OpenSSL certificate from
testdata/certs/ split into its elements, one element replaced, and the enclosing lengths
re-encoded, so the expected offset follows from the construction (never from a parser under
test). Run from anywhere:

    python3 testdata/make-malformed.py          # (re)write testdata/malformed/
    python3 testdata/make-malformed.py --check  # verify the files on disk, change nothing

The Rust core (crates/certpin/tests/shared_malformed.rs) and the MicroPython module
(micropython/tests/) both read malformed.tsv. The inputs are regenerated with new keys by
make-fixtures.sh; run this script after it.
"""

import base64
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "malformed"


def length(n):
    """DER length octets in their shortest form."""
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def split(element):
    """(header length, content) of a well-formed element."""
    first = element[1]
    if first < 0x80:
        return 2, element[2 : 2 + first]
    n = first & 0x7F
    size = int.from_bytes(element[2 : 2 + n], "big")
    return 2 + n, element[2 + n : 2 + n + size]


def children(element):
    _, rest = split(element)
    out = []
    while rest:
        header, content = split(rest)
        out.append(rest[: header + len(content)])
        rest = rest[header + len(content) :]
    return out


def with_length(element, new_length):
    """The element with its length field re-encoded as `new_length`, content unchanged."""
    header, content = split(element)
    return element[:1] + length(new_length) + content


class Parts:
    """A certificate as replaceable parts: TBS children (with the SPKI split further)."""

    def __init__(self, der):
        cert = children(der)
        self.tbs = children(cert[0])
        self.spki_index = 6 if self.tbs[0][0] == 0xA0 else 5
        self.spki = children(self.tbs[self.spki_index])
        self.sig_alg, self.sig = cert[1], cert[2]

    def tbs_elements(self):
        tbs = list(self.tbs)
        tbs[self.spki_index] = tlv(0x30, b"".join(self.spki))
        return tbs

    def tbs_element(self):
        return tlv(0x30, b"".join(self.tbs_elements()))

    def build(self):
        return tlv(0x30, self.tbs_element() + self.sig_alg + self.sig)

    def tbs_content_offset(self):
        outer = split(self.build())[0]
        return outer + split(self.tbs_element())[0]

    def tbs_child_offset(self, i):
        return self.tbs_content_offset() + sum(len(e) for e in self.tbs_elements()[:i])

    def spki_child_offset(self, i):
        spki = tlv(0x30, b"".join(self.spki))
        return self.tbs_child_offset(self.spki_index) + split(spki)[0] + sum(map(len, self.spki[:i]))


def cases():
    """Yields (file name, DER, error name, offset)."""
    ec = (HERE / "certs/ec-p256.der").read_bytes()
    v1 = (HERE / "certs/rsa2048-v1.der").read_bytes()
    ec_header, ec_content = split(ec)

    # --- the outer element ---
    yield "indefinite-length", b"\x30\x80" + ec_content + b"\x00\x00", "indefinite-length", 0
    long_form = length(len(ec_content))
    padded = b"\x30" + bytes([long_form[0] + 1, 0]) + long_form[1:] + ec_content
    yield "non-minimal-length-leading-zero", padded, "non-minimal-length", 0
    yield "length-past-end-truncated", ec[:-1], "length-past-end", 0
    yield "trailing-data-after-certificate", ec + b"\x00", "trailing-data", len(ec)

    # --- lengths inside ---
    p = Parts(v1)
    _, serial = split(p.tbs[0])
    p.tbs[0] = b"\x02\x81" + bytes([len(serial)]) + serial  # long form for a short length
    yield "non-minimal-length-serial-v1", p.build(), "non-minimal-length", p.tbs_child_offset(0)

    p = Parts(ec)
    subject = p.spki_index - 1
    _, content = split(p.tbs[subject])
    p.tbs[subject] = b"\x30\x85\x00\x00\x00\x00" + bytes([len(content)]) + content
    yield "length-too-long-subject", p.build(), "length-too-long", p.tbs_child_offset(subject)

    p = Parts(ec)
    last = len(p.tbs) - 1
    p.tbs[last] = with_length(p.tbs[last], len(split(p.tbs[last])[1]) + 1)
    yield "length-past-end-extensions", p.build(), "length-past-end", p.tbs_child_offset(last)

    p = Parts(ec)
    tbs = tlv(0x30, b"".join(p.tbs[: p.spki_index]))  # ends right after the subject
    der = tlv(0x30, tbs + p.sig_alg + p.sig)
    yield "unexpected-end-no-spki", der, "unexpected-end", split(der)[0] + len(tbs)

    # --- tags and order ---
    p = Parts(ec)
    validity = p.spki_index - 2
    p.tbs[validity] = b"\x31" + p.tbs[validity][1:]
    yield "wrong-tag-validity", p.build(), "wrong-tag", p.tbs_child_offset(validity)

    p = Parts(v1)
    p.spki[1] = b"\x04" + p.spki[1][1:]
    yield "wrong-tag-public-key-v1", p.build(), "wrong-tag", p.spki_child_offset(1)

    p = Parts(ec)
    p.spki.append(b"\x05\x00")
    yield "trailing-data-in-spki", p.build(), "trailing-data", p.spki_child_offset(2)

    p = Parts(ec)
    last = len(p.tbs) - 1
    ext = split(p.tbs[last])[1]
    p.tbs[last] = tlv(0xA3, ext + b"\x05\x00")
    yield "trailing-data-in-extensions", p.build(), "trailing-data", p.tbs_child_offset(last) + len(p.tbs[last]) - 2

    # --- the subjectPublicKey BIT STRING ---
    for name, key, error in [
        ("constructed-bit-string", tlv(0x23, tlv(0x03, b"\x00\x04\x01")), "constructed-bit-string"),
        ("empty-bit-string", tlv(0x03, b""), "empty-bit-string"),
        ("empty-public-key", tlv(0x03, b"\x00"), "empty-public-key"),
        ("invalid-unused-bits", tlv(0x03, b"\x08\x04"), "invalid-unused-bits"),
        ("invalid-unused-bits-no-bits", tlv(0x03, b"\x01"), "invalid-unused-bits"),
        ("non-zero-padding-bits", tlv(0x03, b"\x01\x05"), "non-zero-padding-bits"),
    ]:
        p = Parts(ec)
        p.spki[1] = key
        yield name, p.build(), error, p.spki_child_offset(1)

    # --- versions ---
    p = Parts(ec)
    p.tbs[0] = tlv(0xA0, b"\x02\x01\x00")  # v1 spelled out: DER requires it omitted
    yield "unsupported-version-explicit-v1", p.build(), "unsupported-version", p.tbs_child_offset(0) + 2
    p.tbs[0] = tlv(0xA0, b"\x02\x01\x05")
    yield "unsupported-version-6", p.build(), "unsupported-version", p.tbs_child_offset(0) + 2

    p = Parts(ec)
    del p.tbs[0]
    p.spki_index -= 1
    last = len(p.tbs) - 1
    yield "extensions-in-v1", p.build(), "field-not-allowed-in-version", p.tbs_child_offset(last)

    p = Parts(v1)
    p.tbs.append(tlv(0x81, b"\x00\xaa"))
    last = len(p.tbs) - 1
    yield "unique-id-in-v1", p.build(), "field-not-allowed-in-version", p.tbs_child_offset(last)

    # --- integers and OIDs ---
    p = Parts(v1)
    p.tbs[0] = tlv(0x02, b"\x00\x01")
    yield "non-minimal-integer-serial-v1", p.build(), "non-minimal-integer", p.tbs_child_offset(0)
    p.tbs[0] = tlv(0x02, b"")
    yield "empty-integer-serial-v1", p.build(), "empty-integer", p.tbs_child_offset(0)

    p = Parts(ec)
    oid = tlv(0x06, b"\x2a\x86")  # the last arc never ends
    p.spki[0] = tlv(0x30, oid + b"\x05\x00")
    yield "invalid-oid-unfinished-arc", p.build(), "invalid-oid", p.spki_child_offset(0) + 2
    p.spki[0] = tlv(0x30, tlv(0x06, b"\x2a\x80\x01"))  # an arc padded with 0x80
    yield "invalid-oid-padded-arc", p.build(), "invalid-oid", p.spki_child_offset(0) + 2

    p = Parts(ec)
    oid = tlv(0x06, b"\x2a\x03")
    p.spki[0] = tlv(0x30, oid + b"\x1f\x01\x00")
    yield "high-tag-number-parameters", p.build(), "high-tag-number", p.spki_child_offset(0) + 2 + len(oid)


def pin_cases():
    """Yields (pin text, kind or error name, digest hex / InvalidHex offset / "-")."""
    digest = hashlib.sha256(b"certpin pin vector").digest()  # any 32 bytes will do
    hx = digest.hex()
    b64 = base64.b64encode(digest).decode()
    pairs = ":".join(hx[i : i + 2] for i in range(0, 64, 2))
    # The same digest with non-zero bits in the unused low bits of the last character.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    sloppy = b64[:42] + alphabet[alphabet.index(b64[42]) | 1] + "="
    # A digest whose base64 starts with "/": OkHttp's form then reads "sha256//…".
    slash = b"\xfc" + digest[1:]
    for text, kind in [
        ("sha256/" + base64.b64encode(slash).decode(), "spki " + slash.hex()),
        ("sha256//" + base64.b64encode(slash).decode(), "spki " + slash.hex()),
    ]:
        yield text, kind.split()[0], kind.split()[1]
    # Valid bare base64 that begins like a hash name is a bare pin.
    sha = base64.b64decode("sha/5swxyP+1d+lzksoFkOdOtfXOi16orTe9eWBlmP0=")
    yield base64.b64encode(sha).decode(), "spki", sha.hex()
    # ... or like a prefix, when the prefixed reading cannot be base64 (37 characters).
    sha = base64.b64decode("sha256/" + "A" * 36 + "=")
    yield base64.b64encode(sha).decode(), "spki", sha.hex()
    for text, kind in [
        ("sha256//" + b64, "spki"),
        ("SHA256//" + b64, "spki"),
        ("sha256/" + b64, "spki"),
        ('pin-sha256="%s"' % b64, "spki"),
        (b64, "spki"),
        ("  %s " % b64, "spki"),
        ("\u00a0%s\u3000" % b64, "spki"),  # Unicode whitespace is trimmed too
        ("spki-sha256:" + hx, "spki"),
        ("SPKI-SHA256:" + hx.upper(), "spki"),
        ("ucertpin:" + hx, "ucertpin"),
        ("cert-sha256:" + hx, "cert-sha256"),
        ("cert-sha256:" + pairs, "cert-sha256"),
        (hx, "spki-or-ucertpin"),
        (hx.upper(), "spki-or-ucertpin"),
        (pairs, "spki-or-ucertpin"),
        (pairs.upper(), "spki-or-ucertpin"),
    ]:
        yield text, kind, hx
    for text, error, at in [
        ("   ", "empty-pin", "-"),
        ("pin-sha256=" + b64, "unquoted-hpkp-pin", "-"),
        ('pin-sha256="' + b64, "unquoted-hpkp-pin", "-"),
        ("sha1//AAAA", "unsupported-hash", "-"),
        ('pin-sha1="AAAA"', "unsupported-hash", "-"),
        ("sha512/" + b64, "unsupported-hash", "-"),
        ("md5:00", "unsupported-hash", "-"),
        ("sha-1:" + hx, "unsupported-hash", "-"),
        ("spki:" + hx, "unknown-pin-prefix", "-"),
        ("sha256:" + hx, "unknown-pin-prefix", "-"),
        (pairs.replace(":", "", 1), "unknown-pin-prefix", "-"),
        ("sha-256//" + b64, "unrecognized-pin", "-"),
        ("hello world!", "unrecognized-pin", "-"),
        (hx[:62], "wrong-digest-length", "-"),
        (hx + "00", "wrong-digest-length", "-"),
        ("sha256//AAAA", "wrong-digest-length", "-"),
        ("sha256//", "wrong-digest-length", "-"),
        ("sha256//" + "A" * 400, "wrong-digest-length", "-"),
        # Prefixed text is read as prefixed, even when it is 44 valid base64 characters.
        ("sha256//" + base64.b64encode(bytes(range(26))).decode(), "wrong-digest-length", "-"),
        ("sha256/" + "A" * 35 + "*=", "invalid-base64", "-"),
        # Well-formed base64 of 65 and 66 bytes: its size, not its alphabet, is wrong.
        ("sha256//" + base64.b64encode(digest * 2 + b"\x01").decode(), "wrong-digest-length", "-"),
        ('pin-sha256="%s"' % base64.b64encode(digest * 2 + b"\x01\x02").decode(), "wrong-digest-length", "-"),
        ("sha256//****", "invalid-base64", "-"),
        (b64[:43], "invalid-base64", "-"),
        ("sha256//" + b64[:40] + "====", "invalid-base64", "-"),
        ("sha256//" + sloppy, "invalid-base64", "-"),
        ("ucertpin:" + hx[:63] + "g", "invalid-hex", "63"),
        (pairs + ":", "invalid-hex", "95"),
        (pairs[:14] + pairs[15:], "invalid-hex", "14"),
        ("\u00e9:" + hx, "invalid-hex", "0"),
    ]:
        yield text, error, at


def main():
    check = sys.argv[1:] == ["--check"]
    rows = ["file\terror\toffset"]
    wanted = {}
    for name, der, error, offset in cases():
        assert 0 <= offset <= len(der), name
        wanted[name + ".der"] = der
        rows.append("%s.der\t%s\t%d" % (name, error, offset))
    wanted["malformed.tsv"] = ("\n".join(rows) + "\n").encode()
    pins = ["pin\tresult\tdetail"] + ["%s\t%s\t%s" % case for case in pin_cases()]
    wanted["pins.tsv"] = ("\n".join(pins) + "\n").encode("utf-8")
    if check:
        stale = [n for n, data in wanted.items() if not (OUT / n).is_file() or (OUT / n).read_bytes() != data]
        extra = [p.name for p in OUT.glob("*.der") if p.name not in wanted]
        if stale or extra:
            sys.exit("testdata/malformed is out of date (%s); run python3 testdata/make-malformed.py" % ", ".join(stale + extra))
        print("testdata/malformed: %d files up to date" % len(wanted))
        return
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.der"):
        old.unlink()
    for name, data in wanted.items():
        (OUT / name).write_bytes(data)
    print("wrote %d certificates, malformed.tsv and pins.tsv to %s" % (len(wanted) - 2, OUT))


if __name__ == "__main__":
    main()
