//! `zhiku build` killed with SIGKILL at every step of writing and swapping
//! the output (issue #14): a complete `public/` (the previous build or the
//! new one) exists after every kill, and the next build removes whatever the
//! killed one left. The binary pauses at named points when
//! `ZHIKU_TEST_PAUSE` is set (debug builds only), which is where it is killed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Every file of a build except the search index (its segment names are
/// random, so two builds of one site differ there), plus the index's file count.
fn snapshot(dir: &Path) -> Option<(BTreeMap<String, Vec<u8>>, usize)> {
    if !dir.join("index.html").is_file() {
        return None;
    }
    let mut files = BTreeMap::new();
    let mut search = 0;
    for e in walkdir::WalkDir::new(dir) {
        let e = e.ok()?;
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(dir)
            .ok()?
            .to_string_lossy()
            .into_owned();
        if rel.starts_with("search/") {
            search += 1;
        } else {
            files.insert(rel, fs::read(e.path()).ok()?);
        }
    }
    Some((files, search))
}

use common::leftovers;

/// Sets the entry title that tells the two versions of the site apart.
fn set_version(root: &Path, version: usize) {
    let entry = root.join("content/faq/basics/how-long.md");
    let text = fs::read_to_string(&entry).expect("read");
    let start = text.find("title = ").expect("title");
    let end = start + text[start..].find('\n').expect("line end");
    let text = format!(
        "{}title = \"备案要审核多久？第{version}版\"{}",
        &text[..start],
        &text[end..]
    );
    fs::write(&entry, text).expect("write");
}

fn build_ok(root: &Path) {
    let o = common::zhiku(root, &["build"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Starts a build that pauses at `point`, waits until it says so, kills it.
fn kill_at(root: &Path, point: &str, no_exchange: bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhiku"));
    cmd.arg("--root")
        .arg(root)
        .arg("build")
        .env("ZHIKU_TEST_PAUSE", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if no_exchange {
        cmd.env("ZHIKU_TEST_NO_EXCHANGE", "1");
    }
    let mut child = cmd.spawn().expect("start zhiku build");
    let stderr = child.stderr.take().expect("stderr");
    let mut paused = false;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.contains(&format!("paused at {point}")) {
            paused = true;
            break;
        }
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(paused, "the build never reached {point}");
}

#[test]
fn killed_builds_always_leave_a_complete_public() {
    let site = common::valid_site();
    let root = site.path();
    // The two versions' expected output, built once each.
    let mut expected = Vec::new();
    for v in 0..2 {
        set_version(root, v);
        build_ok(root);
        expected.push(snapshot(&root.join("public")).expect("a build"));
    }
    let mut current = 1;
    let points = ["writing", "before-swap", "after-swap"];
    let mut kills = 0;
    for round in 0..20 {
        let point = points[round % points.len()];
        let next = 1 - current;
        set_version(root, next);
        kill_at(root, point, false);
        kills += 1;
        let now = snapshot(&root.join("public"))
            .unwrap_or_else(|| panic!("no complete public/ after a kill at {point}"));
        assert!(
            now == expected[current] || now == expected[next],
            "public/ after a kill at {point} is neither the old nor the new build"
        );
        // The next build cleans up and publishes the new version.
        build_ok(root);
        assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
        assert!(snapshot(&root.join("public")).expect("built") == expected[next]);
        current = next;
    }
    assert_eq!(kills, 20);
}

#[test]
fn fallback_swap_killed_between_renames_is_repaired_by_the_next_run() {
    let site = common::valid_site();
    let root = site.path();
    set_version(root, 0);
    build_ok(root);
    let before = snapshot(&root.join("public")).expect("a build");
    set_version(root, 1);
    kill_at(root, "between-renames", true);
    // Without an atomic exchange there is a moment with no public/ ...
    assert!(!root.join("public").exists());
    // ... and the next run puts the last complete build back first, even
    // when that run fails on its content.
    common::copy_tree(&common::fixture("errors").join("broken-link"), root);
    let o = common::zhiku(root, &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(snapshot(&root.join("public")).expect("restored") == before);
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
}

#[test]
fn stale_leftovers_are_removed_only_when_stamped() {
    let site = common::valid_site();
    let root = site.path();
    build_ok(root);
    // A stamped leftover of a killed build, and a look-alike zhiku did not write
    // (the old PID-named folder of an earlier version).
    let stamped = root.join(".public.tmp-killed");
    fs::create_dir_all(stamped.join("faq")).expect("mkdir");
    fs::write(stamped.join(".zhiku-build"), "").expect("stamp");
    let foreign = root.join(".public.old-12345");
    fs::create_dir_all(&foreign).expect("mkdir");
    fs::write(foreign.join("keep.txt"), "not ours").expect("write");
    build_ok(root);
    assert!(!stamped.exists());
    assert_eq!(
        fs::read_to_string(foreign.join("keep.txt")).expect("kept"),
        "not ours"
    );
    // And the build after that still succeeds (no name collision).
    build_ok(root);
}

#[test]
fn killed_incremental_rebuild_leaves_the_previous_site_untouched() {
    let site = common::valid_site();
    let root = site.path();
    set_version(root, 0);
    build_ok(root);
    // A second build leaves the first one's folder as the spare, which the
    // killed build below writes into.
    build_ok(root);
    assert!(root.join(".zhiku-cache/public/spare").is_dir());
    let public = root.join("public");
    let before = snapshot(&public).expect("a build");
    let before_stamps = common::stamps(&public);
    set_version(root, 1);
    // Killed while writing and just before the swap: not one file of the
    // previous site changed, not even its mtime (unchanged files of the new
    // build are hard links to them, never the files themselves).
    for point in ["writing", "before-swap"] {
        kill_at(root, point, false);
        assert!(snapshot(&public).expect("complete") == before, "{point}");
        assert_eq!(
            common::stamps(&public),
            before_stamps,
            "{point}: files were touched"
        );
    }
    // The next build publishes version 1 and keeps every unchanged file.
    build_ok(root);
    assert!(leftovers(root).is_empty(), "{:?}", leftovers(root));
    let after = snapshot(&public).expect("built").0;
    let now = common::stamps(&public);
    let mut kept = 0;
    for (path, bytes) in &after {
        if before.0.get(path) == Some(bytes) {
            assert_eq!(now[path], before_stamps[path], "{path} was rewritten");
            kept += 1;
        }
    }
    assert!(kept > 0, "no file was kept");
    assert!(after.len() > kept, "the edit changed no file");
}
