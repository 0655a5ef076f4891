# certpin for MicroPython, the part without TLS: pins, pin formats, and a
# strict DER reader that finds a certificate's public key. `certpin` (the TLS
# half, checking pins inside the handshake) imports it; a program that only
# computes or parses pins can import this module alone.
#
# The pin definitions, pin formats and error names are those of the Rust core
# (crates/certpin); the same vector files in testdata/ drive both test suites.
# Written for a ~100 KB heap: certificates are read through memoryview slices
# (never copied), only the digests a pin set needs are computed, and nothing of
# a certificate is kept after the callback returns (mbedTLS frees it).

import hashlib
import binascii

# Pin kinds, as small ints: cheap to store and compare.
SPKI = 0  # sha256 of the DER SubjectPublicKeyInfo (RFC 7469, curl, OkHttp)
UCERTPIN = 1  # sha256 of the subjectPublicKey BIT STRING contents (ucertpin)
CERT = 2  # sha256 of the whole certificate (a fingerprint)
SPKI_OR_UCERTPIN = 3  # bare 64-digit hex: either of the first two (see parse_pin)

# What the callback returns to refuse. mbedTLS passes a non-zero callback result
# up as the handshake error, except that under CERT_OPTIONAL it *ignores*
# X509_CERT_VERIFY_FAILED (-0x2700) and SSL_BAD_CERTIFICATE (-0x7A00), which
# would turn a refusal into a pass. X509_FATAL_ERROR (-0x3000) is never ignored.
_REFUSE = -0x3000


class PinError(ValueError):
    # A pin, a certificate or the configuration is unusable. `name` is the Rust
    # core's Error::name() where the two overlap; `offset` the byte offset of
    # the offending DER element's tag, or the character of a bad hex digit.
    def __init__(self, name, message, offset=None):
        super().__init__(message)
        self.name = name
        self.offset = offset


class PinVerificationError(OSError):
    # The server was refused. Its socket is closed and nothing was sent to it.
    def __init__(self, name, message, offset=None):
        super().__init__(message)
        self.name = name
        self.offset = offset


def _der_fail(name, field, at, what):
    raise PinError(name, "malformed DER: %s %s at byte %d" % (field, what, at), at)


# --- a strict DER reader --------------------------------------------------
# Positions are absolute offsets into the one certificate buffer, so errors
# name the same byte as `openssl asn1parse` and the Rust core. Each function
# reads inside [pos, end) where `end` is the end of the enclosing element.


def _tlv(b, pos, end, field):
    # One element of any tag: returns (value start, value end). DER only:
    # lengths in their shortest form, at most 4 octets, never past `end`.
    at = pos
    if pos >= end:
        _der_fail("unexpected-end", field, at, "expected but input ends")
    if b[pos] & 0x1F == 0x1F:
        _der_fail("high-tag-number", field, at, "uses a high tag number")
    if pos + 1 >= end:
        _der_fail("unexpected-end", field, at, "length is cut off")
    n = b[pos + 1]
    pos += 2
    if n & 0x80:
        if n == 0x80:
            _der_fail("indefinite-length", field, at, "has an indefinite length")
        n &= 0x7F
        if n > 4:
            _der_fail("length-too-long", field, at, "has a length over 4 octets")
        length = 0
        for i in range(n):
            if pos >= end:
                _der_fail("unexpected-end", field, at, "length is cut off")
            if i == 0 and b[pos] == 0:
                _der_fail("non-minimal-length", field, at, "length not minimal")
            length = (length << 8) | b[pos]
            pos += 1
        if length < 0x80:
            _der_fail("non-minimal-length", field, at, "length not minimal")
    else:
        length = n
    if length > end - pos:
        _der_fail("length-past-end", field, at, "runs past its container")
    return pos, pos + length


def _expect(b, pos, end, tag, field):
    if pos >= end:
        _der_fail("unexpected-end", field, pos, "expected but input ends")
    if b[pos] != tag:
        _der_fail("wrong-tag", field, pos, "has tag 0x%02x, not 0x%02x" % (b[pos], tag))
    return _tlv(b, pos, end, field)


def _optional(b, pos, end, tag, field):
    if pos < end and b[pos] == tag:
        return _tlv(b, pos, end, field)
    return None


def _finish(pos, end, field):
    if pos != end:
        _der_fail("trailing-data", field, pos, "has bytes after its end")


def _bit_string_rules(b, s, e, field, at):
    # X.690 11.2: unused bits 0..7, none without bits, padding bits zero.
    if s == e:
        _der_fail("empty-bit-string", field, at, "BIT STRING is empty")
    unused = b[s]
    if unused > 7 or (e - s == 1 and unused):
        _der_fail("invalid-unused-bits", field, at, "has a bad unused-bits octet")
    if e - s > 1 and b[e - 1] & ((1 << unused) - 1):
        _der_fail("non-zero-padding-bits", field, at, "has non-zero padding bits")


def _bit_string(b, pos, end, field):
    if pos < end and b[pos] == 0x23:
        _der_fail("constructed-bit-string", field, pos, "BIT STRING is constructed")
    s, e = _expect(b, pos, end, 0x03, field)
    _bit_string_rules(b, s, e, field, pos)
    return s, e


def _integer(b, pos, end, field):
    s, e = _expect(b, pos, end, 0x02, field)
    if s == e:
        _der_fail("empty-integer", field, pos, "INTEGER is empty")
    if e - s > 1 and ((b[s] == 0 and b[s + 1] < 0x80) or (b[s] == 0xFF and b[s + 1] >= 0x80)):
        _der_fail("non-minimal-integer", field, pos, "INTEGER is not minimal")
    return s, e


def _algorithm(b, pos, end, field):
    # AlgorithmIdentifier: an OID with minimally encoded arcs (X.690 8.19.2),
    # then optional parameters of any tag.
    s, e = _expect(b, pos, end, 0x30, field)
    os, oe = _expect(b, s, e, 0x06, "algorithm OID")
    ok = oe > os
    arc_start = True
    for i in range(os, oe):
        ok = ok and not (arc_start and b[i] == 0x80)
        arc_start = b[i] < 0x80
    if not (ok and arc_start):
        raise PinError("invalid-oid", "malformed DER: invalid OID at byte %d" % s, s)
    if oe < e:
        oe = _tlv(b, oe, e, "algorithm parameters")[1]
    _finish(oe, e, field)
    return e


def _walk(b):
    # Certificate -> TBSCertificate -> subjectPublicKeyInfo, as strictly as the
    # Rust core (same checks in the same order, so the same error names and
    # offsets). Returns (spki start, spki end, BIT STRING contents start, end).
    end = len(b)
    s, e = _expect(b, 0, end, 0x30, "Certificate")
    _finish(e, end, "Certificate")
    ts, te = _expect(b, s, e, 0x30, "TBSCertificate")
    p = _algorithm(b, te, e, "signatureAlgorithm")
    p = _bit_string(b, p, e, "signatureValue")[1]
    _finish(p, e, "Certificate")

    version = 0  # v1: no [0] field (DER forbids spelling out the DEFAULT)
    v = _optional(b, ts, te, 0xA0, "version")
    p = ts
    if v:
        i_s, i_e = _integer(b, v[0], v[1], "version")
        _finish(i_e, v[1], "version")
        if i_e - i_s != 1 or b[i_s] not in (1, 2):
            raise PinError("unsupported-version", "unsupported certificate version at byte %d" % v[0], v[0])
        version = b[i_s]
        p = v[1]
    p = _integer(b, p, te, "serialNumber")[1]
    p = _algorithm(b, p, te, "TBSCertificate signature")
    for field in ("issuer", "validity", "subject"):
        p = _expect(b, p, te, 0x30, field)[1]
    spki = p
    ss, se = _expect(b, p, te, 0x30, "subjectPublicKeyInfo")
    p = _algorithm(b, ss, se, "SPKI algorithm")
    key = p
    ks, ke = _bit_string(b, p, se, "subjectPublicKey")
    if ke - ks < 2:
        raise PinError("empty-public-key", "subjectPublicKey at byte %d holds no key" % key, key)
    _finish(ke, se, "subjectPublicKeyInfo")
    p = se
    for tag, field in ((0x81, "issuerUniqueID"), (0x82, "subjectUniqueID")):
        uid = _optional(b, p, te, tag, field)
        if uid:
            if version == 0:
                _der_fail("field-not-allowed-in-version", field, p, "is not allowed in v1")
            _bit_string_rules(b, uid[0], uid[1], field, p)
            p = uid[1]
    ext = _optional(b, p, te, 0xA3, "extensions")
    if ext:
        if version != 2:
            _der_fail("field-not-allowed-in-version", "extensions", p, "need v3")
        _finish(_expect(b, ext[0], ext[1], 0x30, "extensions")[1], ext[1], "extensions")
        p = ext[1]
    _finish(p, te, "TBSCertificate")
    return spki, se, ks, ke


def certificate_digests(der):
    # (spki-sha256, ucertpin, cert-sha256) digests of a DER certificate, as
    # bytes; raises PinError for anything that is not strict DER.
    mv = memoryview(der)
    a, b, c, d = _walk(mv)
    return _sha(mv[a:b]), _sha(mv[c:d]), _sha(mv)


def _sha(data):
    return hashlib.sha256(data).digest()


# --- pin text ---------------------------------------------------------------
# Parsing follows the Rust core's Pin::parse step by step, on the UTF-8 bytes
# (so offsets and lengths are the same byte counts).

# Unicode White_Space, what Rust's str::trim strips.
_WS = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_PREFIXED = ((SPKI, b"spki-sha256:"), (UCERTPIN, b"ucertpin:"), (CERT, b"cert-sha256:"))


def _fail(name, message, offset=None):
    raise PinError(name, "invalid pin: " + message, offset)


def _b64_value(c):
    if 65 <= c <= 90:
        return c - 65
    if 97 <= c <= 122:
        return c - 71
    if 48 <= c <= 57:
        return c + 4
    return 62 if c == 43 else 63 if c == 47 else -1


def _base64(t):
    # Canonical standard base64 with padding only (as base64ct decodes it):
    # a2b_base64 alone would accept sloppy input the Rust core refuses.
    if len(t) > 88:
        _fail("wrong-digest-length", "digest is %d bytes, a SHA-256 digest is 32" % (len(t) // 4 * 3))
    pad = 2 if t[-2:] == b"==" else 1 if t[-1:] == b"=" else 0
    body = t[: len(t) - pad]
    bad = len(t) % 4 != 0
    for c in body:
        bad = bad or _b64_value(c) < 0
    if not bad and pad:
        bad = _b64_value(body[-1]) & (0x0F if pad == 2 else 0x03) != 0
    if bad:
        _fail("invalid-base64", "not valid base64 (standard alphabet with = padding, 44 characters)")
    digest = binascii.a2b_base64(t) if t else b""
    if len(digest) != 32:
        _fail("wrong-digest-length", "digest is %d bytes, a SHA-256 digest is 32" % len(digest))
    return digest


def _hex(t):
    out = bytearray(32)
    separated = b":" in t
    nibbles = 0
    for at in range(len(t)):
        c = t[at]
        if separated and at % 3 == 2:
            if c != 0x3A:
                _fail("invalid-hex", "character %d is not a hex digit" % at, at)
            continue
        if 48 <= c <= 57:
            v = c - 48
        elif 97 <= c | 0x20 <= 102:
            v = (c | 0x20) - 87
        else:
            _fail("invalid-hex", "character %d is not a hex digit" % at, at)
        if nibbles < 64:
            out[nibbles >> 1] |= v if nibbles & 1 else v << 4
        nibbles += 1
    if separated and len(t) % 3 != 2:
        at = max(len(t) - 1, 0)
        _fail("invalid-hex", "character %d is not a hex digit" % at, at)
    if nibbles != 64:
        _fail("wrong-digest-length", "digest is %d bytes, a SHA-256 digest is 32" % (nibbles // 2))
    return bytes(out)


def _unsupported_hash(t):
    # sha1/..., pin-sha1=..., sha512:...: say "unsupported hash", not "unreadable".
    name = t[4:] if t.startswith(b"pin-") else t
    ends = [i for i in (name.find(b"/"), name.find(b"="), name.find(b":")) if i >= 0]
    if not ends:
        return False
    name = name[: min(ends)].lower()
    if name in (b"sha256", b"sha-256"):
        return False
    return name.startswith(b"sha") or name.startswith(b"md")


def _sha256_prefixed(rest):
    # curl's sha256//B64 and OkHttp's sha256/B64 overlap when the base64
    # starts with "/" (1 key in 64); at most one reading decodes to 32
    # bytes. Try curl's first and report its error, as the Rust core does.
    if rest[:1] == b"/":
        try:
            return _base64(rest[1:])
        except PinError as curl_error:
            try:
                return _base64(rest)
            except PinError:
                raise curl_error
    return _base64(rest)


def parse_pin(text):
    # One pin in any format the Rust core reads -> (kind, 32-byte digest).
    t = text.strip(_WS).encode()
    if not t:
        _fail("empty-pin", "empty")
    lower = t.lower()
    if lower.startswith(b"sha256/"):
        # Prefixed text is read as prefixed; bare base64 only if no prefixed
        # reading can hold it (the Rust core's Pin::parse documents why).
        try:
            return SPKI, _sha256_prefixed(t[7:])
        except PinError as prefixed_error:
            if prefixed_error.name != "invalid-base64" or len(t) != 44:
                raise
            try:
                return SPKI, _base64(t)
            except PinError:
                raise prefixed_error
    if lower.startswith(b"pin-sha256="):
        v = t[11:]
        if len(v) < 2 or v[0] != 0x22 or v[-1] != 0x22:
            _fail("unquoted-hpkp-pin", "pin-sha256 value must be in double quotes")
        return SPKI, _base64(v[1:-1])
    for kind, prefix in _PREFIXED:
        if lower.startswith(prefix):
            return kind, _hex(t[len(prefix) :])
    # Bare base64 only after every prefix, so a mistyped prefixed pin gets its own
    # error; before the hash names, so base64 beginning "sha/" stays a pin (as in Rust).
    if len(t) == 44:
        try:
            return SPKI, _base64(t)
        except PinError:
            pass
    if _unsupported_hash(t):
        _fail("unsupported-hash", "only SHA-256 pins are supported")
    colon = t.find(b":")
    if colon >= 0:
        if colon != 2:  # hex pairs have two digits before the first colon
            _fail("unknown-pin-prefix", "unknown prefix; use sha256//, spki-sha256:, ucertpin: or cert-sha256:")
        return SPKI_OR_UCERTPIN, _hex(t)
    if all(48 <= c <= 57 or 97 <= c | 0x20 <= 102 for c in t):
        return SPKI_OR_UCERTPIN, _hex(t)
    if all(_b64_value(c) >= 0 or c == 61 for c in t):
        return SPKI, _base64(t)
    _fail("unrecognized-pin", "expected base64 of 32 bytes (44 characters) or 64 hex digits, optionally prefixed")


def parse_pins(pins):
    # A list of pin strings, or one string of pins separated by ';', ',' or
    # whitespace (curl's list form) -> tuple of (kind, digest).
    if isinstance(pins, str):
        for sep in ";,\t\n\r\x0b\x0c":
            pins = pins.replace(sep, " ")
        pins = pins.split(" ")
    return tuple(parse_pin(p) for p in pins if p.strip(_WS))


def matches(pins, der):
    # True if the DER certificate matches any of `pins` (from parse_pins).
    # Only the digests the pins need are computed: each is a pass over the DER.
    mv = memoryview(der)
    a, b, c, d = _walk(mv)
    kinds = [k for k, _ in pins]
    spki = _sha(mv[a:b]) if SPKI in kinds or SPKI_OR_UCERTPIN in kinds else None
    ucert = _sha(mv[c:d]) if UCERTPIN in kinds or SPKI_OR_UCERTPIN in kinds else None
    cert = _sha(mv) if CERT in kinds else None
    # Pins and certificates are public, so a plain (not constant-time) compare
    # leaks nothing.
    for kind, digest in pins:
        if kind == CERT:
            if digest == cert:
                return True
        elif (kind != UCERTPIN and digest == spki) or (kind != SPKI and digest == ucert):
            return True
    return False


