//! Records the git commit the binary was built from, for `--version`.
//! Building from a source tarball (no git, or not a repository) is fine:
//! the version then shows no commit.

use std::process::Command;

fn main() {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (!text.is_empty()).then_some(text)
    };
    // A commit passed in (a container build without .git) wins.
    println!("cargo:rerun-if-env-changed=CASESTATUS_SYNC_GIT_COMMIT");
    let given = std::env::var("CASESTATUS_SYNC_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty());
    if let Some(commit) = given.or_else(|| git(&["rev-parse", "--short", "HEAD"])) {
        println!(
            "cargo:rustc-env=CASESTATUS_SYNC_GIT_COMMIT={}",
            commit.trim()
        );
    }
    // The man pages' date: the commit's day, so one commit makes one page.
    if let Some(day) = git(&["log", "-1", "--format=%cs"]) {
        println!("cargo:rustc-env=CASESTATUS_SYNC_GIT_DATE={day}");
    }
    // Rebuild when HEAD moves (a commit, a checkout); works in worktrees,
    // whose git directory is not ./.git.
    for file in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
