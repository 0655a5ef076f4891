/*
 * certpin_mbedtls: a public-key pinning verify callback for mbedTLS (2.28 and 3.x; ESP-IDF,
 * MicroPython ports, bare metal). Ships with crates/certpin-ffi; link libcertpin_ffi.a.
 *
 * How mbedTLS uses a verify callback, and the traps this file is shaped around:
 *
 *  - MBEDTLS_SSL_VERIFY_NONE never calls the callback: the server is accepted without any pin
 *    check. Never use it with pinning.
 *  - MBEDTLS_SSL_VERIFY_REQUIRED fails the handshake with MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED
 *    when no CA chain is configured, whatever the callback does. Use it for "CA chain AND pin"
 *    (a CA chain set with mbedtls_ssl_conf_ca_chain, or ESP-IDF's certificate bundle).
 *  - MBEDTLS_SSL_VERIFY_OPTIONAL lets the handshake go on whatever flags are left set: a
 *    callback that only sets a flag on a mismatch (and returns 0) fails open. Only a non-zero
 *    return from the callback aborts the handshake (mbedTLS 2.28 turns even a returned
 *    MBEDTLS_ERR_X509_CERT_VERIFY_FAILED into MBEDTLS_ERR_X509_FATAL_ERROR). So pin-only (no
 *    CA) is VERIFY_OPTIONAL plus this callback with CERTPIN_MBEDTLS_PIN_ONLY: it returns
 *    CERTPIN_MBEDTLS_ERR_PIN_MISMATCH (MBEDTLS_ERR_X509_FATAL_ERROR) on a mismatch, and also
 *    when any flag other than "not trusted" is left (wrong host name, expired, weak key), so
 *    the handshake cannot complete with an unchecked problem. scripts/test-ffi checks each of
 *    these behaviours against mbedTLS itself (the "trap:" cases).
 *  - mbedTLS checks the leaf's keyUsage and extendedKeyUsage only *after* the callback, and
 *    under VERIFY_OPTIONAL ignores a failure: those flags never reach the callback. So when
 *    the leaf is accepted through an issuer pin, the callback checks them itself (serverAuth
 *    or anyExtendedKeyUsage if it has an EKU; digitalSignature if it has a keyUsage), or any
 *    certificate the pinned CA issued, a clientAuth-only device certificate say, would pass
 *    as the server. A pin on the leaf's own key names that key as the server's: no usage
 *    check then (under VERIFY_REQUIRED mbedTLS still makes its own).
 *  - mbedTLS links the chain it shows the callback by issuer *name*. Without a trusted CA its
 *    flags do not prove that a served intermediate signed the leaf: anyone can serve their own
 *    leaf next to the real intermediate (same issuer name). A pin on a certificate above the
 *    leaf (CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS) therefore counts only where this callback has
 *    verified every signature from the leaf up to the pinned certificate itself, each made by
 *    a certificate allowed to sign for a TLS server (CA:TRUE, within its path length,
 *    keyCertSign, serverAuth where it has an extended key usage) and within its validity
 *    period, like every certificate of the chain mbedTLS checks.
 *  - ESP-IDF's certificate bundle (esp_crt_bundle_attach) installs its own verify callback;
 *    a second mbedtls_ssl_conf_verify would silently replace it and drop the CA check.
 *    certpin_mbedtls_conf_verify() chains instead: the previous callback runs first, for
 *    every certificate, and its error aborts the handshake. Call it after
 *    certpin_mbedtls_init(), which clears the chained callback.
 *
 * One context per handshake in progress: the callback keeps per-handshake state in it. When
 * connections of one config run concurrently, give each its own context with
 * mbedtls_ssl_set_verify(ssl, certpin_mbedtls_verify, ctx). That replaces the config's
 * callback for that connection, so the callback the config had (ESP-IDF's bundle) no longer
 * runs unless each context chains it: certpin_mbedtls_chain(ctx, f, p) with the f_vrfy and
 * p_vrfy the config held before (mbedTLS has no getter: read the fields, as
 * certpin_mbedtls_conf_verify() does, before anything replaces them).
 */
#ifndef CERTPIN_MBEDTLS_H
#define CERTPIN_MBEDTLS_H

#include <stddef.h>
#include <stdint.h>

#include "certpin.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pin is the trust anchor: no CA chain is configured (use MBEDTLS_SSL_VERIFY_OPTIONAL),
 * so "not trusted" is expected and cleared; every other flag mbedTLS sets on the chain before
 * calling the callback still fails the handshake. The leaf's key usage flags are not among
 * them (mbedTLS sets them after the callback): the callback checks those itself for a leaf
 * accepted through an issuer pin (see above). Without this option every flag mbedTLS leaves
 * set fails the handshake, under VERIFY_OPTIONAL as under VERIFY_REQUIRED: "CA chain AND
 * pin". */
#define CERTPIN_MBEDTLS_PIN_ONLY 0x1u
/* A pin may also match a certificate above the leaf (an intermediate or the root), but only
 * one reached by signatures this callback verified itself, from the leaf up, and only for a
 * leaf whose usage allows a TLS server (see above). */
#define CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS 0x2u

/* What the callback returns on a mismatch: fatal under VERIFY_OPTIONAL too (see above). */
#define CERTPIN_MBEDTLS_ERR_PIN_MISMATCH MBEDTLS_ERR_X509_FATAL_ERROR

/* The verify callback type of mbedtls_ssl_conf_verify. */
typedef int (*certpin_mbedtls_verify_fn)(void *ctx, mbedtls_x509_crt *crt, int depth,
                                         uint32_t *flags);

typedef struct certpin_mbedtls_ctx {
    /* Configuration, set by certpin_mbedtls_init (and the chaining functions). */
    certpin_pinset_t pins;
    unsigned options;
    certpin_mbedtls_verify_fn next_verify; /* runs first for every certificate, or NULL */
    void *next_ctx;

    /* The outcome of the last verification, for logs: the depth (0 = leaf) and index of the
     * matching pin, or matched_depth -1 and the reason in status (CERTPIN_NO_MATCH, or an
     * error such as a malformed certificate). Cleared by each callback call and by
     * certpin_mbedtls_reset(). A resumed session sends no certificate and calls no callback:
     * call certpin_mbedtls_reset() before each handshake, and -1 after a successful one means
     * no certificate was checked in it (the session's was, when it was first made). */
    int matched_depth;
    size_t matched_index;
    certpin_status_t status;

    /* Per-handshake state: the chain mbedTLS shows the callback, depth by depth, and the
     * flags it left set. Cleared when the leaf (depth 0, called last) has been decided, when a
     * chained callback fails, and by certpin_mbedtls_reset(). */
    mbedtls_x509_crt *chain[MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE];
    uint32_t flags_seen;
} certpin_mbedtls_ctx;

/* Sets up ctx to check against pins (which must outlive ctx) with CERTPIN_MBEDTLS_* options.
 * ctx may be uninitialized: everything in it is overwritten, a chained callback included, so
 * call this before certpin_mbedtls_chain() or certpin_mbedtls_conf_verify(). Returns 0, or MBEDTLS_ERR_X509_BAD_INPUT_DATA for a NULL argument, an empty set or unknown
 * options. */
int certpin_mbedtls_init(certpin_mbedtls_ctx *ctx, const certpin_pinset_t *pins,
                         unsigned options);

/* Clears the outcome (matched_depth -1) and any per-handshake state, keeping the pins, the
 * options and the chained callback. Call it before each mbedtls_ssl_handshake() whose outcome
 * you read. NULL is ignored. */
void certpin_mbedtls_reset(certpin_mbedtls_ctx *ctx);

/* Makes ctx call next (with next_ctx) first, for every certificate. */
void certpin_mbedtls_chain(certpin_mbedtls_ctx *ctx, certpin_mbedtls_verify_fn next,
                           void *next_ctx);

/* Installs the callback on conf, chaining whatever callback conf had (ESP-IDF's bundle). */
void certpin_mbedtls_conf_verify(mbedtls_ssl_config *conf, certpin_mbedtls_ctx *ctx);

/* The callback itself, for mbedtls_ssl_conf_verify / mbedtls_ssl_set_verify with ctx. */
int certpin_mbedtls_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags);

#ifdef __cplusplus
}
#endif

#endif /* CERTPIN_MBEDTLS_H */
