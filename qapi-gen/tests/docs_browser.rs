//! The HTML reference of QEMU's real schemas (10.0.0's and 10.2.0's, each
//! under its release's rules) in a real browser: Debian's headless
//! Chromium driven over WebDriver (chromedriver) by a small HTTP/JSON
//! client on `std::net::TcpStream`.
//!
//! Every page loads without console errors, searching `blockdev-add`
//! finds it, every internal link resolves to an existing page and anchor,
//! every module page's title is the module's first heading (rST headings
//! in 10.2.0, `= Heading` lines in 10.0.0), no heading markup shows as
//! text, and screenshots are kept in `target/docs-screenshots/RELEASE/`.
//!
//! Needs `chromium` and `chromedriver`: `scripts/install-test-deps.sh`.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key of an element reference in WebDriver replies.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A program on `PATH`, or a failure telling how to install it.
fn require(program: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{program}` not found: the browser test needs Debian's chromium and \
             chromium-driver packages; run scripts/install-test-deps.sh"
        )
    })
}

/// The target directory (screenshots and scratch files go there).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// One HTTP/1.1 exchange with chromedriver; returns the reply's JSON.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send request");
    let mut reply = Vec::new();
    // The header, then exactly Content-Length bytes (or up to the close).
    let mut buf = [0u8; 64 * 1024];
    let header_end = loop {
        if let Some(end) = find(&reply, b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut buf).expect("read reply");
        assert!(n > 0, "chromedriver closed the connection: {method} {path}");
        reply.extend_from_slice(&buf[..n]);
    };
    let header = String::from_utf8_lossy(&reply[..header_end]).to_lowercase();
    let length = header
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    loop {
        if length.is_some_and(|len| reply.len() >= header_end + len) {
            break;
        }
        let n = stream.read(&mut buf).expect("read reply");
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let end = length.map_or(reply.len(), |len| header_end + len);
    let mut body = reply[header_end..end].to_vec();
    if header.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    serde_json::from_slice(&body).unwrap_or_else(|err| {
        panic!(
            "bad reply to {method} {path}: {err}: {}",
            String::from_utf8_lossy(&body)
        )
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let size = std::str::from_utf8(&data[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(&data[start..end]);
        data = &data[(end + 2).min(data.len())..];
    }
    out
}

/// A browser session; closes the browser and stops chromedriver on drop.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

impl Browser {
    fn start(scratch: &Path) -> Browser {
        let chromium = require("chromium");
        let chromedriver = require("chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = scratch.join(format!("profile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
            &format!("--user-data-dir={}", browser.profile.display()),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": chromium, "args": args },
                    "goog:loggingPrefs": { "browser": "ALL" }
                }
            }
        });
        let reply = http(port, "POST", "/session", Some(&capabilities));
        browser.session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        browser
    }

    /// A command of this session; panics on WebDriver errors.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let reply = http(self.port, method, &url, body.as_ref());
        if reply["value"]["error"].is_string() {
            panic!("{method} {path}: {}", reply["value"]);
        }
        reply["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn element(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Console messages since the last call (chromedriver's log endpoint).
    fn console(&self) -> Vec<Value> {
        let logs = self.call("POST", "/se/log", Some(json!({ "type": "browser" })));
        logs.as_array().cloned().unwrap_or_default()
    }

    fn severe_messages(&self) -> Vec<String> {
        self.console()
            .into_iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn screenshot(&self, path: &Path) {
        let data = self.call("GET", "/screenshot", None);
        let png = base64_decode(data.as_str().expect("screenshot data"));
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("/session/{}", self.session);
            // Closes Chromium; best effort while unwinding.
            let port = self.port;
            let _ = std::panic::catch_unwind(|| http(port, "DELETE", &url, None));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (u32::from(d) << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// What a page holds: its ids, and its links as (path, decoded fragment)
/// for `file:` links and as URLs for others.
const PAGE_FACTS: &str = r#"
return {
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  links: Array.from(document.querySelectorAll('a[href]')).map(a =>
    a.protocol === 'file:'
      ? [decodeURIComponent(a.pathname), decodeURIComponent(a.hash.slice(1))]
      : [a.href, null]),
  title: document.title,
  headings: Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6'))
    .map(h => h.textContent),
  markup: (() => {
    // Lines of text outside literal blocks that are, or hold, a heading
    // adornment: a run of one punctuation character.
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.parentElement.closest('pre, script')) continue;
      for (const line of node.textContent.split('\n')) {
        if (/(^|\s)([=*_^"~#+-])\2{3,}(\s|$)/.test(line)) found.push(line.trim());
      }
    }
    return found;
  })(),
  searchIndex: !!(window.QAPI_SEARCH_INDEX && window.QAPI_SEARCH_INDEX.entries.length),
  styled: getComputedStyle(document.querySelector('.topbar')).position === 'sticky'
};
"#;

#[test]
fn real_schema_docs_in_chromium() {
    let scratch = target_dir().join("docs-browser");
    let browser = Browser::start(&scratch);

    // The console check sees errors: a page with a broken script.
    let broken = scratch.join("broken.html");
    std::fs::write(&broken, "<script>undefinedFunction();</script>").expect("write");
    browser.open(&file_url(&broken));
    assert!(
        !browser.severe_messages().is_empty(),
        "a script error must show in the browser log"
    );

    for (release, rules) in common::SUITES {
        site_in_chromium(&browser, &scratch, release, rules);
    }
}

/// QEMU `release`'s reference, generated under `rules`, page by page.
fn site_in_chromium(browser: &Browser, scratch: &Path, release: &str, rules: qapi_gen::Rules) {
    let site = scratch.join(format!("site-{release}"));
    let _ = std::fs::remove_dir_all(&site);
    let root = common::real_schema_path(release);
    let schema = qapi_gen::load_with(&root, rules).unwrap_or_else(|diags| panic!("{diags}"));
    qapi_gen::docs::write(&schema, qapi_gen::docs::Format::Html, &site).expect("write docs");
    let site = site.canonicalize().expect("site dir");
    let shots = target_dir().join("docs-screenshots").join(release);
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let schema_dir = root.parent().expect("the schema's directory");
    let mut titled = 0;

    // Every page: no console errors, styles and search index loaded.
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&site)
        .expect("site")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut links: Vec<(PathBuf, String, String)> = Vec::new();
    let mut external = 0;
    for page in &pages {
        browser.open(&file_url(page));
        let severe = browser.severe_messages();
        assert!(
            severe.is_empty(),
            "{}: console errors: {severe:?}",
            page.display()
        );
        let facts = browser.script(PAGE_FACTS);
        assert_eq!(
            facts["searchIndex"],
            true,
            "{}: search index",
            page.display()
        );
        assert_eq!(facts["styled"], true, "{}: stylesheet", page.display());
        let markup = facts["markup"].as_array().expect("markup lines");
        assert!(
            markup.is_empty(),
            "{}: heading markup shown as text: {markup:?}",
            page.display()
        );
        // A module page's title: the module's first heading, else its
        // file name.
        let stem = page.file_stem().expect("a page name").to_string_lossy();
        let source = schema_dir.join(format!("{stem}.json"));
        if let Ok(text) = std::fs::read_to_string(&source) {
            let heading = first_heading(&text);
            let expected = heading.clone().unwrap_or(format!("{stem}.json"));
            assert_eq!(
                facts["title"],
                format!("{expected} – QAPI Reference"),
                "{}: page title",
                page.display()
            );
            let headings = facts["headings"].as_array().expect("headings");
            assert_eq!(
                headings.first(),
                Some(&json!(expected)),
                "{}: first heading on the page",
                page.display()
            );
            titled += usize::from(heading.is_some());
        }
        let page_ids: HashSet<String> = facts["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(|id| id.as_str().map(str::to_string))
            .collect();
        ids.insert(page.clone(), page_ids);
        for link in facts["links"].as_array().expect("links") {
            match (link[0].as_str(), link[1].as_str()) {
                (Some(path), Some(fragment)) => {
                    links.push((page.clone(), path.to_string(), fragment.to_string()))
                }
                _ => external += 1,
            }
        }
    }
    // Every internal link leads to an existing page and anchor.
    let mut broken_links = Vec::new();
    for (from, path, fragment) in &links {
        let target = PathBuf::from(path);
        let ok = match ids.get(&target) {
            Some(target_ids) => fragment.is_empty() || target_ids.contains(fragment),
            None => false,
        };
        if !ok {
            broken_links.push(format!("{} -> {path}#{fragment}", from.display()));
        }
    }
    println!(
        "QEMU {release}: pages: {}, of which {titled} titled by their module's heading, \
         none showing heading markup; internal links: {} (all resolve: {}), external \
         links: {external}",
        pages.len(),
        links.len(),
        broken_links.is_empty()
    );
    assert!(
        broken_links.is_empty(),
        "{} broken links, e.g. {:?}",
        broken_links.len(),
        &broken_links[..broken_links.len().min(10)]
    );
    assert!(links.len() > 10_000, "links were collected");

    // Search: type the name, see it found first, press Enter to go there.
    browser.open(&file_url(&site.join("index.html")));
    let search = browser.element("#search");
    browser.type_into(&search, "blockdev-add");
    let results = browser.script(
        "return {hidden: document.getElementById('search-results').hidden, \
         hits: Array.from(document.querySelectorAll('#search-results li a')).map(a => \
         [a.querySelector('.result-name').textContent, a.getAttribute('href')])};",
    );
    assert_eq!(results["hidden"], false, "results shown");
    let hits = results["hits"].as_array().expect("hits");
    assert_eq!(
        hits.first(),
        Some(&json!(["blockdev-add", "block-core.html#blockdev-add"])),
        "first hit: {hits:?}"
    );
    println!(
        "QEMU {release}: search 'blockdev-add': {} hits, first {}",
        hits.len(),
        hits[0]
    );
    browser.screenshot(&shots.join("search-blockdev-add.png"));
    browser.type_into(&search, "\u{E007}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let landed = loop {
        let state = browser.script(
            "return document.readyState === 'complete' ? \
             [location.pathname.split('/').pop(), location.hash, \
              Math.round(document.getElementById('blockdev-add') ? \
              document.getElementById('blockdev-add').getBoundingClientRect().top : -1)] : null;",
        );
        if state[0] == "block-core.html" || Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        landed[0], "block-core.html",
        "Enter opens the hit: {landed}"
    );
    assert_eq!(landed[1], "#blockdev-add");
    let top = landed[2].as_i64().unwrap_or(-1);
    assert!(
        (0..200).contains(&top),
        "blockdev-add scrolled into view: {top}"
    );
    assert!(browser.severe_messages().is_empty());
    browser.screenshot(&shots.join("blockdev-add.png"));

    // Follow a type link from there.
    let link = browser.element("#blockdev-add .members-of a.type");
    browser.call("POST", &format!("/element/{link}/click"), Some(json!({})));
    let hash = browser.script("return location.hash;");
    assert_eq!(hash, "#BlockdevOptions", "followed the argument type link");
    browser.screenshot(&shots.join("blockdev-options.png"));

    // A few more views worth looking at.
    for (page, name) in [
        ("migration.html#migrate", "migrate.png"),
        ("net.html#NetdevDgramOptions", "net-table.png"),
        ("index.html#qapi-qmp-index", "index-names.png"),
        ("block-core.html#block-commit", "deprecated-members.png"),
        ("block-core.html#BlockdevDriver", "enum-conditions.png"),
        ("qapi-schema.html", "introduction.png"),
        ("block-core.html", "module-heading.png"),
        ("block.html", "module-with-two-headings.png"),
    ] {
        browser.open(&format!("{}/{page}", file_url(&site)));
        assert!(browser.severe_messages().is_empty(), "{page}");
        browser.screenshot(&shots.join(name));
    }
    println!("screenshots in {}", shots.display());
}

/// The first heading of a schema file's free-form doc blocks, read from
/// the source: an rST title (underlined, or over- and underlined) or a
/// QEMU 10.0 `= Title` line.
fn first_heading(source: &str) -> Option<String> {
    let is_adornment = |line: &str| {
        let mut chars = line.chars();
        let first = chars.next();
        first.is_some_and(|c| c.is_ascii_punctuation()) && chars.all(|c| Some(c) == first)
    };
    let mut block: Option<Vec<&str>> = None;
    for line in source.lines() {
        if line == "##" {
            match block.take() {
                None => block = Some(Vec::new()),
                Some(lines) if lines.first().is_some_and(|l| l.starts_with('@')) => {}
                Some(lines) => {
                    for (i, line) in lines.iter().enumerate() {
                        let next = lines.get(i + 1).copied().unwrap_or("");
                        if let Some(title) = line.trim_start_matches('=').strip_prefix(' ') {
                            if line.starts_with('=') {
                                return Some(title.trim().to_string());
                            }
                        }
                        if is_adornment(line) && lines.get(i + 2) == Some(line) {
                            return Some(next.trim().to_string());
                        }
                        if !line.is_empty() && !is_adornment(line) && is_adornment(next) {
                            return Some(line.trim().to_string());
                        }
                    }
                }
            }
        } else if let Some(lines) = &mut block {
            lines.push(line.strip_prefix("# ").unwrap_or("").trim_end());
        }
    }
    None
}
