//! The single-file container the index ships in: every file of tantivy's
//! directory plus the synonym groups, length-prefixed.
//!
//! Layout: magic `ZKSI1\n`, then `u32` count, then per entry a `u32` name
//! length, the UTF-8 name, a `u32` data length and the data (little endian).
//! The synonym groups are the entry named [`SYNONYMS`] (JSON), the term
//! encoding the one named [`CHARMAP`].

use crate::Error;

const MAGIC: &[u8] = b"ZKSI1\n";
/// Entry name of the synonym groups.
pub const SYNONYMS: &str = "zhiku/synonyms.json";
/// Entry name of the English glossary (JSON, [`crate::vocab::GlossaryEntry`]s).
pub const GLOSSARY: &str = "zhiku/glossary.json";
/// Entry name of the province names (JSON, [`crate::vocab::ProvinceName`]s).
pub const PROVINCES: &str = "zhiku/provinces.json";
/// Entry name of the pinyin table (text, [`crate::pinyin::PinyinTable`]).
pub const PINYIN: &str = "zhiku/pinyin.txt";
/// Entry name of the term encoding's character ranking (UTF-8, see [`crate::charmap`]).
pub const CHARMAP: &str = "zhiku/charmap.txt";

/// Packs named byte entries into one blob.
pub fn pack(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let total: usize = entries.iter().map(|(n, d)| 8 + n.len() + d.len()).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (name, data) in entries {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// Reads a byte string front to back (the blob here, the chunk layout in
/// [`crate::lazy`]); running out is [`Error::Blob`] "truncated".
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// True when every byte has been read.
    pub(crate) fn done(&self) -> bool {
        self.at == self.bytes.len()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(Error::Blob("truncated"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<usize, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// An unsigned LEB128 number.
    pub(crate) fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(Error::Blob("number too long"))
    }

    /// An unsigned LEB128 number that fits a `usize`.
    pub(crate) fn num(&mut self) -> Result<usize, Error> {
        usize::try_from(self.varint()?).map_err(|_| Error::Blob("number too large"))
    }

    /// A count of items that follow, each at least one byte long, so a
    /// corrupt count cannot ask for more than the bytes left.
    pub(crate) fn count(&mut self) -> Result<usize, Error> {
        let n = self.num()?;
        if n > self.bytes.len() - self.at {
            return Err(Error::Blob("truncated"));
        }
        Ok(n)
    }
}

/// Splits a blob back into its named entries.
pub fn unpack(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, Error> {
    let mut r = Reader::new(bytes);
    if r.take(MAGIC.len())? != MAGIC {
        return Err(Error::Blob("not a zhiku search index"));
    }
    let count = r.u32()?;
    let mut out = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let len = r.u32()?;
        let name = std::str::from_utf8(r.take(len)?).map_err(|_| Error::Blob("bad entry name"))?;
        let len = r.u32()?;
        out.push((name.to_string(), r.take(len)?));
    }
    if !r.done() {
        return Err(Error::Blob("trailing bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let entries = vec![("a".to_string(), vec![1, 2, 3]), ("b/c".into(), vec![])];
        let blob = pack(&entries);
        let back = unpack(&blob).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], ("a".to_string(), &[1u8, 2, 3][..]));
        assert_eq!(back[1].0, "b/c");
    }

    #[test]
    fn rejects_truncated_and_foreign_data() {
        let blob = pack(&[("a".to_string(), vec![1, 2, 3])]);
        assert!(unpack(&blob[..blob.len() - 1]).is_err());
        assert!(unpack(b"hello world").is_err());
    }
}
