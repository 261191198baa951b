//! The README's `worth calc` examples are run as written and must print what the README says,
//! so the documentation cannot drift from the binary.

use assert_cmd::Command;

/// One `$ …` line of a console block and the lines it prints.
struct Example {
    command: String,
    output: String,
}

fn examples() -> Vec<Example> {
    let readme = include_str!("../../../README.md");
    let mut out = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```console") {
            in_console = true;
        } else if line.starts_with("```") {
            in_console = false;
        } else if in_console {
            if let Some(command) = line.strip_prefix("$ ") {
                out.push(Example { command: command.to_owned(), output: String::new() });
            } else if let Some(last) = out.last_mut() {
                last.output.push_str(line);
                last.output.push('\n');
            }
        }
    }
    out
}

/// Splits a command line the way a shell would for these examples: single quotes group.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Equal to the README's digits, up to the last bits of a binary float (1e-12 relative).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// JSON values equal, numbers compared with [`close`].
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::{Array, Number, Object};
    match (a, b) {
        (Number(x), Number(y)) => {
            close(x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN))
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Object(x), Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_calc_example_prints_what_the_readme_says() {
    let all = examples();
    assert!(all.len() >= 20, "the README lost its calc examples: {}", all.len());
    for ex in all.iter().filter(|e| e.command.contains("worth calc")) {
        let (stdin, command) = match ex.command.split_once(" | ") {
            Some((echo, cmd)) => {
                let json = words(echo).into_iter().nth(1).expect("echo 'JSON'");
                (Some(json), cmd.to_owned())
            }
            None => (None, ex.command.clone()),
        };
        let args: Vec<String> = words(&command).into_iter().skip(1).collect();
        let mut cmd = Command::cargo_bin("worth").unwrap();
        cmd.args(&args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = cmd.output().unwrap();
        let printed = if out.stdout.is_empty() { out.stderr } else { out.stdout };
        let printed = String::from_utf8(printed).unwrap();
        if ex.output.trim_start().starts_with('{') {
            let want: serde_json::Value = serde_json::from_str(&ex.output).unwrap();
            let got: serde_json::Value = serde_json::from_str(&printed)
                .unwrap_or_else(|e| panic!("{}: {e}: {printed}", ex.command));
            assert!(same(&got, &want), "{}\n got: {got}\nwant: {want}", ex.command);
        } else {
            let (got, want) = (printed.trim_end(), ex.output.trim_end());
            let numbers = got.parse::<f64>().ok().zip(want.parse::<f64>().ok());
            match numbers {
                Some((g, w)) => assert!(close(g, w), "{}: {got} vs {want}", ex.command),
                None => assert_eq!(got, want, "{}", ex.command),
            }
        }
    }
}
