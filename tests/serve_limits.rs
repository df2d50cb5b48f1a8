//! `zhiku serve` under hostile or unusual clients and file systems (issue
//! #14): idle connections are closed, a connection cap keeps descriptors
//! free, foreign `Host` headers are refused, and a deleted and recreated
//! `content/` is watched again. Real sockets on 127.0.0.1 only.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::{Duration, Instant};

use common::SiteCopy;

/// A running `zhiku serve`; killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(site: &SiteCopy, extra: &[&str]) -> Server {
        let (child, url) = common::spawn_serve_with(site.root(), extra);
        Server { child, url }
    }

    /// `127.0.0.1:port`.
    fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    /// One raw HTTP/1.1 request; returns the status code.
    fn raw_status(&self, host: &str, path: &str) -> u16 {
        let mut s = TcpStream::connect(self.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut head = [0u8; 12];
        s.read_exact(&mut head).expect("status line");
        let line = String::from_utf8_lossy(&head);
        line[9..12].parse().expect("a status code")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn foreign_host_headers_are_refused() {
    let site = SiteCopy::new();
    let server = Server::start(&site, &[]);
    let addr = server.addr();
    let port = addr.rsplit(':').next().expect("port");
    assert_eq!(server.raw_status(&addr, "/"), 200);
    assert_eq!(server.raw_status(&format!("localhost:{port}"), "/"), 200);
    for evil in [
        "evil.example",
        &format!("evil.example:{port}"),
        "localhost.evil.example",
    ] {
        let status = server.raw_status(evil, "/");
        assert!(
            (400..500).contains(&status),
            "Host {evil} answered {status}"
        );
    }
}

#[test]
fn idle_connections_are_closed_after_the_timeout() {
    let site = SiteCopy::new();
    let server = Server::start(&site, &["--idle-timeout", "1"]);
    let mut idle = TcpStream::connect(server.addr()).expect("connect");
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let started = Instant::now();
    let mut buf = [0u8; 64];
    // EOF (or a reset) once the server gives up on the silent client.
    let closed = match idle.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => true,
        Err(e) => {
            e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::TimedOut
        }
    };
    assert!(closed, "still open after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5));

    // A keep-alive connection that goes quiet after one request is closed too.
    let mut s = TcpStream::connect(server.addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET /robots.txt HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr()
    )
    .expect("send");
    let started = Instant::now();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    assert!(String::from_utf8_lossy(&all).starts_with("HTTP/1.1 200"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn idle_connections_beyond_the_cap_do_not_block_a_normal_request() {
    let site = SiteCopy::new();
    // The default 30 s idle timeout: the answer must not wait for it.
    let server = Server::start(&site, &["--max-connections", "4"]);
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(server.addr()).expect("connect"))
        .collect();
    let started = Instant::now();
    let status = server.raw_status(&server.addr(), "/");
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // A live-reload stream (busy, not silent) is not closed to make room.
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    write!(
        stream,
        "GET /__zhiku/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr()
    )
    .expect("send");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).expect("stream answered");
    assert!(String::from_utf8_lossy(&head).contains("200"));
    // Drain what the stream says at first, so a later EOF is seen as such.
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
    let more: Vec<TcpStream> = (0..10)
        .map(|_| TcpStream::connect(server.addr()).expect("connect"))
        .collect();
    assert_eq!(server.raw_status(&server.addr(), "/robots.txt"), 200);
    if let Ok(0) = stream.read(&mut buf) {
        panic!("the event stream was closed to make room");
    }
    drop((idle, more));
}

/// Polls `path` until its body contains `needle`.
fn wait_for(server: &Server, path: &str, needle: &str, within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Ok(r) = reqwest::blocking::get(format!("{}{}", server.url, path)) {
            if r.text().is_ok_and(|t| t.contains(needle)) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn recreated_content_folder_is_watched_again() {
    let site = SiteCopy::new();
    let server = Server::start(&site, &[]);
    let rel = "content/faq/process/review-duration.md";
    let page = "faq/process/review-duration/";
    let original = site.read(rel);
    assert!(wait_for(&server, page, "<html", Duration::from_secs(5)));

    // What `git checkout` or a sync tool does: the folder goes, a new one comes.
    let saved = tempfile::tempdir().expect("temp");
    common::copy_tree(&site.path("content"), saved.path());
    fs::remove_dir_all(site.path("content")).expect("rm content");
    std::thread::sleep(Duration::from_millis(300));
    common::copy_tree(saved.path(), &site.path("content"));
    std::thread::sleep(Duration::from_millis(300));

    // An edit inside the new folder must show up.
    site.write(rel, &format!("{original}\n重新创建之后的修改。\n"));
    assert!(
        wait_for(&server, page, "重新创建之后的修改", Duration::from_secs(15)),
        "the edit after re-creating content/ was never picked up"
    );
    // And a second edit too (the watch is really back, not a one-off rebuild).
    site.write(rel, &format!("{original}\n第二次修改。\n"));
    assert!(wait_for(
        &server,
        page,
        "第二次修改",
        Duration::from_secs(15)
    ));
}
