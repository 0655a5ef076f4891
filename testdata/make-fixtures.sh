#!/usr/bin/env bash
# Regenerate the certpin test fixtures under testdata/ and their expected pins (pins.tsv).
#
#   bash testdata/make-fixtures.sh           # regenerate everything (new keys, new pins)
#   bash testdata/make-fixtures.sh --check   # only recompute pins.tsv from the files on disk
#                                            # and the vector self-check; changes nothing
#
# Needs only the `openssl` command line (3.0+), bash, coreutils and awk; python3 is not used.
# Every digest is computed by `openssl dgst` on bytes cut out of the DER at the offsets that
# `openssl asn1parse` reports (the SPKI is never re-encoded).
# Idempotent: wipes the generated files and makes new keys every run (so all pins change).
# All keys made here are TEST KEYS, PUBLIC BY DESIGN. Never use them for anything else.
set -euo pipefail
export LC_ALL=C

TD=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$TD"
VECTORS=${CERTPIN_VECTORS:-$TD/../../shared/vectors}
DAYS=7300

die() { echo "make-fixtures: FAIL: $*" >&2; [ "${MODE:-}" = check ] || rm -f "$TD/pins.tsv"; exit 1; }   # no pins.tsv unless all checks pass
log() { echo "make-fixtures: $*" >&2; }

MODE=generate
case ${1:-} in
    "") ;;
    --check) MODE=check ;;   # only recompute pins.tsv from the files on disk and compare
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
PINS="$TD/pins.tsv"

# --- wipe --------------------------------------------------------------------------------
rm -rf .work
if [ $MODE = generate ]; then
    rm -rf certs keys csr chain encrypted pins.tsv
    mkdir -p certs keys csr chain encrypted
else
    [ -f pins.tsv ] || { echo "make-fixtures: no pins.tsv to check" >&2; exit 1; }
    PINS="$TD/.work/pins.tsv"
fi
mkdir .work
W="$TD/.work"
trap 'rm -rf "$W"' EXIT

# --- openssl config used for all the certificates and requests ------------------------------
CNF="$W/openssl.cnf"
cat > "$CNF" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[leaf]
basicConstraints = critical,CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[xleaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyAgreement
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,IP:127.0.0.1
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ca_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[localhost]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[reqext]
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF

# --- key generation ------------------------------------------------------------------------
# genkey CASE OUT: PKCS#8 private key PEM for the named case
genkey() {
    local c=$1 out=$2
    case $c in
        rsa2048)    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out" ;;
        rsa4096)    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$out" ;;
        rsa-pss2048)
            openssl genpkey -quiet -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 \
                -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha256 \
                -pkeyopt rsa_pss_keygen_saltlen:32 -out "$out" ;;
        ec-p256)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out" ;;
        ec-p384)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$out" ;;
        ec-p521)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$out" ;;
        ec-secp256k1) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$out" ;;
        ec-brainpoolp256r1) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 -out "$out" ;;
        ec-p256-explicit)
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                -pkeyopt ec_param_enc:explicit -out "$out" ;;
        ec-p256-compressed)
            # genpkey's point-format option does not stick in 3.0; `openssl ec -conv_form` does
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/tmp-ec.pem"
            openssl ec -in "$W/tmp-ec.pem" -conv_form compressed -out "$W/tmp-ecc.pem" 2>/dev/null
            openssl pkey -in "$W/tmp-ecc.pem" -out "$out" ;;
        ed25519)    openssl genpkey -algorithm ED25519 -out "$out" ;;
        ed448)      openssl genpkey -algorithm ED448 -out "$out" ;;
        x25519)     openssl genpkey -algorithm X25519 -out "$out" ;;
        x448)       openssl genpkey -algorithm X448 -out "$out" ;;
        dsa2048)
            openssl genpkey -quiet -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
                -pkeyopt dsa_paramgen_q_bits:256 -out "$W/dsaparam.pem"
            openssl genpkey -quiet -paramfile "$W/dsaparam.pem" -out "$out" ;;
        *) die "unknown case $c" ;;
    esac
}

declare -A KT=(
    [rsa2048]=RSA-2048 [rsa4096]=RSA-4096 [rsa-pss2048]=RSA-PSS-2048
    [ec-p256]=EC-P256 [ec-p384]=EC-P384 [ec-p521]=EC-P521 [ec-secp256k1]=EC-secp256k1
    [ec-brainpoolp256r1]=EC-brainpoolP256r1 [ec-p256-explicit]=EC-explicit
    [ec-p256-compressed]=EC-P256 [ed25519]=Ed25519 [ed448]=Ed448 [x25519]=X25519 [x448]=X448
    [dsa2048]=DSA-2048
    [rsa2048-v1]=RSA-2048 [unique-ids]=RSA-2048 [big]=EC-P256 [ca-ec-p256]=EC-P256
)
digest_for() {
    case $1 in
        ed25519|ed448) echo "" ;;
        ec-p384) echo "-sha384" ;;
        ec-p521) echo "-sha512" ;;
        *) echo "-sha256" ;;
    esac
}

topem_der() { # PEMFILE -> also write DER of the single certificate/CSR next to it
    local kind=$1 pem=$2 der=$3
    case $kind in
        cert) openssl x509 -in "$pem" -outform DER -out "$der" ;;
        csr)  openssl req -in "$pem" -outform DER -out "$der" ;;
    esac
}

SELF_SIGNED=(rsa2048 rsa4096 rsa-pss2048 ec-p256 ec-p384 ec-p521 ec-secp256k1 ec-brainpoolp256r1
             ec-p256-explicit ec-p256-compressed ed25519 ed448 dsa2048)
KEYCASES=(rsa2048 ec-p256 ec-p384 ec-p521 ed25519)

# =========================================================================================
# DER helpers: locate the SubjectPublicKeyInfo with `openssl asn1parse`, cut with tail/head.

# locate DER DEPTH ORDINAL -> "spki_off spki_total_len bits_off bits_hl bits_len"
# The SPKI is the ORDINAL-th element at depth DEPTH (a leading `cont [ 0 ]`, the certificate's
# version field, is skipped); its subjectPublicKey is the BIT STRING at depth DEPTH+1 inside it.
locate() {
    openssl asn1parse -i -inform DER -in "$1" | awk -v D="$2" -v N="$3" '
    {
        if ($0 !~ /^ *[0-9]+:d=[0-9]+ +hl= *[0-9]+ +l= *[0-9]+ +(prim|cons):/) next
        line = $0; gsub(/[:=]/, " ", line); n = split(line, a, " ")
        off = a[1] + 0; d = a[3] + 0; hl = a[5] + 0; len = a[7] + 0
        if (!found && d == D) {
            if (D > 0 && cnt == 0 && !skipped && a[9] == "cont" && a[11] == "0") { skipped = 1; next }
            cnt++
            if (cnt == N) { so = off; sl = hl + len; found = 1 }
            next
        }
        if (found && !bfound && d == D + 1 && off < so + sl && a[9] == "BIT" && a[10] == "STRING") {
            bo = off; bh = hl; bl = len; bfound = 1
        }
    }
    END {
        if (!found || !bfound) exit 1
        print so, sl, bo, bh, bl
    }' || die "cannot locate SubjectPublicKeyInfo in $1"
}
cutbytes() { head -c $(($2 + $3)) "$1" | tail -c "$3"; }      # FILE OFFSET LENGTH (no SIGPIPE)
sha256hex() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
sha256b64() { openssl dgst -sha256 -binary "$1" | openssl base64 -A; }

# pins DER MODE -> sets P_B64 P_HEX P_UCP P_CERT ; MODE: cert | csr | spki
pins() {
    local der=$1 mode=$2 loc so sl bo bh bl
    case $mode in
        cert) loc=$(locate "$der" 2 6) ;;
        csr)  loc=$(locate "$der" 2 3) ;;
        spki) loc=$(locate "$der" 0 1) ;;
    esac
    read -r so sl bo bh bl <<<"$loc"
    cutbytes "$der" "$so" "$sl" > "$W/spki.bin"
    cutbytes "$der" $((bo + bh)) "$bl" > "$W/bits.bin"
    [ "$(stat -c %s "$W/spki.bin")" -eq "$sl" ] || die "short SPKI cut from $der"
    [ "$(stat -c %s "$W/bits.bin")" -eq "$bl" ] || die "short BIT STRING cut from $der"
    [ "$(head -c 1 "$W/spki.bin" | od -An -tx1 | tr -d ' ')" = "30" ] || die "SPKI cut from $der is not a SEQUENCE"
    P_B64=$(sha256b64 "$W/spki.bin")
    P_HEX=$(sha256hex "$W/spki.bin")
    P_UCP=$(sha256hex "$W/bits.bin")
    if [ "$mode" = cert ]; then P_CERT=$(sha256hex "$der"); else P_CERT=-; fi
    if [ "$mode" = spki ] && [ "$sl" -ne "$(stat -c %s "$der")" ]; then die "$der has trailing bytes after the SPKI"; fi
}

# pemblock FILE INDEX OUT: base64-decode the INDEX-th (0-based) PEM block of FILE (no re-encoding)
pemblock() {
    awk -v want="$2" '
        /^-----BEGIN / { inb = 1; next }
        /^-----END /   { if (inb) blk++; inb = 0; next }
        inb && blk == want && $0 !~ /:/ && $0 != "" { print }' "$1" | openssl base64 -d > "$3"
    [ -s "$3" ] || die "no PEM block $2 in $1"
}
pemcount() { grep -c '^-----BEGIN ' "$1"; }

# SPKI DER of FILE holding OBJECT (keys: what `openssl pkey -pubout` gives)
spki_of() {
    local f=$1 obj=$2 out=$3 inform=PEM
    case $f in *.der) inform=DER ;; esac
    case $obj in
        public-key)
            openssl pkey -pubin -inform $inform -in "$f" -pubout -outform DER -out "$out"
            if [ $inform = DER ]; then cmp -s "$f" "$out" || die "$f: pkey re-encoding differs from the file"
            else pemblock "$f" 0 "$W/pub-from-pem.der"; cmp -s "$W/pub-from-pem.der" "$out" || die "$f: pkey re-encoding differs from the file"; fi ;;
        rsa-public-key)
            openssl rsa -RSAPublicKey_in -inform $inform -in "$f" -pubout -outform DER -out "$out" 2>/dev/null ;;
        private-key-*)
            openssl pkey -inform $inform -in "$f" -pubout -outform DER -out "$out" ;;
        *) die "spki_of: $obj" ;;
    esac
}

if [ $MODE = generate ]; then
# =========================================================================================
log "generating certificates"
for c in "${SELF_SIGNED[@]}"; do
    genkey "$c" "$W/$c.key.pem"
    # shellcheck disable=SC2046
    openssl req -x509 -new -config "$CNF" -extensions leaf -key "$W/$c.key.pem" $(digest_for "$c") \
        -subj "/CN=certpin test $c" -days $DAYS -out "certs/$c.pem"
    topem_der cert "certs/$c.pem" "certs/$c.der"
done

# issuing CA for the key-agreement-only keys (X25519/X448 cannot sign their own certificate)
genkey ec-p256 "$W/ca-ec-p256.key.pem"
openssl req -x509 -new -config "$CNF" -extensions ca -key "$W/ca-ec-p256.key.pem" -sha256 \
    -subj "/CN=certpin test issuing CA ec-p256" -days $DAYS -out certs/ca-ec-p256.pem
topem_der cert certs/ca-ec-p256.pem certs/ca-ec-p256.der
for c in x25519 x448; do
    genkey "$c" "$W/$c.key.pem"
    openssl pkey -in "$W/$c.key.pem" -pubout -out "$W/$c.pub.pem"
    openssl x509 -new -subj "/CN=certpin test $c" -force_pubkey "$W/$c.pub.pem" \
        -CA certs/ca-ec-p256.pem -CAkey "$W/ca-ec-p256.key.pem" -sha256 \
        -extfile "$CNF" -extensions xleaf -days $DAYS -out "certs/$c.pem" 2>/dev/null
    topem_der cert "certs/$c.pem" "certs/$c.der"
done

# v1 certificate: `x509 -new` without any extension section writes version 1
genkey rsa2048 "$W/rsa2048-v1.key.pem"
openssl x509 -new -subj "/CN=certpin test rsa2048-v1" -key "$W/rsa2048-v1.key.pem" -sha256 \
    -days $DAYS -out certs/rsa2048-v1.pem
topem_der cert certs/rsa2048-v1.pem certs/rsa2048-v1.der
openssl x509 -in certs/rsa2048-v1.pem -noout -text | grep -q 'Version: 1 (0x0)' \
    || die "rsa2048-v1 is not a v1 certificate"
! openssl x509 -in certs/rsa2048-v1.pem -noout -text | grep -q 'X509v3' \
    || die "rsa2048-v1 has extensions"

# big certificate (> 64 KiB, outer length in 3 octets): 3000 SAN dNSNames from a config file
{
    cat "$CNF"
    echo "[big]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "subjectKeyIdentifier = hash"
    echo "subjectAltName = @bigalt"
    echo "[bigalt]"
    echo "DNS.1 = localhost"
    echo "IP.1 = 127.0.0.1"
    for i in $(seq 1 3000); do printf 'DNS.%d = host-%05d.san.certpin.test\n' $((i + 1)) "$i"; done
} > "$W/big.cnf"
genkey ec-p256 "$W/big.key.pem"
openssl req -x509 -new -config "$W/big.cnf" -extensions big -key "$W/big.key.pem" -sha256 \
    -subj "/CN=certpin test big" -days $DAYS -out certs/big.pem
topem_der cert certs/big.pem certs/big.der
[ "$(head -c 2 certs/big.der | od -An -tx1 | tr -d ' \n')" = "3083" ] \
    || die "big.der does not start with 30 83"
[ "$(stat -c %s certs/big.der)" -gt 65536 ] || die "big.der is not larger than 64 KiB"

# =========================================================================================
log "generating keys, CSRs, chain, encrypted keys"
for c in "${KEYCASES[@]}"; do
    k="$W/$c.key.pem"
    openssl pkey -in "$k" -out "keys/$c.key.pem"                      # PKCS#8 PRIVATE KEY
    # `openssl pkey -outform DER` writes RSA keys in the PKCS#1 form: force PKCS#8.
    openssl pkcs8 -topk8 -nocrypt -in "$k" -outform DER -out "keys/$c.key.der"
    openssl pkey -in "$k" -pubout -out "keys/$c.pub.pem"              # PUBLIC KEY (SPKI)
    openssl pkey -in "$k" -pubout -outform DER -out "keys/$c.pub.der"
    case $c in
        rsa2048)
            openssl rsa -in "$k" -traditional -out "keys/$c.pkcs1.key.pem" 2>/dev/null
            openssl rsa -in "$k" -traditional -outform DER -out "keys/$c.pkcs1.key.der" 2>/dev/null
            openssl rsa -in "$k" -RSAPublicKey_out -out "keys/$c.pkcs1.pub.pem" 2>/dev/null
            openssl rsa -in "$k" -RSAPublicKey_out -outform DER -out "keys/$c.pkcs1.pub.der" 2>/dev/null ;;
        ec-*)
            openssl ec -in "$k" -out "keys/$c.sec1.key.pem" 2>/dev/null
            openssl ec -in "$k" -outform DER -out "keys/$c.sec1.key.der" 2>/dev/null ;;
    esac
    # shellcheck disable=SC2046
    openssl req -new -config "$CNF" -reqexts reqext -key "$k" $(digest_for "$c") \
        -subj "/CN=certpin test $c" -out "csr/$c.csr.pem"
    topem_der csr "csr/$c.csr.pem" "csr/$c.csr.der"
done
openssl ec -in "$W/ec-p256.key.pem" -no_public -out keys/ec-p256.sec1-nopub.key.pem 2>/dev/null
# SEC1 key with a compressed public point: the key of certs/ec-p256-compressed (same SPKI)
openssl ec -in "$W/ec-p256-compressed.key.pem" -conv_form compressed \
    -out keys/ec-p256-compressed.sec1.key.pem 2>/dev/null
openssl asn1parse -in keys/ec-p256.sec1-nopub.key.pem | grep -q 'cont \[ 1 \]' \
    && die "ec-p256.sec1-nopub.key.pem still has a public key"
openssl asn1parse -in keys/ec-p256-compressed.sec1.key.pem | grep -q 'd=2  hl=2 l=  34 prim: BIT STRING' \
    || die "ec-p256-compressed.sec1.key.pem has no 33-byte compressed point"

# chain: root (RSA-2048) -> intermediate (EC P-384) -> leaf CN=localhost (EC P-256)
genkey rsa2048 "$W/root.key.pem"
genkey ec-p384 "$W/intermediate.key.pem"
genkey ec-p256 "$W/leaf.key.pem"
openssl req -x509 -new -config "$CNF" -extensions ca -key "$W/root.key.pem" -sha256 \
    -subj "/CN=certpin test root CA" -days $DAYS -out chain/root.pem
openssl req -new -config "$CNF" -key "$W/intermediate.key.pem" -sha384 \
    -subj "/CN=certpin test intermediate CA" -out "$W/intermediate.csr"
openssl x509 -req -in "$W/intermediate.csr" -CA chain/root.pem -CAkey "$W/root.key.pem" -sha256 \
    -set_serial 0x1001 -extfile "$CNF" -extensions ca_int -days $DAYS -out chain/intermediate.pem 2>/dev/null
openssl req -new -config "$CNF" -key "$W/leaf.key.pem" -sha256 -subj "/CN=localhost" -out "$W/leaf.csr"
openssl x509 -req -in "$W/leaf.csr" -CA chain/intermediate.pem -CAkey "$W/intermediate.key.pem" -sha384 \
    -set_serial 0x2002 -extfile "$CNF" -extensions localhost -days $DAYS -out chain/leaf.pem 2>/dev/null
for n in root intermediate leaf; do topem_der cert "chain/$n.pem" "chain/$n.der"; done
cat chain/leaf.pem chain/intermediate.pem chain/root.pem > chain/chain.pem
openssl pkey -in "$W/leaf.key.pem" -out chain/leaf.key.pem
openssl verify -CAfile chain/root.pem -untrusted chain/intermediate.pem chain/leaf.pem >/dev/null \
    || die "chain does not verify"

# encrypted keys (passphrase "test"); error-path fixtures, no pins
openssl pkcs8 -topk8 -in "$W/rsa2048.key.pem" -v2 aes-128-cbc -passout pass:test \
    -out encrypted/rsa2048.pkcs8-encrypted.key.pem
openssl pkcs8 -topk8 -in "$W/rsa2048.key.pem" -v2 aes-128-cbc -passout pass:test -outform DER \
    -out encrypted/rsa2048.pkcs8-encrypted.key.der
openssl rsa -in "$W/rsa2048.key.pem" -aes128 -traditional -passout pass:test \
    -out encrypted/rsa2048.legacy-encrypted.key.pem 2>/dev/null
openssl ec -in "$W/ec-p256.key.pem" -aes128 -passout pass:test \
    -out encrypted/ec-p256.legacy-encrypted.key.pem 2>/dev/null
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' encrypted/rsa2048.pkcs8-encrypted.key.pem || die "no ENCRYPTED PRIVATE KEY"
grep -q '^Proc-Type: 4,ENCRYPTED' encrypted/rsa2048.legacy-encrypted.key.pem || die "no Proc-Type in legacy key"
grep -q '^Proc-Type: 4,ENCRYPTED' encrypted/ec-p256.legacy-encrypted.key.pem || die "no Proc-Type in legacy EC key"

# =========================================================================================
# certificate with issuerUniqueID [1] and subjectUniqueID [2] (tags 0x81/0x82) + extensions,
# built with asn1parse -genconf, signed with dgst -sign, assembled with genconf again.
log "building the unique-ids certificate"
genkey rsa2048 "$W/uid.key.pem"
openssl rsa -in "$W/uid.key.pem" -RSAPublicKey_out -outform DER -out "$W/uid.rsapub.der" 2>/dev/null
UID_PUB_HEX=$(od -An -v -tx1 "$W/uid.rsapub.der" | tr -d ' \n')
UID_SKID=$(openssl dgst -sha1 -r "$W/uid.rsapub.der" | cut -d' ' -f1)   # RFC 5280 method 1
UID_SERIAL=$(openssl rand -hex 15); UID_SERIAL="1${UID_SERIAL:1}"       # positive, 15 octets
cat > "$W/uid-tbs.cnf" <<EOF
asn1 = SEQUENCE:tbs
[tbs]
version = EXPLICIT:0,INTEGER:2
serial = INTEGER:0x$UID_SERIAL
signature = SEQUENCE:sigalg
issuer = SEQUENCE:name
validity = SEQUENCE:validity
subject = SEQUENCE:name
spki = SEQUENCE:spki
issuerUID = IMPLICIT:1,FORMAT:HEX,BITSTRING:C0FFEE0001
subjectUID = IMPLICIT:2,FORMAT:HEX,BITSTRING:C0FFEE0002
extensions = EXPLICIT:3,SEQUENCE:exts
[sigalg]
algorithm = OID:sha256WithRSAEncryption
parameters = NULL
[name]
rdn = SET:rdn1
[rdn1]
atv = SEQUENCE:cn
[cn]
type = OID:commonName
value = UTF8String:certpin test unique-ids
[validity]
notBefore = UTCTIME:240101000000Z
notAfter = UTCTIME:440101000000Z
[spki]
algorithm = SEQUENCE:rsaalg
subjectPublicKey = FORMAT:HEX,BITSTRING:$UID_PUB_HEX
[rsaalg]
algorithm = OID:rsaEncryption
parameters = NULL
[exts]
bc = SEQUENCE:ext_bc
ku = SEQUENCE:ext_ku
skid = SEQUENCE:ext_skid
san = SEQUENCE:ext_san
[ext_bc]
extnID = OID:basicConstraints
critical = BOOLEAN:TRUE
extnValue = OCTWRAP,SEQUENCE:bc
[bc]
cA = BOOLEAN:TRUE
[ext_ku]
extnID = OID:keyUsage
critical = BOOLEAN:TRUE
extnValue = OCTWRAP,FORMAT:BITLIST,BITSTRING:0,5,6
[ext_skid]
extnID = OID:subjectKeyIdentifier
extnValue = OCTWRAP,FORMAT:HEX,OCTETSTRING:$UID_SKID
[ext_san]
extnID = OID:subjectAltName
extnValue = OCTWRAP,SEQUENCE:san
[san]
dns = IMPLICIT:2,IA5STRING:localhost
ip = IMPLICIT:7,FORMAT:HEX,OCTETSTRING:7F000001
EOF
openssl asn1parse -genconf "$W/uid-tbs.cnf" -noout -out "$W/uid-tbs.der"
openssl dgst -sha256 -sign "$W/uid.key.pem" -out "$W/uid.sig" "$W/uid-tbs.der"
UID_SIG_HEX=$(od -An -v -tx1 "$W/uid.sig" | tr -d ' \n')
{
    echo "asn1 = SEQUENCE:certificate"
    echo "[certificate]"
    echo "tbsCertificate = SEQUENCE:tbs"
    echo "signatureAlgorithm = SEQUENCE:sigalg"
    echo "signatureValue = FORMAT:HEX,BITSTRING:$UID_SIG_HEX"
    sed 1d "$W/uid-tbs.cnf"
} > "$W/uid-cert.cnf"
openssl asn1parse -genconf "$W/uid-cert.cnf" -noout -out certs/unique-ids.der
# the TBSCertificate inside must be byte-identical to the one that was signed
read -r _ tbs_hl tbs_len < <(openssl asn1parse -inform DER -in certs/unique-ids.der | awk '/d=1/ { line=$0; gsub(/[:=]/," ",line); split(line,a," "); print a[1], a[5], a[7]; exit }')
cutbytes certs/unique-ids.der 4 $((tbs_hl + tbs_len)) | cmp -s - "$W/uid-tbs.der" || die "unique-ids TBS mismatch"
openssl x509 -inform DER -in certs/unique-ids.der -out certs/unique-ids.pem
openssl x509 -in certs/unique-ids.pem -outform DER | cmp -s - certs/unique-ids.der || die "unique-ids PEM/DER mismatch"
uid_text=$(openssl x509 -inform DER -in certs/unique-ids.der -noout -text)
grep -q 'Issuer Unique ID' <<<"$uid_text" || die "x509 -text shows no Issuer Unique ID"
grep -q 'Subject Unique ID' <<<"$uid_text" || die "x509 -text shows no Subject Unique ID"
grep -q 'Version: 3 (0x2)' <<<"$uid_text" || die "unique-ids is not v3"
openssl verify -CAfile certs/unique-ids.pem -check_ss_sig certs/unique-ids.pem >/dev/null \
    || die "openssl verify rejects the unique-ids certificate"
openssl asn1parse -inform DER -in certs/unique-ids.der | grep -q 'd=2  hl=2 l=   6 prim: *cont \[ 1 \]' \
    || die "no primitive [1] issuerUniqueID at depth 2"
openssl asn1parse -inform DER -in certs/unique-ids.der | grep -q 'd=2  hl=2 l=   6 prim: *cont \[ 2 \]' \
    || die "no primitive [2] subjectUniqueID at depth 2"

fi  # MODE = generate

# =========================================================================================
log "writing pins.tsv"
printf 'file\tindex\tobject\tkey_type\tspki_sha256_b64\tspki_sha256_hex\tucertpin_hex\tcert_sha256_hex\n' > "$PINS"
declare -A CERT_SPKI CERT_UCP
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$P_B64" "$P_HEX" "$P_UCP" "$P_CERT" >> "$PINS"; }

# certificates: .der directly, .pem block by block (base64-decoded, not re-encoded)
cert_rows() { # REL KEYTYPE... (one key type per PEM block)
    local rel=$1; shift
    local kts=("$@") base=${rel%.*} i n
    case $rel in
        *.der) pins "$rel" cert; row "$rel" 0 certificate "${kts[0]}" ;;
        *.pem)
            n=$(pemcount "$rel"); [ "$n" -eq "${#kts[@]}" ] || die "$rel: $n blocks"
            for ((i = 0; i < n; i++)); do
                pemblock "$rel" "$i" "$W/blk.der"
                pins "$W/blk.der" cert; row "$rel" "$i" certificate "${kts[$i]}"
            done ;;
    esac
}
CERTCASES=("${SELF_SIGNED[@]}" ca-ec-p256 x25519 x448 rsa2048-v1 unique-ids big)
for c in $(printf '%s\n' "${CERTCASES[@]}" | sort); do
    cert_rows "certs/$c.der" "${KT[$c]}"
    der_pins=$P_HEX; der_ucp=$P_UCP; der_cert=$P_CERT
    cert_rows "certs/$c.pem" "${KT[$c]}"
    [ "$P_HEX/$P_UCP/$P_CERT" = "$der_pins/$der_ucp/$der_cert" ] || die "certs/$c .pem and .der differ"
    CERT_SPKI[$c]=$P_HEX; CERT_UCP[$c]=$P_UCP
done

# keys and CSRs: must pin like their certificate
key_rows() { # REL OBJECT CASE
    local rel=$1 obj=$2 c=$3
    if [ "$obj" = csr ]; then
        case $rel in *.der) cp "$rel" "$W/k.der" ;; *.pem) pemblock "$rel" 0 "$W/k.der" ;; esac
        pins "$W/k.der" csr
    else
        spki_of "$rel" "$obj" "$W/k.der"; pins "$W/k.der" spki
    fi
    row "$rel" 0 "$obj" "${KT[$c]}"
    [ "$P_HEX" = "${CERT_SPKI[$c]}" ] || die "$rel pins $P_HEX but certs/$c pins ${CERT_SPKI[$c]}"
    [ "$P_UCP" = "${CERT_UCP[$c]}" ] || die "$rel ucertpin $P_UCP but certs/$c has ${CERT_UCP[$c]}"
}
for c in "${KEYCASES[@]}"; do
    for e in pem der; do
        key_rows "keys/$c.key.$e" private-key-pkcs8 "$c"
        case $c in
            rsa2048) key_rows "keys/$c.pkcs1.key.$e" private-key-pkcs1 "$c"
                     key_rows "keys/$c.pkcs1.pub.$e" rsa-public-key "$c" ;;
            ec-*)    key_rows "keys/$c.sec1.key.$e" private-key-sec1 "$c" ;;
        esac
        key_rows "keys/$c.pub.$e" public-key "$c"
    done
done
key_rows keys/ec-p256.sec1-nopub.key.pem private-key-sec1 ec-p256
key_rows keys/ec-p256-compressed.sec1.key.pem private-key-sec1 ec-p256-compressed
for c in "${KEYCASES[@]}"; do
    for e in pem der; do key_rows "csr/$c.csr.$e" csr "$c"; done
done

# chain
KT[root]=RSA-2048; KT[intermediate]=EC-P384; KT[leaf]=EC-P256
cert_rows chain/chain.pem EC-P256 EC-P384 RSA-2048
for n in leaf intermediate root; do
    cert_rows "chain/$n.der" "${KT[$n]}"; CERT_SPKI[$n]=$P_HEX; CERT_UCP[$n]=$P_UCP
    cert_rows "chain/$n.pem" "${KT[$n]}"
done
key_rows chain/leaf.key.pem private-key-pkcs8 leaf
# chain.pem rows must equal the individual certificates' rows
for i in 0 1 2; do
    n=$(echo leaf intermediate root | cut -d' ' -f$((i + 1)))
    a=$(awk -F'\t' -v i=$i '$1 == "chain/chain.pem" && $2 == i { print $5 $6 $7 $8 }' "$PINS")
    b=$(awk -F'\t' -v f="chain/$n.der" '$1 == f { print $5 $6 $7 $8 }' "$PINS")
    [ -n "$a" ] && [ "$a" = "$b" ] || die "chain.pem block $i differs from chain/$n.der"
done

# =========================================================================================
# final consistency checks
log "checking"
# every file under testdata (except encrypted/ and the generator/docs) has at least one row
while IFS= read -r f; do
    f=${f#./}
    # malformed/ holds the shared malformed vectors, made by make-malformed.py.
    case $f in encrypted/*|malformed/*|make-fixtures.sh|make-malformed.py|README.md|pins.tsv) continue ;; esac
    awk -F'\t' -v f="$f" '$1 == f { ok = 1 } END { exit !ok }' "$PINS" || die "$f has no row in pins.tsv"
done < <(find . -path ./.work -prune -o -type f -print | sort)
# every row: well-formed columns
awk -F'\t' 'function hex64(s) { return length(s) == 64 && s ~ /^[0-9a-f]+$/ }
NR > 1 {
    if (NF != 8) { print "bad NF line " NR; bad = 1 }
    if (!hex64($6) || !hex64($7)) { print "bad hex line " NR; bad = 1 }
    if (length($5) != 44 || $5 !~ /^[A-Za-z0-9+\/]+=$/) { print "bad b64 line " NR; bad = 1 }
    if (($3 == "certificate") != hex64($8)) { print "bad cert column line " NR; bad = 1 }
    if ($3 != "certificate" && $8 != "-") { print "bad cert column line " NR; bad = 1 }
} END { exit bad }' "$PINS" >&2 || die "pins.tsv malformed"
# the base64 column is the hex column re-encoded
while IFS=$'\t' read -r f _ _ _ b64 hex _ _; do
    [ "$f" = file ] && continue
    [ "$(printf '%s' "$b64" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')" = "$hex" ] \
        || die "$f: base64 and hex columns disagree"
done < "$PINS"
# the SAN everywhere it should be
for c in "${SELF_SIGNED[@]}" x25519 x448; do
    openssl x509 -in "certs/$c.pem" -noout -ext subjectAltName | grep -q 'DNS:localhost, IP Address:127.0.0.1' \
        || die "certs/$c has no SAN"
done
# informational: does re-encoding through `openssl x509 -pubkey | openssl pkey` change the SPKI?
for c in $(printf '%s\n' "${CERTCASES[@]}" | sort); do
    openssl x509 -in "certs/$c.pem" -noout -pubkey | openssl pkey -pubin -outform DER -out "$W/re.der" 2>/dev/null || { log "note: $c: openssl pkey cannot re-encode the key"; continue; }
    pins "certs/$c.der" cert; cp "$W/spki.bin" "$W/cut.der"
    cmp -s "$W/re.der" "$W/cut.der" || log "note: $c: openssl x509 -pubkey | pkey re-encodes the SPKI differently ($(stat -c %s "$W/cut.der") vs $(stat -c %s "$W/re.der") bytes)"
done

# =========================================================================================
# self-check: the SPKI cutting above must reproduce the shared vectors exactly
log "self-check against $VECTORS/vectors.tsv"
vectors_checked=0
while IFS=$'\t' read -r vfile _vkt vb64 vhex vucp vcert; do
    [ "$vfile" = file ] && continue
    pins "$VECTORS/$vfile" cert
    [ "$P_B64" = "$vb64" ] || die "vector $vfile spki_sha256_b64: got $P_B64 want $vb64"
    [ "$P_HEX" = "$vhex" ] || die "vector $vfile spki_sha256_hex: got $P_HEX want $vhex"
    [ "$P_UCP" = "$vucp" ] || die "vector $vfile ucertpin_hex: got $P_UCP want $vucp"
    [ "$P_CERT" = "$vcert" ] || die "vector $vfile cert_sha256_hex: got $P_CERT want $vcert"
    # the .pem twin must hold the same certificate
    pemblock "$VECTORS/${vfile%.der}.pem" 0 "$W/vec.der"
    cmp -s "$W/vec.der" "$VECTORS/$vfile" || die "vector ${vfile%.der}.pem differs from $vfile"
    declare -g "VEC_${vfile%%[.-]*}_$( [ "${vfile%.der}" = rsa2048-v1 ] && echo v1 || echo v3)=$P_HEX"
    vectors_checked=$((vectors_checked + 1))
done < "$VECTORS/vectors.tsv"
[ "$vectors_checked" -ge 4 ] || die "only $vectors_checked vectors checked"
# the vector keys must pin like their certificates
for pair in "rsa2048.key.pem:private-key-pkcs8:rsa2048" "rsa2048.pkcs1.key.pem:private-key-pkcs1:rsa2048" \
            "p256.key.pem:private-key-pkcs8:p256" "p256.sec1.key.pem:private-key-sec1:p256" \
            "ed25519.key.pem:private-key-pkcs8:ed25519" "p256.pub.pem:public-key:p256" \
            "p256.csr.pem:csr:p256"; do
    IFS=: read -r kf obj base <<<"$pair"
    [ -f "$VECTORS/$kf" ] || continue
    if [ "$obj" = csr ]; then pemblock "$VECTORS/$kf" 0 "$W/k.der"; pins "$W/k.der" csr
    else spki_of "$VECTORS/$kf" "$obj" "$W/k.der"; pins "$W/k.der" spki; fi
    want_var="VEC_${base}_v3"
    [ "$P_HEX" = "${!want_var}" ] || die "vector key $kf pins $P_HEX, its certificate ${!want_var}"
    vectors_checked=$((vectors_checked + 1))
done
log "  $vectors_checked vector checks passed"

if [ $MODE = check ]; then
    diff -u "$TD/pins.tsv" "$PINS" >&2 || die "pins.tsv does not match the files on disk"
fi
rows=$(($(wc -l < "$PINS") - 1))
log "OK: $rows rows in pins.tsv, $vectors_checked vector checks"
