//! The demo's sponsor report in a real browser: headless Chromium renders index.html, saves a
//! screenshot under target/, and the test fails on a script error or an empty chart.
//!
//! Chromium is Debian's `chromium` package; `.ci/run` installs it and sets
//! `WORTH_TEST_BROWSER=1`, so CI never skips this test. Elsewhere, without Chromium, the test
//! says loudly that it was skipped.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(browser: &Path, profile: &Path) -> Process {
    let mut cmd = Process::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_report_renders_in_chromium_with_charts_and_no_script_error() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("WORTH_TEST_BROWSER").is_err(),
            "WORTH_TEST_BROWSER is set but Chromium is not installed"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "\n*** SKIPPED: no Chromium at /usr/bin/chromium; `apt-get install chromium` to run the browser test ***\n"
            );
        }
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("worth").unwrap().current_dir(dir.path()).arg("demo").assert().success();
    let page = dir.path().join("worth-demo/report/index.html");
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();

    // The rendered page, with the browser's console on stderr.
    let dump = headless(&browser, profile.path())
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let console = String::from_utf8_lossy(&dump.stderr);
    for sign in ["Uncaught", "CONSOLE(", "Refused to load"] {
        assert!(!console.contains(sign), "the browser reported an error: {console}");
    }
    let dom = scraper::Html::parse_document(&String::from_utf8_lossy(&dump.stdout));
    let charts = scraper::Selector::parse("svg").unwrap();
    let marks = scraper::Selector::parse("rect, path, polyline, circle, line").unwrap();
    let svgs: Vec<_> = dom.select(&charts).collect();
    assert!(svgs.len() >= 4, "{} charts rendered", svgs.len());
    for svg in &svgs {
        let n = svg.select(&marks).count();
        assert!(n > 3, "an empty chart: {n} marks");
    }

    // A screenshot for people, under target/.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let out = headless(&browser, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2200")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "an empty screenshot");
}
