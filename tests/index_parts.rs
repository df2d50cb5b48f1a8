//! A large site's index is made in parts kept in the build cache (issue #17):
//! a build that takes unchanged parts from the cache writes the same bytes as
//! one without a cache, after edits, insertions and removals, and with a
//! garbled cache; an edit indexes its own part again and no other.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use search_index::lazy::ChunkSizes;
use search_index::{Doc, Kind, Vocabulary};
use zhiku::search::parts::{self, PartStore};
use zhiku::search::write_files;

/// Enough documents for several parts (a site below 2,048 is one part).
const DOCS: usize = 6_000;

/// Small deterministic documents with Chinese titles and bodies.
fn docs() -> Vec<Doc> {
    let words = [
        "备案",
        "网站",
        "域名",
        "审核",
        "管局",
        "主体",
        "负责人",
        "幕布",
        "核验",
        "接入",
        "服务器",
        "变更",
        "注销",
        "信息",
        "证件",
        "照片",
    ];
    (0..DOCS)
        .map(|i| {
            let w = |k: usize| words[(i * 7 + k * 3) % words.len()];
            Doc {
                id: format!("faq/e{i:05}"),
                title: format!("{}{}怎么办（{i}）", w(0), w(1)),
                aliases: vec![format!("{}{}", w(2), w(3))],
                body: (0..12).map(w).collect::<Vec<_>>().join("，"),
                section: format!("第{}章", i % 9),
                kind: Kind::Faq,
                chapter: format!("ch{}", i % 9),
                provinces: Vec::new(),
                url: format!("/faq/e{i:05}/"),
            }
        })
        .collect()
}

/// The search files `write_files` makes, by path; with `cache`, through the
/// part cache in that folder.
fn files(docs: &[Doc], cache: Option<&Path>) -> BTreeMap<String, Vec<u8>> {
    files_with(docs, cache.map(PartStore::folder).as_ref())
}

fn files_with(docs: &[Doc], store: Option<&PartStore>) -> BTreeMap<String, Vec<u8>> {
    write_files(
        docs.to_vec(),
        &Vocabulary::default(),
        ChunkSizes::default(),
        None,
        store,
        |f| Ok::<_, std::convert::Infallible>((f.path, f.bytes)),
    )
    .expect("search files")
    .into_iter()
    .collect()
}

/// The part files in the cache, by name.
fn cached(cache: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(cache.join(parts::DIR))
        .expect("the part cache exists")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("part file"),
            )
        })
        .collect()
}

#[test]
fn cached_parts_give_the_bytes_of_a_build_without_them() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cache = tmp.path();
    let mut docs = docs();

    let first = files(&docs, Some(cache));
    assert_eq!(first, files(&docs, None), "a first build with a cache");
    let before = cached(cache);
    assert!(before.len() > 3, "{} parts", before.len());

    // One entry's body edited: its part is indexed again and its group of
    // parts merged again, no other.
    docs[1_300].body.push_str("，编辑测试段落");
    let edited = files(&docs, Some(cache));
    assert_ne!(edited, first);
    assert_eq!(edited, files(&docs, None), "after an edit");
    let after = cached(cache);
    assert_eq!(after.len(), before.len());
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(new.len(), 2, "parts and groups made again: {new:?}");

    // An entry added and another removed; characters no other entry has.
    docs.insert(400, {
        let mut d = docs[10].clone();
        d.id = "faq/new".into();
        d.url = "/faq/new/".into();
        d.title = "龘字新条目".into();
        d
    });
    docs.remove(2_000);
    assert_eq!(
        files(&docs, Some(cache)),
        files(&docs, None),
        "after an insertion and a removal"
    );

    // Garbled and cut parts and groups are made again, not trusted (every
    // one is damaged: a part of a stored group is otherwise not read).
    let whole = cached(cache);
    for (i, name) in whole.keys().enumerate() {
        let path = cache.join(parts::DIR).join(name);
        let mut bytes = whole[name].clone();
        if i % 2 == 0 {
            let at = bytes.len() / 2;
            bytes[at] ^= 0x55;
        } else {
            bytes.truncate(bytes.len() / 3);
        }
        fs::write(&path, &bytes).expect("damage");
    }
    // A file a killed build left.
    fs::write(cache.join(parts::DIR).join("0123.tmp"), b"half").expect("tmp");
    assert_eq!(
        files(&docs, Some(cache)),
        files(&docs, None),
        "garbled cache"
    );
    let left = cached(cache);
    assert!(
        !left.contains_key("0123.tmp"),
        "a killed build's file stayed"
    );
    assert_eq!(left, whole, "a damaged part or group was not made again");
}

#[test]
fn parts_kept_in_memory_give_the_same_bytes() {
    let store = PartStore::memory();
    let mut docs = docs();
    assert_eq!(files_with(&docs, Some(&store)), files(&docs, None));
    let parts = store.len();
    assert!(parts > 3, "{parts} parts");
    docs[4_500].title.push_str("（已编辑）");
    docs.remove(10);
    assert_eq!(files_with(&docs, Some(&store)), files(&docs, None));
    assert_eq!(store.len(), parts, "the replaced parts stayed");
}

#[test]
fn a_small_site_is_one_part_and_keeps_no_cache() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let docs: Vec<Doc> = docs().into_iter().take(300).collect();
    assert_eq!(files(&docs, Some(tmp.path())), files(&docs, None));
    assert!(!tmp.path().join(parts::DIR).exists());
}
