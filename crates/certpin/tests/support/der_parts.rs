//! A tiny DER splitter of the malformed-certificate tests (not certpin's reader): a real
//! OpenSSL certificate is split into its elements, one is replaced, and the enclosing lengths
//! are re-encoded, so the expected error offsets follow from the construction.

use std::path::Path;

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/certs")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// DER length octets in minimal form.
pub fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(length(content.len()));
    out.extend(content);
    out
}

/// Splits the content of a (well-formed) constructed element into its children's full TLVs.
pub fn children(element: &[u8]) -> Vec<Vec<u8>> {
    let (_, content) = split_header(element);
    let mut rest = content;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (header, body) = split_header(rest);
        let total = header + body.len();
        out.push(rest[..total].to_vec());
        rest = &rest[total..];
    }
    out
}

/// (header length, content) of the first element of `input`.
pub fn split_header(input: &[u8]) -> (usize, &[u8]) {
    let first = input[1];
    let (header, len) = if first < 0x80 {
        (2, first as usize)
    } else {
        let n = (first & 0x7f) as usize;
        (
            2 + n,
            input[2..2 + n]
                .iter()
                .fold(0usize, |a, &b| a * 256 + b as usize),
        )
    };
    (header, &input[header..header + len])
}

/// A certificate split into parts that tests can replace and re-assemble.
#[derive(Clone)]
pub struct Parts {
    /// TBSCertificate children: version?, serial, sig, issuer, validity, subject, spki, …
    pub tbs: Vec<Vec<u8>>,
    /// SPKI children: algorithm, subjectPublicKey.
    pub spki: Vec<Vec<u8>>,
    pub spki_index: usize,
    pub sig_alg: Vec<u8>,
    pub sig: Vec<u8>,
}

impl Parts {
    pub fn of(der: &[u8]) -> Parts {
        let cert = children(der);
        let tbs = children(&cert[0]);
        let spki_index = if tbs[0][0] == 0xa0 { 6 } else { 5 };
        let spki = children(&tbs[spki_index]);
        Parts {
            tbs,
            spki,
            spki_index,
            sig_alg: cert[1].clone(),
            sig: cert[2].clone(),
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let mut tbs = self.tbs.clone();
        tbs[self.spki_index] = tlv(0x30, &self.spki.concat());
        let mut content = tlv(0x30, &tbs.concat());
        content.extend(&self.sig_alg);
        content.extend(&self.sig);
        tlv(0x30, &content)
    }

    /// Offset of TBS child `i` in the built certificate.
    pub fn tbs_child_offset(&self, i: usize) -> usize {
        let built = self.build();
        let outer = split_header(&built).0;
        let tbs_header = split_header(&built[outer..]).0;
        outer
            + tbs_header
            + self.tbs_with_spki()[..i]
                .iter()
                .map(Vec::len)
                .sum::<usize>()
    }

    pub fn tbs_with_spki(&self) -> Vec<Vec<u8>> {
        let mut tbs = self.tbs.clone();
        tbs[self.spki_index] = tlv(0x30, &self.spki.concat());
        tbs
    }

    /// Offset of the subjectPublicKey BIT STRING in the built certificate.
    pub fn key_offset(&self) -> usize {
        let spki = tlv(0x30, &self.spki.concat());
        self.tbs_child_offset(self.spki_index) + split_header(&spki).0 + self.spki[0].len()
    }
}
