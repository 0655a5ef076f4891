# An HTTPS GET that checks the server's key *inside* the TLS handshake.
#
# It replaces ucertpin's pattern
#     r = urequests.get(url, headers={"Authorization": token})
#     if ucertpin.get_pubkey_hash(r.raw) != PIN: raise ...
# which sends the request, token included, before looking at the key. Here the
# request is written only after certpin accepted the server's key; an impostor
# gets a TLS alert and nothing else.
#
# Copy certpin.py and certpin_core.py to the board (or `mpremote mip install`),
# then this file, and call get(url, pins).

import certpin


def get(url, pins, headers=None, cadata=None):
    # -> (status code, headers dict, body bytes). Raises
    # certpin.PinVerificationError if the server's key matches no pin.
    scheme, _, host, path = url.split("/", 3)
    if scheme != "https:":
        raise ValueError("https:// URLs only: pinning needs TLS")
    port = 443
    if ":" in host:
        host, port = host.split(":", 1)
        port = int(port)
    sock = certpin.Pinner(pins, cadata=cadata).connect(host, port)
    try:
        lines = ["GET /%s HTTP/1.0" % path, "Host: %s" % host, "Connection: close"]
        for name, value in (headers or {}).items():
            lines.append("%s: %s" % (name, value))
        sock.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = int(sock.readline().split(None, 2)[1])
        reply_headers = {}
        while True:
            line = sock.readline()
            if not line or line == b"\r\n":
                break
            name, _, value = line.decode().partition(":")
            reply_headers[name.strip().lower()] = value.strip()
        body = sock.read()
    finally:
        sock.close()
    return status, reply_headers, body


if __name__ == "__main__":
    # `certpin get example.com --format micropython` prints the pins to paste
    # here. Keep a backup pin (a key you hold offline) beside the current one.
    PINS = ["sha256//REPLACE-WITH-THE-SERVER-PIN-FROM-CERTPIN-GET="]
    print(get("https://example.com/", PINS))
