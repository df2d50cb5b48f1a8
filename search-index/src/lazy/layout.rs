//! The binary form of a [`Layout`] in the hot file.
//!
//! JSON spent most of a cut index's hot file on it (31.6 of 52.7 KB gzip at
//! 10,000 documents): chunk names as hex strings, absolute offsets in
//! decimal. Here a name is its 8-byte hash and a part's start is a delta
//! from the end of the part of the same file written before it (mostly 0),
//! all numbers LEB128.
//!
//! Form: `files`, then per file its path (length + UTF-8), length, hot
//! range count and per hot range (start delta, length); then `chunks`, per
//! chunk its hash (8 bytes, little endian), part count and per part (file
//! index, zigzag start delta, length).

use super::{Chunk, FileLayout, Layout, CHUNK_DIR};
use crate::blob::Reader;
use crate::Error;

impl Layout {
    /// The binary form (see the module documentation).
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        put(&mut out, self.files.len() as u64);
        for f in &self.files {
            put(&mut out, f.path.len() as u64);
            out.extend_from_slice(f.path.as_bytes());
            put(&mut out, f.len as u64);
            put(&mut out, f.hot.len() as u64);
            let mut end = 0;
            for &(s, e) in &f.hot {
                put(
                    &mut out,
                    s.checked_sub(end)
                        .ok_or(Error::Blob("hot ranges out of order"))? as u64,
                );
                put(&mut out, (e - s) as u64);
                end = e;
            }
        }
        put(&mut out, self.chunks.len() as u64);
        let mut ends = Ends::new(self.files.len());
        for c in &self.chunks {
            out.extend_from_slice(&hash_of(&c.name)?.to_le_bytes());
            put(&mut out, c.parts.len() as u64);
            ends.next_chunk();
            for &(f, s, e) in &c.parts {
                let before = ends.before(f)?;
                put(&mut out, f as u64);
                put(&mut out, zigzag(s as i64 - before as i64));
                put(&mut out, (e - s) as u64);
                ends.ended(f, e);
            }
        }
        Ok(out)
    }

    /// Reads the binary form back.
    pub fn decode(bytes: &[u8]) -> Result<Layout, Error> {
        let mut r = Reader::new(bytes);
        let mut layout = Layout::default();
        for _ in 0..r.count()? {
            let n = r.count()?;
            let path = String::from_utf8(r.take(n)?.to_vec())
                .map_err(|_| Error::Blob("layout path is not UTF-8"))?;
            let len = r.num()?;
            let mut hot = Vec::new();
            let mut end = 0usize;
            for _ in 0..r.count()? {
                let s = end.checked_add(r.num()?).ok_or(OUTSIDE)?;
                end = s.checked_add(r.num()?).ok_or(OUTSIDE)?;
                hot.push((s, end));
            }
            layout.files.push(FileLayout { path, len, hot });
        }
        let mut ends = Ends::new(layout.files.len());
        for _ in 0..r.count()? {
            let hash = u64::from_le_bytes(r.take(8)?.try_into().map_err(|_| OUTSIDE)?);
            let mut parts = Vec::new();
            ends.next_chunk();
            for _ in 0..r.count()? {
                let f = r.num()?;
                let before = i64::try_from(ends.before(f)?).map_err(|_| OUTSIDE)?;
                let s = before
                    .checked_add(unzigzag(r.varint()?))
                    .and_then(|s| usize::try_from(s).ok())
                    .ok_or(OUTSIDE)?;
                let e = s.checked_add(r.num()?).ok_or(OUTSIDE)?;
                ends.ended(f, e);
                parts.push((f, s, e));
            }
            layout.chunks.push(Chunk {
                name: format!("{CHUNK_DIR}/{hash:016x}.bin"),
                parts,
            });
        }
        if !r.done() {
            return Err(Error::Blob("trailing bytes after the layout"));
        }
        Ok(layout)
    }
}

const OUTSIDE: Error = Error::Blob("layout range out of bounds");

/// Where parts ended, per file and per place in a chunk (see the module
/// documentation), for the start deltas.
struct Ends {
    /// Per file: the end of its n-th part in the latest chunk having one.
    places: Vec<Vec<usize>>,
    /// Per file: the end of its latest part.
    last: Vec<usize>,
    /// Per file: parts of it seen in the current chunk.
    seen: Vec<usize>,
}

impl Ends {
    fn new(files: usize) -> Ends {
        Ends {
            places: vec![Vec::new(); files],
            last: vec![0; files],
            seen: vec![0; files],
        }
    }

    fn next_chunk(&mut self) {
        self.seen.iter_mut().for_each(|n| *n = 0);
    }

    /// Where the next part of file `f` is expected to start.
    fn before(&self, f: usize) -> Result<usize, Error> {
        let places = self
            .places
            .get(f)
            .ok_or(Error::Blob("chunk part of no file"))?;
        Ok(places.get(self.seen[f]).copied().unwrap_or(self.last[f]))
    }

    /// Records that the next part of file `f` (as [`Ends::before`] saw it) ends at `end`.
    fn ended(&mut self, f: usize, end: usize) {
        let n = self.seen[f];
        match self.places[f].get_mut(n) {
            Some(place) => *place = end,
            None => self.places[f].push(end),
        }
        self.seen[f] += 1;
        self.last[f] = end;
    }
}

/// The hash in a chunk name made by [`super::chunk_name`].
fn hash_of(name: &str) -> Result<u64, Error> {
    name.strip_prefix(CHUNK_DIR)
        .and_then(|n| n.strip_prefix('/'))
        .and_then(|n| n.strip_suffix(".bin"))
        .filter(|h| h.len() == 16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .ok_or(Error::Blob("chunk name not made by chunk_name"))
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Layout {
        Layout {
            files: vec![
                FileLayout {
                    path: "a.idx".into(),
                    len: 100_000,
                    hot: vec![(0, 10), (500, 600)],
                },
                FileLayout {
                    path: "b.term".into(),
                    len: 7,
                    hot: vec![(0, 7)],
                },
            ],
            chunks: vec![
                Chunk {
                    name: super::super::chunk_name(b"x"),
                    parts: vec![(0, 10, 500), (0, 70_000, 80_000)],
                },
                Chunk {
                    name: super::super::chunk_name(b"y"),
                    parts: vec![(0, 600, 70_000)],
                },
                Chunk {
                    name: super::super::chunk_name(b"x"),
                    parts: vec![(0, 80_000, 100_000)],
                },
            ],
        }
    }

    #[test]
    fn layout_round_trips() {
        let l = sample();
        let bytes = l.encode().unwrap();
        assert_eq!(Layout::decode(&bytes).unwrap(), l);
    }

    #[test]
    fn damaged_layouts_are_errors_not_panics() {
        let bytes = sample().encode().unwrap();
        for n in 0..bytes.len() {
            assert!(Layout::decode(&bytes[..n]).is_err(), "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Layout::decode(&longer).is_err());
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = Layout::decode(&b); // any answer but a panic
        }
    }
}
