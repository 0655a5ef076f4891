# A stand-in for MicroPython's `tls` module (and `socket`, and the old `ssl`),
# since the WebAssembly port under test has no sockets and no TLS. It behaves as
# MicroPython 1.28's tls.SSLContext over mbedTLS 3.6 was observed to behave (see
# the issue text): verify_callback(cert, depth) is read from the context at
# verify time and called only under CERT_OPTIONAL/CERT_REQUIRED, top of the
# chain first and the leaf last at depth 0, with a memoryview that is only valid
# during the call; a non-zero int aborts the handshake (OSError), a raised
# exception propagates, a non-int is a TypeError; CERT_REQUIRED without a CA
# fails; after a failed verify the TLS object drops the TCP socket unclosed.

import io
import sys

CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2
PROTOCOL_TLS_CLIENT = 0
AF_INET = 2
SOCK_STREAM = 1


class Server:
    # What the peer does; reset() before each test.
    @classmethod
    def reset(cls):
        cls.chain = []  # DER certificates as sent: leaf first
        cls.second_chain = None  # another chain verified in the same handshake, after `chain`
        cls.verifies = True  # would mbedTLS verify the chain against the CA?
        cls.ignore_callback = False  # like micropython-lib's ssl.SSLContext
        cls.old_firmware = False  # no verify_callback attribute at all
        cls.peercert = False  # getpeercert(True) result; False: no such method
        cls.response = b""
        cls.calls = []  # (depth, what the callback returned)
        cls.contexts = []
        cls.sockets = []  # every RawSocket made


class RawSocket:
    def __init__(self, *args):
        self.closed = False
        self.connected_to = None
        self.written = b""
        Server.sockets.append(self)

    def connect(self, addr):
        self.connected_to = addr

    def close(self):
        self.closed = True


class TLSSocket:
    def __init__(self, raw):
        self.raw = raw
        self.closed = False
        self._in = io.BytesIO(Server.response)

    def write(self, data):
        assert not self.closed and not self.raw.closed, "write on a closed socket"
        self.raw.written += bytes(data)
        return len(data)

    def read(self, n=-1):
        return self._in.read(n) if n >= 0 else self._in.read()

    def readline(self):
        return self._in.readline()

    def close(self):
        self.closed = True
        self.raw.close()


class PeercertTLSSocket(TLSSocket):
    def getpeercert(self, binary=False):
        return Server.peercert


def _handshake(ctx, sock, callback):
    if ctx.verify_mode == CERT_REQUIRED and ctx.cadata is None:
        raise OSError(-0x7680)  # MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED
    if ctx.verify_mode != CERT_NONE and callback is not None and not Server.ignore_callback:
        chains = [Server.chain] if Server.second_chain is None else [Server.chain, Server.second_chain]
        for chain, depth in [(c, d) for c in chains for d in range(len(c) - 1, -1, -1)]:
            buf = bytearray(chain[depth])  # mbedTLS's own copy
            result = callback(memoryview(buf), depth)
            for i in range(len(buf)):  # freed after the call: a kept view sees zeros
                buf[i] = 0
            Server.calls.append((depth, result))
            if not isinstance(result, int):
                raise TypeError("can't convert %s to int" % type(result).__name__)
            if result != 0:
                raise OSError(result)
    if ctx.verify_mode == CERT_REQUIRED and not Server.verifies:
        raise ValueError("The certificate is not correctly signed by the trusted CA")
    return PeercertTLSSocket(sock) if Server.peercert is not False else TLSSocket(sock)


class _BaseContext:
    def __init__(self, protocol):
        assert protocol == PROTOCOL_TLS_CLIENT
        self.verify_mode = CERT_REQUIRED  # the client default, as in MicroPython
        self.cadata = None
        Server.contexts.append(self)

    def load_verify_locations(self, cadata):
        self.cadata = cadata


class _Context(_BaseContext):
    def __init__(self, protocol):
        super().__init__(protocol)
        self.verify_callback = None

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        return _handshake(self, sock, self.verify_callback)


class _OldContext(_BaseContext):
    # Firmware before verify_callback: setting it fails like a C type would.
    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        return _handshake(self, sock, None)

    @property
    def verify_callback(self):
        raise AttributeError("no attribute 'verify_callback'")


def SSLContext(protocol):
    return _OldContext(protocol) if Server.old_firmware else _Context(protocol)


class OldSsl:
    # The `ssl` module of firmware without `tls`: wrap_socket only.
    CERT_NONE = 0
    CERT_REQUIRED = 2

    @staticmethod
    def wrap_socket(sock, server_side=False, cert_reqs=0, cadata=None, server_hostname=None, do_handshake=True):
        ctx = _BaseContext(PROTOCOL_TLS_CLIENT)
        ctx.verify_mode, ctx.cadata = cert_reqs, cadata
        return _handshake(ctx, sock, None)


def getaddrinfo(host, port, af=0, type=0):
    return [(AF_INET, SOCK_STREAM, 6, "", (host, port))]


def socket(af=AF_INET, type=SOCK_STREAM, proto=0):
    return RawSocket(af, type, proto)


def install(tls=True, old_ssl=False):
    # Makes `import tls` / `import ssl` / `import socket` find this module.
    me = sys.modules[__name__]
    Server.reset()
    sys.modules["socket"] = me
    for name in ("tls", "ssl", "ussl"):
        sys.modules.pop(name, None)
    if tls:
        sys.modules["tls"] = me
    if old_ssl:
        sys.modules["ssl"] = OldSsl
