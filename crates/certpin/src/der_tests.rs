//! Unit tests of the DER reader.
use super::*;
use std::prelude::rust_2024::*;
use std::vec;

fn read(input: &[u8]) -> Result<&[u8], Error> {
    Reader::new(input)
        .any(Field::Certificate)
        .map(|tlv| tlv.value)
}

#[test]
fn short_and_long_lengths() {
    assert_eq!(read(&[0x04, 0x01, 0xaa]).unwrap(), &[0xaa]);
    let mut long = vec![0x04, 0x81, 0x80];
    long.extend([0u8; 0x80]);
    assert_eq!(read(&long).unwrap().len(), 0x80);
    let mut three = vec![0x04, 0x83, 0x01, 0x00, 0x00];
    three.extend(vec![0u8; 0x10000]);
    assert_eq!(read(&three).unwrap().len(), 0x10000);
}

#[test]
fn four_octet_length_is_read() {
    // 0x84 with a non-zero first octet: 16 MiB of content.
    let len = 0x0100_0000usize;
    let mut v = vec![0x04, 0x84, 0x01, 0x00, 0x00, 0x00];
    v.resize(6 + len, 0);
    assert_eq!(read(&v).unwrap().len(), len);
    v.pop();
    assert!(
        matches!(read(&v), Err(Error::LengthPastEnd { length, available, .. })
        if length == len && available == len - 1)
    );
}

#[test]
fn non_canonical_lengths_are_rejected() {
    let f = Field::Certificate;
    assert_eq!(
        read(&[0x04, 0x80, 0, 0]),
        Err(Error::IndefiniteLength { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]),
        Err(Error::NonMinimalLength { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x04, 0x82, 0x00, 0x80]),
        Err(Error::NonMinimalLength { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x04, 0x85, 1, 0, 0, 0, 0]),
        Err(Error::LengthTooLong { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x04, 0xff]),
        Err(Error::LengthTooLong { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x04, 0x82, 0x01]),
        Err(Error::UnexpectedEnd { field: f, at: 0 })
    );
    assert_eq!(
        read(&[0x1f, 0x01, 0x00]),
        Err(Error::HighTagNumber { field: f, at: 0 })
    );
    assert_eq!(read(&[]), Err(Error::UnexpectedEnd { field: f, at: 0 }));
}

#[test]
fn bit_strings() {
    let f = Field::SubjectPublicKey;
    let bs = |v: &[u8]| Reader::new(v).bit_string(f).map(|t| t.value.len());
    assert_eq!(bs(&[0x03, 0x02, 0x00, 0xff]), Ok(2));
    assert_eq!(bs(&[0x03, 0x02, 0x01, 0xfe]), Ok(2));
    assert_eq!(
        bs(&[0x03, 0x02, 0x01, 0xff]),
        Err(Error::NonZeroPaddingBits { field: f, at: 0 })
    );
    assert_eq!(
        bs(&[0x03, 0x02, 0x08, 0x00]),
        Err(Error::InvalidUnusedBits {
            field: f,
            at: 0,
            unused: 8
        })
    );
    assert_eq!(
        bs(&[0x03, 0x01, 0x01]),
        Err(Error::InvalidUnusedBits {
            field: f,
            at: 0,
            unused: 1
        })
    );
    assert_eq!(
        bs(&[0x03, 0x00]),
        Err(Error::EmptyBitString { field: f, at: 0 })
    );
    assert_eq!(
        bs(&[0x23, 0x03, 0x03, 0x01, 0x00]),
        Err(Error::ConstructedBitString { field: f, at: 0 })
    );
}

#[test]
fn integers_and_oids() {
    let f = Field::RsaModulus;
    let int = |v: &[u8]| Reader::new(v).integer(f).map(|_| ());
    assert_eq!(int(&[0x02, 0x01, 0x00]), Ok(()));
    assert_eq!(int(&[0x02, 0x02, 0x00, 0x80]), Ok(()));
    assert_eq!(
        int(&[0x02, 0x02, 0x00, 0x7f]),
        Err(Error::NonMinimalInteger { field: f, at: 0 })
    );
    assert_eq!(
        int(&[0x02, 0x02, 0xff, 0x80]),
        Err(Error::NonMinimalInteger { field: f, at: 0 })
    );
    assert_eq!(
        int(&[0x02, 0x00]),
        Err(Error::EmptyInteger { field: f, at: 0 })
    );
    let oid = |v: &[u8]| Reader::new(v).oid(Field::AlgorithmOid).map(|_| ());
    assert_eq!(oid(&[0x06, 0x03, 0x2b, 0x65, 0x70]), Ok(()));
    assert_eq!(
        oid(&[0x06, 0x02, 0x2b, 0x85]),
        Err(Error::InvalidOid { at: 0 })
    );
    assert_eq!(
        oid(&[0x06, 0x02, 0x80, 0x01]),
        Err(Error::InvalidOid { at: 0 })
    );
    assert_eq!(oid(&[0x06, 0x00]), Err(Error::InvalidOid { at: 0 }));
}

#[test]
fn offsets_are_absolute_in_nested_readers() {
    // SEQUENCE { SEQUENCE { INTEGER with a bad length } }
    let input = [0x30, 0x05, 0x30, 0x03, 0x02, 0x80, 0x00];
    let outer = Reader::new(&input).any(Field::Certificate).unwrap();
    let inner = outer.contents().any(Field::TbsCertificate).unwrap();
    assert_eq!(
        inner.contents().any(Field::SerialNumber).map(|t| t.value),
        Err(Error::IndefiniteLength {
            field: Field::SerialNumber,
            at: 4
        })
    );
}
