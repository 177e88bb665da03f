//! SHA-256 digests and their lowercase-hex spelling, the form every Signet file uses.

use std::fmt;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    pub fn from_hasher(h: Sha256) -> Digest {
        Digest(h.finalize().into())
    }

    /// Parses 64 hex digits, either case (coreutils accepts both).
    pub fn parse_hex(s: &str) -> Option<Digest> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Some(Digest(out))
    }

    /// Parses `sha256:<64 lowercase hex>`, the tagged spelling, and nothing else.
    pub fn parse_tagged(s: &str) -> Option<Digest> {
        let hex = s.strip_prefix("sha256:")?;
        Digest::parse_hex(hex).filter(|d| d.hex() == hex)
    }

    pub fn hex(&self) -> String {
        self.to_string()
    }

    /// `sha256:<hex>`: how records, requests and audit lines name a digest.
    pub fn tagged(&self) -> String {
        format!("sha256:{self}")
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn tagged(bytes: &[u8]) -> String {
    Digest::of(bytes).tagged()
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{self}")
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

thread_local! {
    /// One read buffer per thread, reused from file to file: zeroing a fresh 256 KiB for each of
    /// 200,000 small files was an eighth of `sums` (issue #19).
    static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 256 * 1024]);
}

/// Hashes a reader to its end; returns the digest and the number of bytes read.
pub fn sha256_reader(r: impl Read) -> io::Result<(Digest, u64)> {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => hash_with(r, &mut buf),
        Err(_) => hash_with(r, &mut vec![0u8; 256 * 1024]),
    })
}

fn hash_with(mut r: impl Read, buf: &mut [u8]) -> io::Result<(Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((Digest::from_hasher(hasher), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_known_vector() {
        let d = Digest::of(b"abc");
        assert_eq!(d.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(Digest::parse_hex(&d.hex().to_uppercase()), Some(d));
        assert_eq!(Digest::parse_hex("zz"), None);
    }
}
