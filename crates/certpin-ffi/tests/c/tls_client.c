/*
 * A pinning mbedTLS client for scripts/test-ffi: connects to 127.0.0.1:PORT, sends a probe
 * line after the handshake and prints what comes back. One "result=..." line says what
 * happened; the script compares it with what the case expects.
 *
 * usage: tls_client --port N --pins TEXT [--pin-only] [--issuer-pins] [--ca FILE]
 *                   [--authmode none|optional|required] [--hostname NAME]
 *                   [--callback certpin|flag-only|verify-failed] [--prev pass|fail]
 *                   [--resume] [--tls12]
 *
 * --tls12: offer TLS 1.2 at most (mbedTLS 3.6 negotiates TLS 1.3 by default; 2.28 has no 1.3).
 * Every result line names the version negotiated ("version=TLSv1.3"), so a case cannot
 * silently run on another version than the one the script expects.
 *
 * --resume: after the exchange, reconnect resuming the session (certpin_mbedtls_reset first)
 * and print a second line, "resumed=...", with the callback's outcome and call count then.
 *
 * Exit: 0 handshake completed and data exchanged, 1 handshake failed, 3 pin list rejected
 * (before any connection), 2 usage or setup error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certpin.h"
#include "certpin_mbedtls.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"
#include "mbedtls/version.h"
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include "psa/crypto.h"
#endif

#define PROBE "certpin-probe-line\n"

/* mbedTLS 3.6 with TLS 1.3: what mbedtls_ssl_read returns once it has taken a session ticket,
 * when asked to say so (--resume). 2.28 has no TLS 1.3 and never returns it. */
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
#define GOT_TICKET MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#else
#define GOT_TICKET 1 /* compared only when no byte was read (got <= 0): never equal */
#endif

static int prev_calls;

/* Stands in for ESP-IDF's bundle callback: the callback certpin must chain, not replace. */
static int prev_pass(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void) p, (void) crt, (void) depth, (void) flags;
    prev_calls++;
    return 0;
}

static int prev_fail(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void) p, (void) crt, (void) flags;
    prev_calls++;
    return depth == 0 ? MBEDTLS_ERR_X509_FATAL_ERROR : 0;
}

/* Two hand-written callbacks that show how mbedTLS treats a mismatch report (the cases
 * "trap: ..." in scripts/test-ffi): "flag-only" sets a flag and returns 0, which
 * VERIFY_OPTIONAL ignores (fails open); "verify-failed" returns CERT_VERIFY_FAILED, which
 * mbedTLS turns into a fatal error (fails closed). */
static int naive_calls;
static int naive_return;
static int naive_verify(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    naive_calls++;
    if (depth != 0) {
        return 0;
    }
    if (certpin_match_certificate(p, crt->raw.p, crt->raw.len, NULL, NULL) != CERTPIN_OK) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        return naive_return;
    }
    return 0;
}

static int counting_calls;
static int counting_verify(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    counting_calls++;
    return certpin_mbedtls_verify(p, crt, depth, flags);
}

int main(int argc, char **argv)
{
    const char *port = NULL, *pins_text = NULL, *ca_file = NULL, *hostname = "localhost";
    const char *authmode_name = "optional", *callback = "certpin", *prev = NULL;
    unsigned options = 0;
    int resume = 0, tls12 = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--pin-only")) options |= CERTPIN_MBEDTLS_PIN_ONLY;
        else if (!strcmp(a, "--issuer-pins")) options |= CERTPIN_MBEDTLS_ALLOW_ISSUER_PINS;
        else if (!strcmp(a, "--resume")) resume = 1;
        else if (!strcmp(a, "--tls12")) tls12 = 1;
        else if (v && !strcmp(a, "--port")) port = argv[++i];
        else if (v && !strcmp(a, "--pins")) pins_text = argv[++i];
        else if (v && !strcmp(a, "--ca")) ca_file = argv[++i];
        else if (v && !strcmp(a, "--authmode")) authmode_name = argv[++i];
        else if (v && !strcmp(a, "--hostname")) hostname = argv[++i];
        else if (v && !strcmp(a, "--callback")) callback = argv[++i];
        else if (v && !strcmp(a, "--prev")) prev = argv[++i];
        else { fprintf(stderr, "bad argument %s\n", a); return 2; }
    }
    if (port == NULL || pins_text == NULL) {
        fprintf(stderr, "--port and --pins are required\n");
        return 2;
    }

    /* The pins first: a bad pin list must stop the program before it connects anywhere. */
    certpin_pin_t pin_buf[8];
    certpin_pinset_t pins;
    certpin_status_t st = certpin_pinset_parse(pins_text, strlen(pins_text), pin_buf, 8, &pins);
    if (st != CERTPIN_OK) {
        printf("result=pin-error name=%s message=\"%s\"\n", certpin_error_name(st),
               certpin_error_message(st));
        return 3;
    }

    int authmode = !strcmp(authmode_name, "none")     ? MBEDTLS_SSL_VERIFY_NONE
                   : !strcmp(authmode_name, "required") ? MBEDTLS_SSL_VERIFY_REQUIRED
                                                        : MBEDTLS_SSL_VERIFY_OPTIONAL;
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    certpin_mbedtls_ctx pin_ctx;
    mbedtls_ssl_session saved;
    char err[200];
    int ret, exit_code = 1;

    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&ca);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_session_init(&saved);

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    /* mbedTLS 3.x: TLS 1.3 (and, with MBEDTLS_USE_PSA_CRYPTO, everything) goes through PSA,
     * which must be initialized before the handshake, or the handshake fails. */
    psa_status_t psa = psa_crypto_init();
    if (psa != PSA_SUCCESS) {
        printf("result=setup-error psa_crypto_init=%d\n", (int) psa);
        exit_code = 2;
        goto out;
    }
#endif
    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)) != 0 ||
        (ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
        (ca_file && (ret = mbedtls_x509_crt_parse_file(&ca, ca_file)) != 0) ||
        (ret = certpin_mbedtls_init(&pin_ctx, &pins, options)) != 0) {
        printf("result=setup-error ret=-0x%04x\n", (unsigned) -ret);
        exit_code = 2;
        goto out;
    }
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_authmode(&conf, authmode);
    mbedtls_ssl_conf_read_timeout(&conf, 3000);
#if defined(MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
    /* mbedTLS 3.6 ignores TLS 1.3 session tickets unless told to signal them (then
     * mbedtls_ssl_read returns GOT_TICKET): without one, a TLS 1.3 session cannot resume. */
    if (resume) {
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            &conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    }
#endif
    if (tls12) {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        mbedtls_ssl_conf_max_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
        mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    }
    if (ca_file) {
        mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
    }
    if (prev) {
        mbedtls_ssl_conf_verify(&conf, !strcmp(prev, "fail") ? prev_fail : prev_pass, NULL);
    }
    if (strcmp(callback, "certpin") != 0) {
        naive_return = !strcmp(callback, "verify-failed") ? MBEDTLS_ERR_X509_CERT_VERIFY_FAILED : 0;
        mbedtls_ssl_conf_verify(&conf, naive_verify, &pins);
    } else if (prev) {
        certpin_mbedtls_conf_verify(&conf, &pin_ctx);
    } else {
        mbedtls_ssl_conf_verify(&conf, counting_verify, &pin_ctx);
    }

    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0 ||
        (ret = mbedtls_ssl_set_hostname(&ssl, hostname)) != 0 ||
        (ret = mbedtls_net_connect(&net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP)) != 0) {
        printf("result=setup-error ret=-0x%04x\n", (unsigned) -ret);
        exit_code = 2;
        goto out;
    }
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);

    while ((ret = mbedtls_ssl_handshake(&ssl)) != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            break;
        }
    }
    int calls = counting_calls + naive_calls;
    if (ret != 0) {
        mbedtls_strerror(ret, err, sizeof(err));
        printf("result=handshake-failed version=%s ret=-0x%04x (%s) matched_depth=%d status=%s "
               "calls=%d prev_calls=%d\n",
               mbedtls_ssl_get_version(&ssl), (unsigned) -ret, err, pin_ctx.matched_depth, certpin_error_name(pin_ctx.status),
               calls, prev_calls);
        goto out;
    }

    unsigned char reply[128] = {0};
    int sent = mbedtls_ssl_write(&ssl, (const unsigned char *) PROBE, strlen(PROBE));
    int got = sent;
    if (sent > 0) {
        /* WANT_READ: mbedTLS 3.6 returns it after a TLS 1.3 post-handshake message (a session
         * ticket) it has only begun to process; the next call goes on with it. */
        do {
            got = mbedtls_ssl_read(&ssl, reply, sizeof(reply) - 1);
        } while (got == MBEDTLS_ERR_SSL_WANT_READ || got == MBEDTLS_ERR_SSL_WANT_WRITE);
    }
    reply[strcspn((char *) reply, "\r\n")] = 0;
    printf("result=handshake-ok version=%s matched_depth=%d index=%zu verify_flags=0x%x "
           "calls=%d prev_calls=%d reply=%s\n",
           mbedtls_ssl_get_version(&ssl), pin_ctx.matched_depth, pin_ctx.matched_index,
           (unsigned) mbedtls_ssl_get_verify_result(&ssl), calls, prev_calls,
           got > 0 ? (char *) reply : got == GOT_TICKET ? "(session-ticket)" : "(none)");
    mbedtls_ssl_close_notify(&ssl);
    exit_code = 0;

    if (resume) {
        /* A resumed handshake sends no certificate, so the callback is not called: the
         * outcome is what certpin_mbedtls_reset left, not the first handshake's match. */
        int calls_before = counting_calls;
        ret = mbedtls_ssl_get_session(&ssl, &saved);
        mbedtls_net_free(&net);
        if (ret != 0 || (ret = mbedtls_ssl_session_reset(&ssl)) != 0 ||
            (ret = mbedtls_ssl_set_session(&ssl, &saved)) != 0 ||
            (ret = mbedtls_net_connect(&net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP)) != 0) {
            printf("resumed=setup-error ret=-0x%04x\n", (unsigned) -ret);
            exit_code = 2;
            goto out;
        }
        certpin_mbedtls_reset(&pin_ctx);
        while ((ret = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ ||
               ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        }
        sent = ret == 0 ? mbedtls_ssl_write(&ssl, (const unsigned char *) PROBE, strlen(PROBE)) : ret;
        printf("resumed=%s version=%s ret=-0x%04x matched_depth=%d status=%s new_calls=%d\n",
               ret == 0 && sent > 0 ? "handshake-ok" : "failed", mbedtls_ssl_get_version(&ssl),
               (unsigned) -ret,
               pin_ctx.matched_depth, certpin_error_name(pin_ctx.status),
               counting_calls - calls_before);
        if (ret != 0 || sent <= 0) {
            exit_code = 1;
        } else {
            mbedtls_ssl_close_notify(&ssl);
        }
    }

out:
    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_psa_crypto_free();
#endif
    return exit_code;
}
