//! What the binary's tests share: a workspace in a temporary folder, and the `worth` binary
//! run in it as a user would, with no store or key taken from the environment.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A folder of its own for one test's workspace.
pub(crate) struct Workspace {
    pub(crate) dir: TempDir,
}

impl Workspace {
    /// An empty folder: no workspace yet.
    pub(crate) fn empty() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    /// A folder where `worth init` has run.
    pub(crate) fn new() -> Self {
        let ws = Self::empty();
        ws.ok(&["init"]);
        ws
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `worth ARGS` in the folder, as the actor `tester`.
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("worth").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("WORTH_DB")
            .env_remove("WORTH_KEY_FILE")
            .env("WORTH_ACTOR", "tester")
            .args(args);
        cmd
    }

    /// What `worth ARGS` prints on stdout; it must succeed.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).assert().success().get_output().stdout.clone();
        String::from_utf8(out).unwrap()
    }

    /// What `worth ARGS --format json` prints, parsed.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}
