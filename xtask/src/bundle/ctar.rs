//! ctar v1 headers, byte for byte what the GNU tar oracle (docs/ARCHITECTURE.md §5) writes:
//! `--format=posix --owner=0 --group=0 --numeric-owner --mtime=@1 --mode=u=rwX,go=rX`
//! with `exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime`.
//! The `tar` crate's deterministic mode differs (mtime, GNU longname, checksum spelling),
//! so the 512-byte header is written here.

pub const BLOCK: usize = 512;
const NAME_LEN: usize = 100;
/// Largest size the 11 octal digits of a ustar size field hold (8 GiB − 1).
const MAX_OCTAL_SIZE: u64 = 0o77777777777;
/// `--mtime=@1`: not 0, which some tools read as "unknown".
const MTIME: u64 = 1;

/// Appends the header block(s) for one regular file: a pax `x` header when the path is longer
/// than 100 bytes or not ASCII, or the size needs more than 11 octal digits; then the ustar header.
pub fn write_entry_header(path: &str, size: u64, executable: bool, out: &mut Vec<u8>) {
    let mut records = Vec::new();
    if path.len() > NAME_LEN || !path.is_ascii() {
        pax_record("path", path.as_bytes(), &mut records);
    }
    if size > MAX_OCTAL_SIZE {
        pax_record("size", size.to_string().as_bytes(), &mut records);
    }
    if !records.is_empty() {
        write_pax_header(path, &records, out);
    }
    let mut h = [0u8; BLOCK];
    copy_truncated(&mut h[0..100], path.as_bytes());
    octal(&mut h[100..108], if executable { 0o755 } else { 0o644 });
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], if size > MAX_OCTAL_SIZE { 0 } else { size });
    octal(&mut h[136..148], MTIME);
    h[156] = b'0';
    ustar_magic(&mut h);
    octal(&mut h[329..337], 0);
    octal(&mut h[337..345], 0);
    finish(&mut h);
    out.extend_from_slice(&h);
}

/// Zero bytes that pad `size` bytes of content to a whole block.
pub fn padding(size: u64) -> usize {
    (BLOCK - (size % BLOCK as u64) as usize) % BLOCK
}

/// The end-of-archive marker: two zero blocks (`-b1`: no padding to a 10 KiB record).
pub const TRAILER: [u8; 2 * BLOCK] = [0; 2 * BLOCK];

fn write_pax_header(path: &str, records: &[u8], out: &mut Vec<u8>) {
    let (dir, base) = match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (".", path),
    };
    let name = format!("{dir}/PaxHeaders/{base}");
    let mut h = [0u8; BLOCK];
    copy_truncated(&mut h[0..100], name.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], records.len() as u64);
    octal(&mut h[136..148], MTIME);
    h[156] = b'x';
    ustar_magic(&mut h);
    finish(&mut h);
    out.extend_from_slice(&h);
    out.extend_from_slice(records);
    out.resize(out.len() + padding(records.len() as u64), 0);
}

/// `"<len> key=value\n"`, where `<len>` counts its own digits.
fn pax_record(key: &str, value: &[u8], out: &mut Vec<u8>) {
    let body = key.len() + value.len() + 3;
    let mut len = body + 1;
    while body + len.to_string().len() != len {
        len = body + len.to_string().len();
    }
    out.extend_from_slice(format!("{len} {key}=").as_bytes());
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// GNU tar copies the first 100 bytes, even when that splits a multibyte character.
fn copy_truncated(field: &mut [u8], bytes: &[u8]) {
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

/// Zero-padded octal filling all but the last byte of the field, then NUL.
fn octal(field: &mut [u8], value: u64) {
    let (digits, nul) = field.split_at_mut(field.len() - 1);
    octal_digits(digits, value);
    nul[0] = 0;
}

/// Written by hand, not with `format!`: one header per file, on the producer's thread, which is
/// the bundle's critical path for many small files (issue #19). Callers keep `value` in range.
fn octal_digits(field: &mut [u8], mut value: u64) {
    for digit in field.iter_mut().rev() {
        *digit = b'0' + (value & 7) as u8;
        value >>= 3;
    }
    assert_eq!(value, 0, "the value fits its field");
}

fn ustar_magic(h: &mut [u8; BLOCK]) {
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
}

/// Checksum: the byte sum with the field read as spaces, written as 6 octal digits, NUL, space.
fn finish(h: &mut [u8; BLOCK]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    octal_digits(&mut h[148..154], u64::from(sum));
    h[154] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_length_counts_itself() {
        let mut out = Vec::new();
        pax_record("path", &[b'a'; 93], &mut out);
        // 4 + 93 + 3 = 100 bytes of body, plus 3 digits = 103.
        assert!(out.starts_with(b"103 path="));
        assert_eq!(out.len(), 103);
        out.clear();
        pax_record("path", b"ab", &mut out);
        assert_eq!(out, b"11 path=ab\n");
    }

    #[test]
    fn octal_fields_are_zero_padded_and_end_in_nul() {
        let mut field = [b'x'; 8];
        octal(&mut field, 0o755);
        assert_eq!(&field, b"0000755\0");
        octal(&mut field, 0);
        assert_eq!(&field, b"0000000\0");
        let mut size = [b'x'; 12];
        octal(&mut size, MAX_OCTAL_SIZE);
        assert_eq!(&size, b"77777777777\0");
    }

    #[test]
    fn short_ascii_path_has_no_pax_header() {
        let mut out = Vec::new();
        write_entry_header("a.txt", 5, false, &mut out);
        assert_eq!(out.len(), BLOCK);
        assert_eq!(&out[124..136], b"00000000005\0");
        assert_eq!(&out[100..108], b"0000644\0");
    }

    #[test]
    fn huge_file_size_moves_to_pax() {
        let mut out = Vec::new();
        write_entry_header("big.bin", 1 << 33, false, &mut out);
        assert_eq!(out.len(), 3 * BLOCK);
        assert!(out[BLOCK..].starts_with(b"19 size=8589934592\n"));
        assert_eq!(&out[2 * BLOCK + 124..2 * BLOCK + 136], b"00000000000\0");
    }
}
