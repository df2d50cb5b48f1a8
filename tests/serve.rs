//! End-to-end tests of `zhiku serve`: the real binary on an ephemeral port,
//! serving a temporary copy of the site, with real file edits.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::SiteCopy;

/// A running `zhiku serve`; killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(site: &SiteCopy) -> Server {
        let (child, url) = common::spawn_serve(site.root());
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "binds 127.0.0.1 by default: {url}"
        );
        Server { child, url }
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        reqwest::blocking::get(format!("{}{}", self.url, path.trim_start_matches('/')))
            .expect("GET")
    }

    fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path);
        (r.status().as_u16(), r.text().expect("body"))
    }

    /// Connects to the event stream; events arrive as (name, data).
    fn events(&self) -> Events {
        let (tx, rx) = mpsc::channel();
        let client = reqwest::blocking::Client::builder()
            .timeout(None)
            .build()
            .expect("client");
        let resp = client
            .get(format!("{}__zhiku/events", self.url))
            .send()
            .expect("connect to the event stream");
        assert_eq!(
            resp.headers()["content-type"].to_str().ok(),
            Some("text/event-stream")
        );
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(resp).lines() {
                let Ok(line) = line else { return };
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    if tx.send((std::mem::take(&mut name), d.to_string())).is_err() {
                        return;
                    }
                }
            }
        });
        let events = Events(rx);
        events.wait_for("hello", Duration::from_secs(5));
        events
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Events(Receiver<(String, String)>);

impl Events {
    /// Waits for the next event called `name`, skipping others; returns its data.
    fn wait_for(&self, name: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok((n, data)) if n == name => return data,
                Ok(_) => {}
                Err(_) => panic!("no `{name}` event within {timeout:?}"),
            }
        }
    }

    /// Drops events already received.
    fn drain(&self) {
        while self.0.try_recv().is_ok() {}
    }
}

/// Polls `path` until its body contains `needle`.
fn wait_until_served(server: &Server, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = server.text(path);
        if body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never contained {needle:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn url_of(id: &str) -> String {
    format!("/{id}/")
}

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn edit_reloads_broken_edit_shows_errors_fix_recovers() {
    let site = SiteCopy::new();
    let server = Server::start(&site);
    let events = server.events();
    let (entry, id) = site.entry_with_related();
    let page = url_of(&id);
    let good = site.read(&entry);

    site.write(&entry, &format!("{good}\n\n编辑后的新段落-EDIT-1。\n"));
    events.wait_for("reload", WAIT);
    let (status, body) = server.text(&page);
    assert_eq!(status, 200);
    assert!(body.contains("编辑后的新段落-EDIT-1"), "edited text served");
    assert!(
        body.contains("/__zhiku/client.js"),
        "client injected in serve mode"
    );

    // Break the front matter: an unknown field on line 2.
    site.write(&entry, &good.replacen("+++\n", "+++\nbogus_field = 1\n", 1));
    let data = events.wait_for("error", WAIT);
    let payload: serde_json::Value = serde_json::from_str(&data).expect("error payload is JSON");
    let diag = payload["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["file"] == entry.as_str())
        .unwrap_or_else(|| panic!("no diagnostic for {entry} in {payload}"));
    assert_eq!(
        (diag["line"].as_u64(), diag["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(diag["message"]
        .as_str()
        .unwrap_or("")
        .contains("bogus_field"));
    let text = payload["text"].as_str().expect("text");
    assert!(
        text.contains(&format!("{entry}:2:1")),
        "rustc-style location in {text}"
    );
    // The same text `zhiku check` prints.
    let check = Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(site.root())
        .arg("check")
        .output()
        .expect("zhiku check");
    assert!(String::from_utf8_lossy(&check.stderr).starts_with(text));
    // The last good build is still served.
    let (status, body) = server.text(&page);
    assert_eq!(status, 200);
    assert!(body.contains("编辑后的新段落-EDIT-1"));

    // A page opened while broken learns about the error on connect.
    let late = server.events();
    late.wait_for("error", Duration::from_secs(5));

    site.write(&entry, &format!("{good}\n\n修好了-FIXED-2。\n"));
    events.wait_for("ok", WAIT);
    events.wait_for("reload", WAIT);
    late.wait_for("ok", WAIT);
    assert!(server.text(&page).1.contains("修好了-FIXED-2"));
}

#[test]
fn starts_with_broken_content_and_recovers() {
    let site = SiteCopy::new();
    let (entry, id) = site.entry_with_related();
    let good = site.read(&entry);
    site.write(&entry, &good.replacen("+++\n", "+++\nbogus_field = 1\n", 1));
    let server = Server::start(&site);
    // No good build yet: every path answers 404 with a page that still
    // carries the client, so the overlay can show the errors.
    let (status, body) = server.text("/");
    assert_eq!(status, 404);
    assert!(body.contains("/__zhiku/client.js"));
    let events = server.events();
    let data = events.wait_for("error", Duration::from_secs(5));
    assert!(data.contains("bogus_field"), "{data}");
    site.write(&entry, &good);
    events.wait_for("ok", WAIT);
    events.wait_for("reload", WAIT);
    assert_eq!(server.text(&url_of(&id)).0, 200);
}

#[test]
fn css_change_is_swapped_without_reload() {
    let site = SiteCopy::new();
    let server = Server::start(&site);
    let events = server.events();
    let css = "themes/default/static/style.css";
    let text = site.read(css);
    site.write(css, &format!("{text}\n.serve-test {{ color: red }}\n"));
    let data = events.wait_for("css", WAIT);
    assert!(data.contains("/static/style.css"), "{data}");
    assert!(server.text("/static/style.css").1.contains(".serve-test"));
    // No reload was sent for a stylesheet-only change.
    std::thread::sleep(Duration::from_millis(300));
    assert!(events.0.try_iter().all(|(n, _)| n != "reload"));
}

#[test]
fn burst_of_fifty_saves_ends_with_the_last_one() {
    let site = SiteCopy::new();
    let mut server = Server::start(&site);
    let (entry, id) = site.entry_with_related();
    let good = site.read(&entry);
    let started = Instant::now();
    for i in 0..50u32 {
        // Paced against the start so sleep overshoot does not add up: 50 saves in 750 ms.
        let due = started + Duration::from_millis(15) * i;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        site.write(&entry, &format!("{good}\n\n连续保存-SAVE-{i:02}-END\n"));
    }
    // Generous bound for a loaded machine; the pacing above aims at 750 ms.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let body = wait_until_served(&server, &url_of(&id), "连续保存-SAVE-49-END");
    assert!(!body.contains("SAVE-48-END"));
    assert!(server.is_running(), "the server survived the burst");
    // And it stays at the final state once the rebuilds settle.
    std::thread::sleep(Duration::from_millis(800));
    assert!(server.text(&url_of(&id)).1.contains("连续保存-SAVE-49-END"));
}

#[test]
fn editor_save_patterns_rename_and_delete_recreate() {
    let site = SiteCopy::new();
    let server = Server::start(&site);
    let events = server.events();
    let (entry, id) = site.entry_with_related();
    let good = site.read(&entry);

    // Write a temporary file, then rename it over the entry (VS Code, Emacs).
    let tmp = format!("{entry}.tmp-save");
    site.write(&tmp, &format!("{good}\n\n改名保存-RENAMED\n"));
    fs::rename(site.path(&tmp), site.path(&entry)).expect("rename");
    wait_until_served(&server, &url_of(&id), "改名保存-RENAMED");

    // Delete, then create again (some editors and `git checkout`).
    fs::remove_file(site.path(&entry)).expect("delete");
    std::thread::sleep(Duration::from_millis(150));
    site.write(&entry, &format!("{good}\n\n重新创建-RECREATED\n"));
    wait_until_served(&server, &url_of(&id), "重新创建-RECREATED");

    // A new chapter folder with an entry appears; deleting the folder removes it.
    events.drain();
    let chapter = "content/faq/zz-serve-test";
    site.write(
        &format!("{chapter}/_index.md"),
        "+++\ntitle = \"测试章节\"\norder = 99999\nsummary = \"测试用。\"\n+++\n",
    );
    site.write(
        &format!("{chapter}/new-entry.md"),
        "+++\ntitle = \"测试新条目\"\nsection = \"7.1\"\norder = 1\naliases = [\"测试\"]\n+++\n\n新文件夹里的新条目-NEWDIR。\n",
    );
    wait_until_served(
        &server,
        "/faq/zz-serve-test/new-entry/",
        "新文件夹里的新条目-NEWDIR",
    );
    fs::remove_dir_all(site.path(chapter)).expect("delete folder");
    let deadline = Instant::now() + WAIT;
    while server.get("/faq/zz-serve-test/new-entry/").status() != 404 {
        assert!(Instant::now() < deadline, "deleted page still served");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, home) = server.text("/");
    assert!(!home.contains("测试章节"), "deleted chapter still listed");
}

/// Sends a raw request so the path reaches the server exactly as written
/// (HTTP clients normalise `..` away). Returns (status, body).
fn raw_get(url: &str, path: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn http_safety_types_compression_and_404() {
    let site = SiteCopy::new();
    // A secret beside the content that no URL may reveal.
    site.write("secret.txt", "TOP-SECRET-VALUE");
    site.write("themes/default/static/probe.wasm", "\0asm\x01\0\0\0");
    let server = Server::start(&site);

    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/static/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/static/..\\..\\secret.txt",
        "/%2fetc/passwd",
        "/static/../../../../etc/passwd",
    ] {
        let (status, text) = raw_get(&server.url, path);
        assert!(status == 400 || status == 404, "{path}: status {status}");
        assert!(
            !text.contains("TOP-SECRET-VALUE") && !text.contains("root:"),
            "{path} leaked a file"
        );
    }

    // Doubled slashes (a base URL joined with a leading `/`) redirect to the
    // single-slash path on this server, which then answers as usual.
    for (path, to) in [
        ("//search/manifest.json", "/search/manifest.json"),
        ("//etc/passwd", "/etc/passwd"),
        ("/faq//basics/?q=1", "/faq/basics/?q=1"),
    ] {
        let (status, text) = raw_get(&server.url, path);
        assert_eq!(status, 308, "{path}");
        let location = format!("\r\nlocation: {to}\r\n");
        assert!(
            text.to_ascii_lowercase().contains(&location),
            "{path}: {text}"
        );
    }

    // Only GET and HEAD.
    let client = reqwest::blocking::Client::new();
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = client
            .request(method.clone(), &server.url)
            .send()
            .expect("request");
        assert_eq!(r.status().as_u16(), 405, "{method}");
    }
    let head = client.head(&server.url).send().expect("HEAD");
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.text().expect("body"), "");

    // Unknown paths get the site's 404 page with status 404.
    let (_, not_found_page) = server.text("/404.html");
    let (status, body) = server.text("/no/such/page/");
    assert_eq!(status, 404);
    assert_eq!(body, not_found_page);
    assert!(body.contains("<html"), "the site's own 404 page");

    // Content types.
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/site.js", "text/javascript; charset=utf-8"),
        ("/static/probe.wasm", "application/wasm"),
        ("/__zhiku/client.js", "text/javascript; charset=utf-8"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(
            r.headers()["content-type"].to_str().ok(),
            Some(ty),
            "{path}"
        );
    }

    // The real search runtime, when the site has one, is served as wasm too.
    let manifest = server.get("/search/manifest.json");
    if manifest.status() == 200 {
        let m: serde_json::Value =
            serde_json::from_str(&manifest.text().expect("body")).expect("manifest JSON");
        let wasm = m["wasm"].as_str().expect("wasm URL in the manifest");
        // Manifest URLs are relative to the manifest.
        let r = server.get(&format!("/search/{wasm}"));
        assert_eq!(r.status().as_u16(), 200, "{wasm}");
        assert_eq!(
            r.headers()["content-type"].to_str().ok(),
            Some("application/wasm")
        );
    }

    // Compressed when the client accepts it.
    for enc in ["gzip", "br"] {
        let r = client
            .get(&server.url)
            .header("accept-encoding", enc)
            .send()
            .expect("GET");
        assert_eq!(r.headers()["content-encoding"].to_str().ok(), Some(enc));
        let raw = r.bytes().expect("body");
        assert!(!raw.starts_with(b"<!DOCTYPE"), "body is really compressed");
    }
}

/// `--open` where no browser can be started (no desktop, no launcher on
/// PATH) says so in one plain sentence and keeps serving.
#[test]
fn open_without_a_browser_says_so_plainly() {
    let site = SiteCopy::new();
    let empty_path = tempfile::tempdir().expect("temporary folder");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(site.root())
        .args(["serve", "--port", "0", "--open"])
        .env("PATH", empty_path.path())
        .env_remove("BROWSER")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start zhiku serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    let found = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains("browser") => break Some(line),
            Ok(line) => lines.push(line),
            Err(_) => break None,
        }
    };
    let running = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    let _ = child.wait();
    let line = found.unwrap_or_else(|| panic!("no line about the browser in {lines:?}"));
    assert!(
        line.starts_with(
            "zhiku serve: no web browser could be started here; open http://127.0.0.1:"
        ),
        "{line}"
    );
    assert!(
        !line.contains("Launcher") && !line.contains("ExitStatus"),
        "{line}"
    );
    assert!(running, "the server keeps running");
}

/// A port already taken: one error line, with the OS's reason said once.
#[test]
fn busy_port_error_names_the_reason_once() {
    let site = SiteCopy::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("address").port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_zhiku"))
        .arg("--root")
        .arg(site.root())
        .args(["serve", "--port", &port])
        .output()
        .expect("run zhiku serve");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error line in {stderr}"));
    assert!(
        line.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")),
        "{line}"
    );
    assert_eq!(line.matches("os error").count(), 1, "{line}");
}
