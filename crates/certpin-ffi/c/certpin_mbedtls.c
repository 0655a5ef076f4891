/*
 * certpin_mbedtls: see certpin_mbedtls.h for what the callback does and why.
 */
#include "certpin_mbedtls.h"

#include <string.h>

#include "mbedtls/md.h"
#include "mbedtls/oid.h"
#include "mbedtls/pk.h"
#include "mbedtls/x509.h"

/* mbedTLS 3.x hides struct members behind MBEDTLS_PRIVATE(); 2.28 has no such macro. */
#if !defined(MBEDTLS_PRIVATE)
#define MBEDTLS_PRIVATE(member) member
#endif

#define CHAIN_MAX MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE

int certpin_mbedtls_init(certpin_mbedtls_ctx *ctx, const certpin_pinset_t *pins,
                         unsigned options)
{
    const unsigned known = CERTPIN_MBEDTLS_PIN_ONLY | CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS;
    if (ctx == NULL || pins == NULL || pins->pins == NULL || pins->len == 0 ||
        (options & ~known) != 0) {
        return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
    }
    memset(ctx, 0, sizeof(*ctx));
    ctx->pins = *pins;
    ctx->options = options;
    ctx->matched_depth = -1;
    ctx->status = CERTPIN_NO_MATCH;
    return 0;
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

static void reset_handshake_state(certpin_mbedtls_ctx *ctx)
{
    memset(ctx->chain, 0, sizeof(ctx->chain));
    ctx->flags_seen = 0;
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
#if defined(MBEDTLS_X509_CHECK_KEY_USAGE)
    if (mbedtls_x509_crt_check_key_usage(parent, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0) {
        return 0;
    }
#else
    if (parent->MBEDTLS_PRIVATE(ext_types) & MBEDTLS_X509_EXT_KEY_USAGE) {
        return 0; /* a key usage this build cannot read: refuse rather than guess */
    }
#endif
#if defined(MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE)
    if (mbedtls_x509_crt_check_extended_key_usage(parent, MBEDTLS_OID_SERVER_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0) {
        return 0;
    }
#else
    if (parent->MBEDTLS_PRIVATE(ext_types) & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) {
        return 0;
    }
#endif
    return 1;
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

/* A certificate that signed child: among those the server sent (leaf->next, in the order
 * sent) and those mbedTLS placed above the leaf (which includes a trusted root the server did
 * not send). Names are not compared: the signature is the proof, the name is not. */
static mbedtls_x509_crt *find_signer(certpin_mbedtls_ctx *ctx, mbedtls_x509_crt *leaf,
                                     mbedtls_x509_crt *child, int below)
{
    mbedtls_x509_crt *cand;
    size_t i;

    for (cand = leaf->next; cand != NULL; cand = cand->next) {
        if (cand != child && cand->raw.p != NULL && signed_by(child, cand, below)) {
            return cand;
        }
    }
    for (i = 1; i < CHAIN_MAX; i++) {
        cand = ctx->chain[i];
        if (cand != NULL && cand != child && signed_by(child, cand, below)) {
            return cand;
        }
    }
    return NULL;
}

/* Decides the leaf: 0 with ctx->matched_* set, or -1 with ctx->status saying why. */
static int check_pins(certpin_mbedtls_ctx *ctx, mbedtls_x509_crt *leaf)
{
    mbedtls_x509_crt *child = leaf;
    mbedtls_x509_crt *parent;
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

    ctx->matched_depth = -1;
    ret = check_pins(ctx, crt);
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
