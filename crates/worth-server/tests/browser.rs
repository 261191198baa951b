//! The web app in a real browser: headless Chromium driven over WebDriver (chromedriver) by
//! fantoccini, against a server on a random loopback port.
//!
//! A new user's path: log in, register a solution, assess its value, see it on the dashboard;
//! and a story with `<script>` in its title and text shows that text instead of running it.
//! Without Chromium and chromedriver the test says it was skipped; `WORTH_TEST_BROWSER=1` (set
//! by CI) makes them required.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use worth_core::Currency;
use worth_core::access::Role;
use worth_core::rates::RateCard;
use worth_server::{AppState, Settings};
use worth_store::{Location, NewRate, NewUser, Store};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills chromedriver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    let required = std::env::var("WORTH_TEST_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        present || !required,
        "WORTH_TEST_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing: \
         apt-get install chromium chromium-driver"
    );
    if !present {
        eprintln!(
            "\n*** SKIPPED: the browser test did not run: install chromium and chromium-driver, \
             or set WORTH_TEST_BROWSER=1 to require them. ***\n"
        );
    }
    present
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn workspace(dir: &Path) -> Store {
    let location = Location::Sqlite(dir.join("worth.db"));
    let store = worth_store::testing::workspace(&location, "EUR").await.unwrap();
    let mut w = store.write("setup").await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    let from = "2025-01-01".parse().unwrap();
    let _: RateCard = w
        .add_rate(&NewRate {
            role: "analyst".into(),
            business_unit: None,
            hourly: 55.into(),
            currency: Currency::parse("EUR").unwrap(),
            valid_from: from,
            valid_to: None,
        })
        .await
        .unwrap();
    let password_hash = worth_server::auth::hash_password("correct horse battery").unwrap();
    w.add_user(&NewUser {
        name: "ada".into(),
        person: Some("Ada Lovelace".into()),
        role: Role::Admin,
        password_hash,
        business_units: Vec::new(),
    })
    .await
    .unwrap();
    w.commit().await.unwrap();
    store
}

async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
}

/// Submits the form posting to `form_action` and waits for the page that answers it, known by
/// an element matching `next`.
async fn submit(c: &Client, form_action: &str, next: &str) {
    let css = format!("form[action='{form_action}'] button[type='submit']");
    c.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(next))
        .await
        .unwrap_or_else(|e| panic!("no {next} after posting {form_action}: {e}"));
}

async fn main_text(c: &Client) -> String {
    c.find(Locator::Css("main")).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_assesses_a_solution_and_a_story_script_shows_as_text() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path()).await;
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let state = AppState::new(store, Settings::default());
    tokio::spawn(async move {
        worth_server::serve(state, "127.0.0.1:0".parse().unwrap(), |a| {
            let _ = tx.send(a);
        })
        .await
        .unwrap();
    });
    let addr = rx.await.unwrap();
    let base = format!("http://{addr}");

    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let profile = dir.path().join("chromium-profile");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let mut client = None;
    for _ in 0..50 {
        let builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        if let Ok(c) = builder {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let c = client.expect("chromedriver answers on its loopback port");

    // Not logged in: every page leads to the login form.
    c.goto(&format!("{base}/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    fill(&c, "name", "ada").await;
    fill(&c, "password", "correct horse battery").await;
    submit(&c, "/login", "#tiles-h").await;
    assert!(main_text(&c).await.contains("Headline figures"));

    // Register a solution.
    c.goto(&format!("{base}/solutions/new")).await.unwrap();
    fill(&c, "name", "Invoice Approvals").await;
    submit(&c, "/solutions", "#lines-h").await;
    let page = main_text(&c).await;
    assert!(page.contains("Invoice Approvals") && page.contains("No value line yet"), "{page}");

    // Assess its value.
    c.find(Locator::LinkText("Add a value assessment")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("params")).await.unwrap();
    fill(&c, "name", "approval time").await;
    c.find(Locator::Id("category")).await.unwrap().select_by_value("time-savings").await.unwrap();
    c.find(Locator::Id("model"))
        .await
        .unwrap()
        .select_by_value("time-saved-per-use")
        .await
        .unwrap();
    fill(&c, "params", "minutes_per_use=4..6..9\nrole=analyst\nestimated_uses=120/week").await;
    // Counted from the first month the dashboard shows, so the table has estimates to round.
    let first = chrono::Utc::now().date_naive() - chrono::Months::new(12);
    fill(&c, "start", &first.format("%Y-%m").to_string()).await;
    let action = c.current_url().await.unwrap().path().to_owned();
    submit(&c, &action, "#lines-h").await;
    let page = main_text(&c).await;
    assert!(page.contains("approval time") && page.contains("time-saved-per-use"), "{page}");
    // The estimated and realized amounts are shown rounded to the cent.
    let table = c.find(Locator::Css("section[aria-labelledby='lines-h'] table")).await.unwrap();
    let text = table.text().await.unwrap();
    let amounts: Vec<&str> = text.split_whitespace().filter(|w| w.contains('.')).collect();
    assert!(!amounts.is_empty() && !text.contains(" 0.00 EUR 0.00 EUR"), "{text}");
    for a in amounts {
        let decimals = a.rsplit('.').next().unwrap_or("");
        assert!(decimals.len() <= 2, "{a} in {text}");
    }

    // The dashboard shows it among the solutions by NPV.
    c.goto(&format!("{base}/")).await.unwrap();
    let top = c.find(Locator::Css("ol.top")).await.unwrap().text().await.unwrap();
    assert!(top.contains("Invoice Approvals") && top.contains("EUR"), "{top}");

    // A story with a script in its title and text shows the script as text and runs nothing.
    c.goto(&format!("{base}/stories/new")).await.unwrap();
    fill(&c, "title", "<script>document.title='owned'</script> Faster approvals").await;
    fill(&c, "problem", "Approvals took days <script>document.body.innerHTML='owned'</script>")
        .await;
    fill(&c, "solution", "An **app** on the platform").await;
    submit(&c, "/stories", "#fig-h").await;
    let title = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(title, "<script>document.title='owned'</script> Faster approvals");
    let page = main_text(&c).await;
    assert!(page.contains("<script>document.body.innerHTML='owned'</script>"), "{page}");
    // Had the script run, the title would be just "owned".
    let tab = c.title().await.unwrap();
    assert!(tab.starts_with("<script>document.title='owned'</script>"), "{tab}");
    assert_eq!(c.find_all(Locator::Css("main script")).await.unwrap().len(), 0);

    // Its author edits the draft: the lines typed in a textarea keep their Markdown meaning.
    c.find(Locator::LinkText("Edit the draft")).await.unwrap().click().await.unwrap();
    let problem = c.wait().for_element(Locator::Id("problem")).await.unwrap();
    problem.clear().await.unwrap();
    fill(&c, "problem", "Approvals took days, for two reasons:\n\n- paper forms\n- lost emails")
        .await;
    let save = c.find(Locator::Css("form[action$='/edit'] button[type='submit']")).await.unwrap();
    save.click().await.unwrap();
    c.wait().for_element(Locator::Css("#fig-h")).await.unwrap();
    let items = c.find_all(Locator::Css("article section .md ul li")).await.unwrap();
    let mut reasons = Vec::new();
    for item in items {
        reasons.push(item.text().await.unwrap());
    }
    assert_eq!(reasons, ["paper forms", "lost emails"]);

    c.close().await.unwrap();
}
