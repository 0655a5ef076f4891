/*
 * The C API as a C program sees it, built with ASan and UBSan by scripts/test-ffi.
 * Expected digests are passed in from testdata/pins.tsv (computed there by OpenSSL).
 * Prints "ok - NAME" or "not ok - NAME" per case; exits 1 if any case failed.
 *
 * usage: api_test LEAF.der SPKI_B64 SPKI_HEX UCERTPIN_HEX CERT_HEX
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certpin.h"

static int failures;

static void check(int ok, const char *name)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", name);
    if (!ok) {
        failures++;
    }
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(65536);
    if (f == NULL || buf == NULL) {
        perror(path);
        exit(2);
    }
    *len = fread(buf, 1, 65536, f);
    fclose(f);
    return buf;
}

static void to_hex(const uint8_t *digest, char out[65])
{
    for (int i = 0; i < CERTPIN_DIGEST_LEN; i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s LEAF.der SPKI_B64 SPKI_HEX UCERTPIN_HEX CERT_HEX\n", argv[0]);
        return 2;
    }
    size_t der_len, offset, index, written;
    unsigned char *der = read_file(argv[1], &der_len);
    char hex[65], text[512];
    certpin_digests_t digests;
    certpin_pin_t buf[4];
    certpin_pinset_t set;

    /* Digests against OpenSSL's. */
    certpin_status_t st = certpin_digests_of_certificate(der, der_len, &digests, &offset);
    check(st == CERTPIN_OK && offset == CERTPIN_NO_OFFSET && digests.has_cert_sha256,
          "digests of the leaf");
    to_hex(digests.spki_sha256, hex);
    check(strcmp(hex, argv[3]) == 0, "spki sha256 equals openssl's");
    to_hex(digests.ucertpin, hex);
    check(strcmp(hex, argv[4]) == 0, "ucertpin equals openssl's");
    to_hex(digests.cert_sha256, hex);
    check(strcmp(hex, argv[5]) == 0, "certificate sha256 equals openssl's");

    /* A pin list in mixed formats; the OpenSSL pin second. */
    snprintf(text, sizeof(text), "sha256//ERERERERERERERERERERERERERERERERERERERERERE=; pin-sha256=\"%s\"",
             argv[2]);
    st = certpin_pinset_parse(text, strlen(text), buf, 4, &set);
    check(st == CERTPIN_OK && set.len == 2 && set.pins == buf, "parse a pin list");
    index = 99;
    st = certpin_match_certificate(&set, der, der_len, &index, &offset);
    check(st == CERTPIN_OK && index == 1, "match reports the index of the matching pin");

    /* Pins written by hand, as a const table in flash would be. */
    certpin_pin_t table[2] = {{CERTPIN_KIND_SPKI, {0x11}}, {CERTPIN_KIND_CERTIFICATE, {0}}};
    memcpy(table[1].digest, digests.cert_sha256, CERTPIN_DIGEST_LEN);
    certpin_pinset_t flash = {table, 2};
    st = certpin_match_certificate(&flash, der, der_len, &index, NULL);
    check(st == CERTPIN_OK && index == 1, "a hand-written certificate pin matches");
    flash.len = 1;
    st = certpin_match_certificate(&flash, der, der_len, &index, NULL);
    check(st == CERTPIN_NO_MATCH, "a different key does not match");
    table[0].kind = 42;
    st = certpin_match_certificate(&flash, der, der_len, &index, NULL);
    check(st == CERTPIN_ERR_INVALID_PIN_KIND, "an unknown kind is an error, not a mismatch");

    /* Malformed DER: the code and the byte offset. */
    st = certpin_match_certificate(&set, der, der_len - 1, &index, &offset);
    check(st == CERTPIN_ERR_LENGTH_PAST_END && offset == 0, "truncated certificate: offset 0");
    der[der_len] = 0;
    st = certpin_digests_of_certificate(der, der_len + 1, &digests, &offset);
    check(st == CERTPIN_ERR_TRAILING_DATA && offset == der_len,
          "trailing byte: offset is the certificate's length");

    /* Malformed pins. */
    const char *bad = "sha256//not-base64!";
    st = certpin_pinset_parse(bad, strlen(bad), buf, 4, &set);
    check(st == CERTPIN_ERR_INVALID_BASE64 && set.len == 0 && set.pins == NULL,
          "bad base64 leaves an empty set");
    check(strcmp(certpin_error_name(st), "invalid-base64") == 0, "error name is the core's");
    st = certpin_match_certificate(&set, der, der_len, &index, NULL);
    check(st == CERTPIN_ERR_NULL_POINTER || st == CERTPIN_ERR_BAD_LENGTH,
          "matching the empty set of a failed parse is an error");

    /* NULL pointers and impossible lengths. */
    check(certpin_pinset_parse(NULL, 3, buf, 4, &set) == CERTPIN_ERR_NULL_POINTER,
          "NULL text");
    check(certpin_pinset_parse(text, strlen(text), buf, 4, NULL) == CERTPIN_ERR_NULL_POINTER,
          "NULL out set");
    check(certpin_digests_of_certificate(der, SIZE_MAX, &digests, NULL) == CERTPIN_ERR_BAD_LENGTH,
          "length over PTRDIFF_MAX");
    check(certpin_match_certificate(NULL, der, der_len, NULL, NULL) == CERTPIN_ERR_NULL_POINTER,
          "NULL set");

    /* Pin text: exact size, too small, and every message. */
    char out[CERTPIN_PIN_TEXT_MAX];
    certpin_pin_t spki = {CERTPIN_KIND_SPKI, {0}};
    memcpy(spki.digest, buf[0].digest, CERTPIN_DIGEST_LEN);
    st = certpin_pin_format(&spki, CERTPIN_FORMAT_CURL, out, sizeof(out), &written);
    check(st == CERTPIN_OK && written == strlen(out) &&
              strcmp(out, "sha256//ERERERERERERERERERERERERERERERERERERERERERE=") == 0,
          "format as curl");
    char small[8] = "xxxxxxx";
    st = certpin_pin_format(&spki, CERTPIN_FORMAT_PREFIXED, small, sizeof(small), &written);
    check(st == CERTPIN_ERR_BUFFER_TOO_SMALL && written == 76 && small[0] == 'x',
          "buffer too small reports the size and writes nothing");
    int all_messages = 1;
    for (int code = -5; code < 100; code++) {
        const char *m = certpin_error_message(code), *n = certpin_error_name(code);
        all_messages &= m != NULL && n != NULL && strlen(m) > 0 && strlen(n) > 0;
    }
    check(all_messages, "every code has a message and a name");

    free(der);
    printf("api_test: %d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
