# certpin for MicroPython: public-key pins checked *inside* the TLS handshake,
# so an impostor never receives a byte of application data.
#
#     import certpin
#     pinner = certpin.Pinner(["sha256//PRIMARY...=", "sha256//BACKUP...="])
#     s = pinner.connect("example.com", 443)   # refused -> PinVerificationError
#
# Modes:
# - pin-only (no CA, the usual device case): mbedTLS runs under CERT_OPTIONAL,
#   which verifies nothing, so only the leaf (depth 0) can be trusted to be the
#   key the server proved it holds; only the leaf is compared. Pins meant for an
#   intermediate or root (`chain_pins`) are refused when the Pinner is made.
# - CA (`cadata` given): CERT_REQUIRED, mbedTLS verifies the chain up to the CA
#   and aborts on any flaw, so a pin may match any certificate of that chain.
#
# Why `tls.SSLContext` and not `ssl.SSLContext`: micropython-lib's `ssl` class
# is a Python wrapper that silently ignores `verify_callback`. This module
# never relies on the callback having run: a handshake that completes without
# it having checked the leaf is closed and refused.

from certpin_core import (  # noqa: F401  (re-exported: the public API)
    CERT,
    SPKI,
    SPKI_OR_UCERTPIN,
    UCERTPIN,
    PinError,
    PinVerificationError,
    _REFUSE,
    certificate_digests,
    matches,
    parse_pin,
    parse_pins,
)


def _close(sock):
    # Closing must not mask the error being raised; a closed socket is fine.
    try:
        sock.close()
    except Exception:
        pass


class Pinner:
    # A pin set and its TLS context, reusable for many connections (making an
    # SSLContext seeds a DRBG and parses the CA: worth doing once). Not for use
    # by two threads at once: the per-handshake state lives here.

    def __init__(self, pins, chain_pins=(), cadata=None):
        self._pins = parse_pins(pins)
        chain = parse_pins(chain_pins)
        if chain and cadata is None:
            raise PinError(
                "chain-pin-needs-ca",
                "pins of an intermediate or root need a CA (cadata): without one nothing verifies that the "
                "server's chain is linked, so any server could present that certificate beside its own key",
            )
        self._pins += chain
        if not self._pins:
            raise PinError("empty-pin", "no pins given")
        self._cadata = cadata
        self._ctx = None
        self._begin()

    def _begin(self):
        # Per-handshake state, reset before each handshake. `_leaf_ok` is the
        # decision of the last depth-0 call only: each leaf is judged on its
        # own chain, never on an earlier call's match.
        self._chain_matched = False
        self._leaf_seen = False
        self._leaf_ok = False
        self._refusal = None

    def _verify(self, cert, depth):
        # The verify_callback: mbedTLS calls it for each certificate from the
        # top of the chain down to the leaf at depth 0. It must return a plain
        # int and never raise: an exception aborts the handshake without a TLS
        # alert and is easy to lose, so every failure becomes a recorded reason
        # plus a non-zero return. `cert` is only valid during this call.
        try:
            if depth != 0:
                if self._cadata is None:
                    return 0  # unverified under CERT_OPTIONAL: never looked at
                if matches(self._pins, cert):
                    self._chain_matched = True
                return 0
            # The leaf ends a chain: decide on that chain alone, and let the
            # next chain (if the TLS layer ever verifies another) start afresh.
            chain_matched, self._chain_matched = self._chain_matched, False
            self._leaf_seen = True
            self._leaf_ok = False
            if chain_matched or matches(self._pins, cert):
                self._leaf_ok = True
                return 0
            what = "the server's key" if self._cadata is None else "no certificate of the verified chain"
            self._refusal = PinVerificationError("pin-mismatch", "%s matches no pin" % what)
            return _REFUSE
        except BaseException as e:  # noqa: B036  (fail closed, even on KeyboardInterrupt)
            self._leaf_ok = False
            self._refusal = e
            return _REFUSE

    def _context(self):
        # -> (context, has_callback); ImportError where there is no `tls`.
        if self._ctx is None:
            import tls

            ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
            if self._cadata is None:
                # The callback never runs under CERT_NONE, and CERT_REQUIRED
                # fails without a CA: pin-only has to be CERT_OPTIONAL.
                ctx.verify_mode = tls.CERT_OPTIONAL
            else:
                ctx.load_verify_locations(self._cadata)
                ctx.verify_mode = tls.CERT_REQUIRED
            try:
                ctx.verify_callback = self._verify
                self._ctx = (ctx, True)
            except AttributeError:  # firmware before verify_callback
                self._ctx = (ctx, False)
        return self._ctx

    def wrap(self, sock, server_hostname=None):
        # TLS over a connected socket; returns the TLS socket only if a pin
        # matched. On any failure `sock` is closed before the error is raised.
        self._begin()
        try:
            ctx, has_callback = self._context()
        except ImportError:
            return self._wrap_after(sock, server_hostname, None)
        except BaseException:
            _close(sock)
            raise
        if not has_callback:
            return self._wrap_after(sock, server_hostname, ctx)
        try:
            tls_sock = ctx.wrap_socket(sock, server_hostname=server_hostname)
        except BaseException:
            _close(sock)  # after a verify failure the TLS object drops the socket
            refusal = self._refusal
            if refusal is None:
                raise  # a network or TLS error, not a pin decision
            if isinstance(refusal, PinError):
                raise PinVerificationError(refusal.name, str(refusal), refusal.offset)
            raise refusal
        if self._refusal is not None or not (self._leaf_seen and self._leaf_ok):
            # The handshake completed although the leaf was never checked (a
            # context that ignores the callback) or a refusal was ignored.
            _close(tls_sock)
            _close(sock)
            if isinstance(self._refusal, PinVerificationError):
                raise self._refusal
            raise PinVerificationError("leaf-not-checked", "the TLS layer completed the handshake without letting certpin check the server's certificate; connection closed")
        return tls_sock

    def _wrap_after(self, sock, server_hostname, ctx):
        # Firmware without verify_callback: finish the handshake, read the
        # leaf with getpeercert(True) and check it before anything is written.
        # Only the leaf is available here, so only leaf pins can match.
        try:
            if ctx is not None:
                tls_sock = ctx.wrap_socket(sock, server_hostname=server_hostname)
            else:
                try:
                    import ssl
                except ImportError:
                    try:
                        import ussl as ssl
                    except ImportError:
                        raise PinVerificationError("pinning-unsupported", "this firmware has no TLS module")
                kw = {"server_hostname": server_hostname}
                if self._cadata is not None:
                    kw["cert_reqs"] = ssl.CERT_REQUIRED
                    kw["cadata"] = self._cadata
                tls_sock = ssl.wrap_socket(sock, **kw)
        except BaseException:
            _close(sock)
            raise
        try:
            der = tls_sock.getpeercert(True)
        except Exception:  # AttributeError, or OSError where mbedTLS freed it
            der = None
        try:
            if not der:
                raise PinVerificationError(
                    "pinning-unsupported",
                    "this firmware offers neither tls.SSLContext.verify_callback nor getpeercert(True): "
                    "the server's certificate cannot be seen, so pinning is impossible; connection closed",
                )
            if not matches(self._pins, der):
                raise PinVerificationError("pin-mismatch", "the server's key matches no pin")
        except PinError as e:
            _close(tls_sock)
            _close(sock)
            raise PinVerificationError(e.name, str(e), e.offset)
        except BaseException:
            _close(tls_sock)
            _close(sock)
            raise
        return tls_sock

    def connect(self, host, port=443):
        # Resolve, connect and wrap; returns the pinned TLS socket.
        import socket

        ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        sock = socket.socket(ai[0], socket.SOCK_STREAM, ai[2])
        try:
            sock.connect(ai[-1])
        except BaseException:
            _close(sock)
            raise
        return self.wrap(sock, host)


def connect(host, port, pins, chain_pins=(), cadata=None):
    # One-shot form of Pinner(...).connect(host, port).
    return Pinner(pins, chain_pins, cadata).connect(host, port)
