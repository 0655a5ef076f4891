# certpin's handshake logic driven through the stand-in TLS layer (fake_tls)
# with realistic call sequences over testdata/chain (root -> intermediate ->
# leaf, made by OpenSSL) and the pins OpenSSL computed for it (pins.tsv).

import fake_tls
from fake_tls import Server
from harness import check, raises, read, tsv

import certpin

T = "/testdata/"
REFUSE = -0x3000


def chain():
    rows = dict((r["file"], r) for r in tsv(T + "pins.tsv"))
    ders = [read(T + "chain/%s.der" % n) for n in ("leaf", "intermediate", "root")]
    pins = ["sha256//" + rows["chain/%s.der" % n]["spki_sha256_b64"] for n in ("leaf", "intermediate", "root")]
    return ders, pins, rows["chain/leaf.der"]


def handshake(pinner, chain_ders, **server):
    # One connection to a server presenting chain_ders; returns (result, raw).
    for k, v in server.items():
        setattr(Server, k, v)
    Server.chain = chain_ders
    raw = fake_tls.RawSocket()
    try:
        return pinner.wrap(raw, "localhost"), raw
    except BaseException as e:  # noqa: B036
        return e, raw


def test_pin_only_accepts_a_matching_leaf_in_every_format():
    ders, pins, leaf = chain()
    forms = [pins[0], "ucertpin:" + leaf["ucertpin_hex"], leaf["spki_sha256_hex"], leaf["ucertpin_hex"], "cert-sha256:" + leaf["cert_sha256_hex"]]
    for form in forms:
        fake_tls.install()
        s, raw = handshake(certpin.Pinner([form]), ders)
        check(isinstance(s, fake_tls.TLSSocket), "accepted with " + form)
        check(not raw.closed, "socket left open: " + form)
        check(Server.calls == [(2, 0), (1, 0), (0, 0)], "called for depths 2,1,0 and returned 0: %r" % Server.calls)
        ctx = Server.contexts[-1]
        check(ctx.verify_mode == fake_tls.CERT_OPTIONAL and ctx.cadata is None, "pin-only runs CERT_OPTIONAL without a CA")


def test_backup_pin_matches():
    ders, pins, _ = chain()
    fake_tls.install()
    s, _ = handshake(certpin.Pinner(["sha256//" + "A" * 43 + "=", pins[0]]), ders)
    check(isinstance(s, fake_tls.TLSSocket), "the second (backup) pin matches")


def test_leaf_mismatch_is_refused_and_closed():
    ders, pins, _ = chain()
    fake_tls.install()
    e, raw = handshake(certpin.Pinner(["sha256//" + "A" * 43 + "="]), ders)
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pin-mismatch", "refused: %r" % e)
    check(raw.closed and raw.written == b"", "socket closed, nothing written")
    check(Server.calls[-1] == (0, REFUSE) and type(Server.calls[-1][1]) is int, "the leaf call returned a non-zero int")


def test_refusal_code_is_not_one_mbedtls_ignores_under_cert_optional():
    # -0x2700 and -0x7A00 are ignored by mbedTLS under CERT_OPTIONAL.
    check(certpin._REFUSE not in (0, -0x2700, -0x7A00), "refusal code is fatal")


def test_chain_pins_are_refused_at_configuration_without_a_ca():
    ders, pins, _ = chain()
    e = raises(lambda: certpin.Pinner([pins[0]], chain_pins=[pins[1]]), certpin.PinError, "chain pin without CA")
    check(e is not None and e.name == "chain-pin-needs-ca", "named chain-pin-needs-ca")
    e = raises(lambda: certpin.Pinner([]), certpin.PinError, "no pins at all")
    check(e is not None and e.name == "empty-pin", "named empty-pin")


def test_intermediate_pin_never_matches_in_pin_only_mode():
    # Under CERT_OPTIONAL nothing links the intermediate to the leaf: any
    # server can send a real intermediate beside its own key.
    ders, pins, _ = chain()
    for pin in pins[1:]:
        fake_tls.install()
        e, raw = handshake(certpin.Pinner([pin]), ders)
        check(isinstance(e, certpin.PinVerificationError) and e.name == "pin-mismatch", "intermediate/root pin refused: %r" % e)
        check(raw.closed, "and closed")


def test_callback_never_called_closes_and_raises():
    ders, pins, _ = chain()
    fake_tls.install()
    e, raw = handshake(certpin.Pinner([pins[0]]), ders, ignore_callback=True)
    check(isinstance(e, certpin.PinVerificationError) and e.name == "leaf-not-checked", "refused: %r" % e)
    check(raw.closed and Server.calls == [], "closed; callback indeed never ran")


def test_ca_mode_accepts_an_intermediate_or_root_pin():
    ders, pins, _ = chain()
    for pin in pins:
        fake_tls.install()
        s, raw = handshake(certpin.Pinner([], chain_pins=[pin], cadata=ders[2]), ders)
        check(isinstance(s, fake_tls.TLSSocket), "CA mode accepts pin %s" % pin)
        ctx = Server.contexts[-1]
        check(ctx.verify_mode == fake_tls.CERT_REQUIRED and ctx.cadata == ders[2], "CA mode runs CERT_REQUIRED with the CA")
        check([c[1] for c in Server.calls] == [0, 0, 0], "every call returned 0")


def test_ca_mode_refuses_unmatched_and_unverified_chains():
    ders, pins, _ = chain()
    fake_tls.install()
    e, raw = handshake(certpin.Pinner(["sha256//" + "A" * 43 + "="], cadata=ders[2]), ders)
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pin-mismatch" and raw.closed, "CA mode mismatch refused: %r" % e)
    fake_tls.install()
    e, raw = handshake(certpin.Pinner([pins[1]], cadata=ders[2]), ders, verifies=False)
    check(isinstance(e, ValueError) and not isinstance(e, certpin.PinError), "a chain mbedTLS rejects still fails: %r" % e)
    check(raw.closed, "and the socket is closed")


def test_malformed_leaf_is_refused_with_its_error():
    for row in tsv(T + "malformed/malformed.tsv"):
        fake_tls.install()
        der = read(T + "malformed/" + row["file"])
        e, raw = handshake(certpin.Pinner(["sha256//" + "A" * 43 + "="]), [der])
        ok = isinstance(e, certpin.PinVerificationError) and (e.name, e.offset) == (row["error"], int(row["offset"]))
        check(ok, "%s refused as %s at %s: %r" % (row["file"], row["error"], row["offset"], e))
        check(raw.closed and Server.calls == [(0, REFUSE)], "%s: closed, callback returned an int" % row["file"])


def test_callback_returns_an_int_for_any_input():
    ders, pins, _ = chain()
    for cadata in (None, ders[2]):
        pinner = certpin.Pinner([pins[0]], cadata=cadata)
        for cert in (None, 12, b"", b"\x30", memoryview(ders[0])[:-1], "text"):
            pinner._begin()
            r = pinner._verify(cert, 0)
            check(type(r) is int and r != 0, "garbage %r at depth 0 -> %r" % (cert, r))
        pinner._begin()
        check(pinner._verify(memoryview(ders[0]), 0) == 0, "a good leaf -> 0")


def test_each_leaf_call_decides_on_its_own():
    # A matching leaf must not make a later depth-0 call in the same handshake
    # pass without its own pin check.
    ders, pins, _ = chain()
    pinner = certpin.Pinner([pins[0]])
    pinner._begin()
    check(pinner._verify(memoryview(ders[0]), 0) == 0, "the pinned leaf -> 0")
    r = pinner._verify(memoryview(ders[1]), 0)
    check(type(r) is int and r != 0, "then another key at depth 0 -> refused (%r)" % r)
    # CA mode: a chain pin matched in one chain does not carry over to the next.
    pinner = certpin.Pinner([], chain_pins=[pins[1]], cadata=ders[2])
    pinner._begin()
    check([pinner._verify(memoryview(d), i) for i, d in ((1, ders[1]), (0, ders[0]))] == [0, 0], "intermediate pin accepts its chain")
    r = pinner._verify(memoryview(ders[0]), 0)
    check(type(r) is int and r != 0, "a leaf alone afterwards, without the pinned intermediate -> refused (%r)" % r)


def test_a_second_chain_in_one_handshake_is_checked():
    ders, pins, _ = chain()
    fake_tls.install()
    e, raw = handshake(certpin.Pinner([pins[0]]), ders, second_chain=[ders[1]])
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pin-mismatch", "second leaf refused: %r" % e)
    check(Server.calls[-1] == (0, REFUSE), "its depth-0 call returned the refusal: %r" % Server.calls)
    check(raw.closed and raw.written == b"", "socket closed, nothing written")
    fake_tls.install()
    s, _ = handshake(certpin.Pinner([pins[0]]), ders, second_chain=[ders[0]])
    check(isinstance(s, fake_tls.TLSSocket), "control: the same leaf twice is accepted")


def test_old_firmware_checks_getpeercert_before_writing():
    ders, pins, _ = chain()
    fake_tls.install()
    s, raw = handshake(certpin.Pinner([pins[0]]), ders, old_firmware=True, peercert=ders[0])
    check(isinstance(s, fake_tls.TLSSocket), "getpeercert(True) leaf accepted")
    fake_tls.install()
    e, raw = handshake(certpin.Pinner([pins[0]]), ders, old_firmware=True, peercert=ders[1])
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pin-mismatch", "wrong peercert refused: %r" % e)
    check(raw.closed and raw.written == b"", "closed before anything was written")
    for peercert in (False, None):
        fake_tls.install()
        e, raw = handshake(certpin.Pinner([pins[0]]), ders, old_firmware=True, peercert=peercert)
        check(isinstance(e, certpin.PinVerificationError) and e.name == "pinning-unsupported", "no getpeercert (%r): %r" % (peercert, e))
        check(raw.closed, "and closed")


def test_firmware_without_tls_module():
    ders, pins, _ = chain()
    fake_tls.install(tls=False, old_ssl=True)
    e, raw = handshake(certpin.Pinner([pins[0]]), ders)
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pinning-unsupported" and raw.closed, "old ssl only: %r" % e)
    fake_tls.install(tls=False)
    e, raw = handshake(certpin.Pinner([pins[0]]), ders)
    check(isinstance(e, certpin.PinVerificationError) and e.name == "pinning-unsupported" and raw.closed, "no TLS at all: %r" % e)


def test_a_pinner_is_reusable_after_a_refusal():
    ders, pins, _ = chain()
    fake_tls.install()
    pinner = certpin.Pinner([pins[0]])
    e, _ = handshake(pinner, [ders[1]])
    check(isinstance(e, certpin.PinVerificationError), "first server refused")
    s, _ = handshake(pinner, ders)
    check(isinstance(s, fake_tls.TLSSocket), "second server accepted with the same Pinner")


def test_https_get_example_sends_nothing_to_an_impostor():
    import https_get

    ders, pins, _ = chain()
    fake_tls.install()
    Server.chain, Server.response = ders, b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello"
    status, headers, body = https_get.get("https://localhost:8443/x", [pins[0]], {"Authorization": "secret"})
    raw = Server.sockets[-1]
    check((status, headers.get("content-type"), body) == (200, "text/plain", b"hello"), "GET through the pinned socket")
    check(raw.connected_to == ("localhost", 8443) and b"Authorization: secret" in raw.written, "request written after the pin check")
    fake_tls.install()
    Server.chain = [ders[1]]
    e = raises(lambda: https_get.get("https://localhost/x", [pins[0]], {"Authorization": "secret"}), certpin.PinVerificationError, "impostor")
    raw = Server.sockets[-1]
    check(raw.written == b"" and raw.closed, "the impostor got no byte of the request")


def test_cli_snippet_runs():
    # The text `certpin hash --format micropython testdata/chain/leaf.pem` printed (the CLI
    # itself, run by scripts/test-micropython), with its host filled in as a user would.
    ders, pins, leaf = chain()
    fake_tls.install()
    Server.chain = ders
    with open("/snippet.py") as f:
        snippet = f.read()
    check(pins[0] in snippet, "the snippet carries the leaf's pin (OpenSSL's value)")
    scope = {}
    exec(snippet.replace('"HOST"', '"localhost"'), scope)
    sock = scope["connect"]()
    check(isinstance(sock, fake_tls.TLSSocket), "the snippet connects with the pasted pins")
    Server.chain = [ders[1]]
    raises(lambda: scope["connect"](), certpin.PinVerificationError, "the snippet refuses another key")
