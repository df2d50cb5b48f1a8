//! `scripts/install-test-deps.sh`, the first step of the test command, run
//! with stand-ins for `apt-get`, `sudo`, `id`, `rustup` and `npm` that only
//! record how they were called: on a machine without Chromium it installs it,
//! directly as root and through sudo otherwise, with apt's non-interactive
//! front end; with Chromium present it installs nothing.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

/// Writes an executable shell script.
fn stub(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("writing a stub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// Runs the install script as user `uid` with `chromium` as the browser
/// path; returns the calls the stand-ins recorded, one per line.
fn run_install(uid: u32, chromium: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let bin = tmp.path().join("bin");
    fs::create_dir(&bin).expect("bin folder");
    let log = tmp.path().join("calls.log");
    let record = r#"echo "$(basename "$0") $*" >>"$STUB_LOG""#;
    for name in ["rustup", "npm"] {
        stub(&bin, name, record);
    }
    stub(
        &bin,
        "apt-get",
        r#"echo "apt-get $* [DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-}]" >>"$STUB_LOG""#,
    );
    stub(&bin, "sudo", &format!("{record}\nexec \"$@\""));
    stub(
        &bin,
        "id",
        r#"[ "$1" = "-u" ] && echo "$STUB_UID" || exec /usr/bin/id "$@""#,
    );
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let out = Command::new("bash")
        .arg(common::repo_root().join("scripts/install-test-deps.sh"))
        .env("PATH", path)
        .env("STUB_LOG", &log)
        .env("STUB_UID", uid.to_string())
        .env("CHROMIUM", chromium)
        .env_remove("DEBIAN_FRONTEND")
        .output()
        .expect("running bash");
    assert!(
        out.status.success(),
        "install script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

const COMMON_FIRST: [&str; 2] = [
    "rustup component add rustfmt clippy",
    "rustup target add wasm32-unknown-unknown",
];
const NPM: &str = "npm ci --silent --no-audit --no-fund";

/// The calls a run should make: the toolchain steps, `middle`, then npm.
fn expected(middle: &[&str]) -> Vec<String> {
    COMMON_FIRST
        .iter()
        .chain(middle)
        .chain(&[NPM])
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn as_root_without_chromium_it_calls_apt_get_directly() {
    let calls = run_install(0, Path::new("/nonexistent/chromium"));
    let want = expected(&[
        "apt-get update -qq [DEBIAN_FRONTEND=]",
        "apt-get install -y -qq chromium [DEBIAN_FRONTEND=noninteractive]",
    ]);
    assert_eq!(calls, want);
}

#[test]
fn as_a_user_without_chromium_it_goes_through_sudo() {
    let calls = run_install(1000, Path::new("/nonexistent/chromium"));
    let want = expected(&[
        "sudo apt-get update -qq",
        "apt-get update -qq [DEBIAN_FRONTEND=]",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
        "apt-get install -y -qq chromium [DEBIAN_FRONTEND=noninteractive]",
    ]);
    assert_eq!(calls, want);
}

#[test]
fn with_chromium_present_nothing_is_installed() {
    for uid in [0, 1000] {
        let calls = run_install(uid, Path::new("/bin/sh"));
        let want = expected(&[]);
        assert_eq!(calls, want, "uid {uid}");
    }
}
