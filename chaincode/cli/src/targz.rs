//! Deterministic `.tar.gz` writing: a minimal ustar archive (regular files only, mode 0644, uid/gid 0, mtime 0,
//! entries sorted by name) inside a gzip stream with no name and no timestamp, compressed with deflate *stored*
//! blocks. The same files always give the same bytes, so a package id (a hash of those bytes) is reproducible.

const BLOCK: usize = 512;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the archive (at most 100 bytes, no prefix field is used).
    pub name: String,
    /// File content.
    pub data: Vec<u8>,
}

impl Entry {
    /// An entry from a name and its content.
    pub fn new(name: &str, data: impl Into<Vec<u8>>) -> Self {
        Entry { name: name.to_string(), data: data.into() }
    }
}

/// Errors of archive writing.
#[derive(Debug, PartialEq, Eq)]
pub struct NameTooLong(pub String);

impl std::fmt::Display for NameTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "archive entry name longer than 100 bytes: {}", self.0)
    }
}

impl std::error::Error for NameTooLong {}

/// A ustar archive of `entries`, sorted by name, ended by two zero blocks.
pub fn tar(entries: &[Entry]) -> Result<Vec<u8>, NameTooLong> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for e in sorted {
        out.extend_from_slice(&header(e)?);
        out.extend_from_slice(&e.data);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    Ok(out)
}

fn octal(field: &mut [u8], value: u64) {
    // Zero-padded octal digits, then NUL, filling the field.
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

fn header(e: &Entry) -> Result<[u8; BLOCK], NameTooLong> {
    let mut h = [0u8; BLOCK];
    let name = e.name.as_bytes();
    if name.len() > 100 {
        return Err(NameTooLong(e.name.clone()));
    }
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0); // uid
    octal(&mut h[116..124], 0); // gid
    octal(&mut h[124..136], e.data.len() as u64);
    octal(&mut h[136..148], 0); // mtime
    h[156] = b'0'; // regular file
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0); // devmajor
    octal(&mut h[337..345], 0); // devminor
    // The checksum is computed with its own field as spaces: 6 octal digits, NUL, space.
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum);
    h[155] = b' ';
    Ok(h)
}

/// A gzip member (RFC 1952) of `data`: no file name, mtime 0, deflate stored blocks (RFC 1951 BTYPE 00).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none())); // BFINAL on the last block, BTYPE 00
        let len = chunk.len() as u16; // chunks(0xffff) bounds it
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes()); // ISIZE is the length mod 2^32
    out
}

/// CRC-32 (IEEE 802.3, reflected, as gzip uses it).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// `gzip(tar(entries))`.
pub fn tar_gz(entries: &[Entry]) -> Result<Vec<u8>, NameTooLong> {
    Ok(gzip(&tar(entries)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn header_checksum_and_fields() {
        let t = tar(&[Entry::new("a.txt", "hi")]).expect("tar");
        assert_eq!(t.len(), 4 * BLOCK);
        assert_eq!(&t[124..136], b"00000000002\0");
        let mut h = t[..BLOCK].to_vec();
        h[148..156].fill(b' ');
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        assert_eq!(&t[148..156], format!("{sum:06o}\0 ").as_bytes());
        assert_eq!(&t[BLOCK..BLOCK + 2], b"hi");
    }

    #[test]
    fn entries_sorted_and_deterministic() {
        let a = tar_gz(&[Entry::new("b", "2"), Entry::new("a", "1")]).expect("tar");
        let b = tar_gz(&[Entry::new("a", "1"), Entry::new("b", "2")]).expect("tar");
        assert_eq!(a, b);
    }

    #[test]
    fn long_names_refused() {
        assert!(tar(&[Entry::new(&"x".repeat(101), "")]).is_err());
    }

    #[test]
    fn gzip_splits_large_input() {
        let data = vec![7u8; 70_000];
        let gz = gzip(&data);
        assert_eq!(gz.len(), 10 + 5 + 0xffff + 5 + (70_000 - 0xffff) + 8);
        assert_eq!(gz[10], 0, "first block is not final");
    }
}
