/*
 * certpin_mbedtls: see certpin_mbedtls.h for what the callback does and why.
 */
#include "certpin_mbedtls.h"

#include <string.h>

#include "mbedtls/md.h"
#include "mbedtls/oid.h"
#include "mbedtls/pk.h"
#include "mbedtls/version.h"
#include "mbedtls/x509.h"

/* mbedTLS 3.x hides struct members behind MBEDTLS_PRIVATE(); 2.28 has no such macro. */
#if !defined(MBEDTLS_PRIVATE)
#define MBEDTLS_PRIVATE(member) member
#endif

#define CHAIN_MAX MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE

/* mbedTLS 3.0 removed MBEDTLS_X509_CHECK_KEY_USAGE and MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE:
 * from 3.0 on the two check functions are always compiled in. Testing only the options would
 * take the fallback below on every 3.x build (ESP-IDF 5, MicroPython), which refuses any
 * certificate with a key usage, so issuer pins would never match there. (scripts/test-ffi
 * runs every case against 2.28 and 3.6.5; without the version test, the issuer-pin cases
 * fail on 3.6.5.) */
#if defined(MBEDTLS_X509_CHECK_KEY_USAGE) || MBEDTLS_VERSION_MAJOR >= 3
#define CERTPIN_HAVE_KU_CHECK 1
#endif
#if defined(MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE) || MBEDTLS_VERSION_MAJOR >= 3
#define CERTPIN_HAVE_EKU_CHECK 1
#endif

static void reset_outcome(certpin_mbedtls_ctx *ctx)
{
    ctx->matched_depth = -1;
    ctx->matched_index = 0;
    ctx->status = CERTPIN_NO_MATCH;
}

static void reset_handshake_state(certpin_mbedtls_ctx *ctx)
{
    memset(ctx->chain, 0, sizeof(ctx->chain));
    ctx->flags_seen = 0;
}

int certpin_mbedtls_init(certpin_mbedtls_ctx *ctx, const certpin_pinset_t *pins,
                         unsigned options)
{
    const unsigned known = CERTPIN_MBEDTLS_PIN_ONLY | CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS;
    if (ctx == NULL || pins == NULL || pins->pins == NULL || pins->len == 0 ||
        (options & ~known) != 0) {
        return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
    }
    /* Everything, next_verify included: ctx may be uninitialized memory, so a chained
     * callback cannot be told from garbage. Hence init first, then chain (documented). */
    memset(ctx, 0, sizeof(*ctx));
    ctx->pins = *pins;
    ctx->options = options;
    reset_outcome(ctx);
    return 0;
}

void certpin_mbedtls_reset(certpin_mbedtls_ctx *ctx)
{
    if (ctx != NULL) {
        reset_outcome(ctx);
        reset_handshake_state(ctx);
    }
}

void certpin_mbedtls_chain(certpin_mbedtls_ctx *ctx, certpin_mbedtls_verify_fn next,
                           void *next_ctx)
{
    /* Chaining the callback to itself would recurse without end. */
    if (next == certpin_mbedtls_verify) {
        return;
    }
    ctx->next_verify = next;
    ctx->next_ctx = next_ctx;
}

void certpin_mbedtls_conf_verify(mbedtls_ssl_config *conf, certpin_mbedtls_ctx *ctx)
{
    /* mbedTLS has no getter for the installed callback; ESP-IDF's bundle callback is static,
     * so the config's own field is the only way to reach it. */
    certpin_mbedtls_chain(ctx, conf->MBEDTLS_PRIVATE(f_vrfy), conf->MBEDTLS_PRIVATE(p_vrfy));
    mbedtls_ssl_conf_verify(conf, certpin_mbedtls_verify, ctx);
}

/* 1 if crt's key usage, if it has one, includes every bit of usage. */
static int key_usage_allows(const mbedtls_x509_crt *crt, unsigned usage)
{
#if defined(CERTPIN_HAVE_KU_CHECK)
    return mbedtls_x509_crt_check_key_usage(crt, usage) == 0;
#else
    (void) usage;
    /* A key usage this build cannot read: refuse rather than guess. */
    return !(crt->MBEDTLS_PRIVATE(ext_types) & MBEDTLS_X509_EXT_KEY_USAGE);
#endif
}

/* 1 if crt's extended key usage, if it has one, includes serverAuth or anyExtendedKeyUsage
 * (mbedtls_x509_crt_check_extended_key_usage accepts the latter itself). */
static int allows_server_auth(const mbedtls_x509_crt *crt)
{
#if defined(CERTPIN_HAVE_EKU_CHECK)
    return mbedtls_x509_crt_check_extended_key_usage(crt, MBEDTLS_OID_SERVER_AUTH,
                                                     MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) == 0;
#else
    return !(crt->MBEDTLS_PRIVATE(ext_types) & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
#endif
}

/* 1 if parent may have signed a certificate of a TLS server chain with `below` intermediates
 * between it and the leaf (RFC 5280 §6.1.4 (k)-(n)): a CA, within its path length, with
 * keyCertSign in its key usage and serverAuth in its extended key usage (where it has them).
 * Without these, anyone holding an ordinary certificate of a pinned CA could sign a leaf for
 * any name with its key. */
static int may_sign(const mbedtls_x509_crt *parent, int below)
{
    if (!parent->MBEDTLS_PRIVATE(ca_istrue)) {
        return 0;
    }
    /* mbedTLS stores pathLenConstraint + 1, and 0 for "no constraint". */
    if (parent->MBEDTLS_PRIVATE(max_pathlen) > 0 && below >= parent->MBEDTLS_PRIVATE(max_pathlen)) {
        return 0;
    }
    return key_usage_allows(parent, MBEDTLS_X509_KU_KEY_CERT_SIGN) && allows_server_auth(parent);
}

/* 1 if parent's key verifies child's signature and parent may sign it (may_sign). The same
 * checks mbedTLS makes between a child and a *trusted* parent, done here because for an
 * untrusted chain mbedTLS reports a bad signature only as a flag that pin-only mode clears. */
static int signed_by(mbedtls_x509_crt *child, mbedtls_x509_crt *parent, int below)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *md_info;
    mbedtls_md_type_t md = child->MBEDTLS_PRIVATE(sig_md);

    if (!may_sign(parent, below)) {
        return 0;
    }
    /* SHA-256 and up, as mbedTLS's default certificate profile. */
    if (md != MBEDTLS_MD_SHA256 && md != MBEDTLS_MD_SHA384 && md != MBEDTLS_MD_SHA512) {
        return 0;
    }
    md_info = mbedtls_md_info_from_type(md);
    if (md_info == NULL || mbedtls_md(md_info, child->tbs.p, child->tbs.len, hash) != 0) {
        return 0;
    }
    /* _ext, not mbedtls_pk_verify: it honours RSASSA-PSS parameters (sig_opts). */
    return mbedtls_pk_verify_ext(child->MBEDTLS_PRIVATE(sig_pk), child->MBEDTLS_PRIVATE(sig_opts),
                                 &parent->pk, md, hash, mbedtls_md_get_size(md_info),
                                 child->MBEDTLS_PRIVATE(sig).p,
                                 child->MBEDTLS_PRIVATE(sig).len) == 0;
}

/* 1 unless crt is expired or not yet valid. mbedTLS flags the dates of every member of the
 * name-linked chain it shows the callback, and any flag but "not trusted" fails the handshake
 * (pin-only ignores no dates); a signer found by its signature outside that chain gets the
 * same rule here, so an expired intermediate never counts because of how it is named. Without
 * MBEDTLS_HAVE_TIME_DATE both functions return 0 (no clock): then no date is checked at all,
 * by mbedTLS or here. */
static int within_validity(const mbedtls_x509_crt *crt)
{
    return !mbedtls_x509_time_is_past(&crt->valid_to) &&
           !mbedtls_x509_time_is_future(&crt->valid_from);
}

/* A certificate that signed child: among those the server sent (leaf->next, in the order
 * sent) and those mbedTLS placed above the leaf (which includes a trusted root the server did
 * not send). Names are not compared: the signature is the proof, the name is not. */
static mbedtls_x509_crt *find_signer(certpin_mbedtls_ctx *ctx, mbedtls_x509_crt *leaf,
                                     mbedtls_x509_crt *child, int below)
{
    mbedtls_x509_crt *cand;
    size_t i;

    for (cand = leaf->next; cand != NULL; cand = cand->next) {
        if (cand != child && cand->raw.p != NULL && within_validity(cand) &&
            signed_by(child, cand, below)) {
            return cand;
        }
    }
    for (i = 1; i < CHAIN_MAX; i++) {
        cand = ctx->chain[i];
        if (cand != NULL && cand != child && within_validity(cand) &&
            signed_by(child, cand, below)) {
            return cand;
        }
    }
    return NULL;
}

/* The leaf's own usage, checked when it is accepted through an issuer pin: mbedTLS checks the
 * leaf's keyUsage and extendedKeyUsage only after the callback (ssl_parse_certificate) and,
 * under VERIFY_OPTIONAL, ignores a failure. Without this, any certificate the pinned CA
 * issued (a device's clientAuth-only certificate, say) would be accepted as the server.
 * digitalSignature is what TLS 1.3 and every (EC)DHE handshake needs; the callback does not
 * know the cipher suite, so a leaf usable only for TLS 1.2 RSA or static-ECDH key exchange
 * (keyEncipherment or keyAgreement alone) is refused: stricter than OpenSSL's sslserver
 * purpose, never looser. A pin on the leaf's own key needs no such check (as in the rustls
 * crate's may_be_server_leaf): the pin names that exact key as the server's, whatever usage
 * its certificate states. Returns the MBEDTLS_X509_BADCERT_* flags that fail, 0 if none. */
static uint32_t server_leaf_problems(const mbedtls_x509_crt *leaf)
{
    uint32_t problems = 0;
    if (!key_usage_allows(leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) {
        problems |= MBEDTLS_X509_BADCERT_KEY_USAGE;
    }
    if (!allows_server_auth(leaf)) {
        problems |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
    }
    return problems;
}

/* Decides the leaf: 0 with ctx->matched_* set, or -1 with ctx->status saying why (and the
 * leaf's usage problems added to *flags). */
static int check_pins(certpin_mbedtls_ctx *ctx, mbedtls_x509_crt *leaf, uint32_t *flags)
{
    mbedtls_x509_crt *child = leaf;
    mbedtls_x509_crt *parent;
    uint32_t problems;
    int depth;

    ctx->status = certpin_match_certificate(&ctx->pins, leaf->raw.p, leaf->raw.len,
                                            &ctx->matched_index, NULL);
    if (ctx->status == CERTPIN_OK) {
        ctx->matched_depth = 0;
        return 0;
    }
    if (ctx->status != CERTPIN_NO_MATCH || !(ctx->options & CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS)) {
        return -1;
    }
    /* Only the leaf's own pin could accept a leaf that may not be a server's, and it did not
     * match: status stays CERTPIN_NO_MATCH, the flags say why no issuer pin was tried. */
    problems = server_leaf_problems(leaf);
    if (problems != 0) {
        *flags |= problems;
        return -1;
    }
    /* Walk up only along signatures verified here; stop at the first missing link. */
    for (depth = 1; depth < CHAIN_MAX; depth++) {
        parent = find_signer(ctx, leaf, child, depth - 1);
        if (parent == NULL) {
            break;
        }
        certpin_status_t status = certpin_match_certificate(
            &ctx->pins, parent->raw.p, parent->raw.len, &ctx->matched_index, NULL);
        if (status == CERTPIN_OK) {
            ctx->status = CERTPIN_OK;
            ctx->matched_depth = depth;
            return 0;
        }
        child = parent;
    }
    return -1;
}

int certpin_mbedtls_verify(void *p_ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    certpin_mbedtls_ctx *ctx = p_ctx;
    uint32_t left;
    int ret;

    if (ctx == NULL || crt == NULL || flags == NULL || depth < 0) {
        return CERTPIN_MBEDTLS_ERR_PIN_MISMATCH;
    }
    /* Any call means a verification is under way, so the last one's outcome is obsolete; the
     * new one is set when the leaf (depth 0, called last) is decided. A handshake that ends
     * before that (a chained callback's error) thus never shows an earlier handshake's match. */
    reset_outcome(ctx);
    if (ctx->next_verify != NULL) {
        ret = ctx->next_verify(ctx->next_ctx, crt, depth, flags);
        if (ret != 0) {
            reset_handshake_state(ctx);
            return ret;
        }
    }
    if (ctx->options & CERTPIN_MBEDTLS_PIN_ONLY) {
        *flags &= ~(uint32_t) MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    }
    if ((size_t) depth < CHAIN_MAX) {
        ctx->chain[depth] = crt;
    }
    if (depth > 0) {
        /* mbedTLS (2.28 and 3.x) calls the top of the chain first and the leaf last, so
         * everything above is known by the time the leaf is decided. */
        ctx->flags_seen |= *flags;
        return 0;
    }

    ret = check_pins(ctx, crt, flags);
    left = ctx->flags_seen | *flags;
    reset_handshake_state(ctx);
    if (ret != 0) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        return CERTPIN_MBEDTLS_ERR_PIN_MISMATCH;
    }
    if (left != 0) {
        /* Under VERIFY_OPTIONAL a flag alone would not stop the handshake (under
         * VERIFY_REQUIRED mbedTLS stops it anyway): a pin never excuses a problem mbedTLS
         * found. With CERTPIN_MBEDTLS_PIN_ONLY, "not trusted" was cleared above. */
        return CERTPIN_MBEDTLS_ERR_PIN_MISMATCH;
    }
    return 0;
}
