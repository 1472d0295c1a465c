//! `--output` writes safely (issue 11, item 4), driven through the built binary: atomically onto
//! regular files and new paths only, straight into FIFOs and character devices (never renamed
//! over), never into a directory, keeping a replaced file's permissions, through symlinks
//! without replacing them, and without leaving a temporary file behind when a job timeout
//! sends SIGTERM, SIGINT or SIGHUP.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use support::root;

const DEMO: &str = "fixtures/snapshots/demo";
const NOW: &str = "2026-11-01T00:00:00Z";

fn audit_command(snapshot: &Path, output: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
    command
        .args(["-q", "audit", "--snapshot"])
        .arg(snapshot)
        .args(["--now", NOW, "--format", "json", "--output"])
        .arg(output)
        .current_dir(root())
        .env_remove("RUST_LOG");
    command
}

fn audit_to(output: &Path) -> Output {
    audit_command(&root().join(DEMO), output).output().unwrap()
}

fn is_report(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|value| value["findings"].is_array())
}

#[test]
fn a_fifo_is_written_into_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let link = dir.path().join("link-to-pipe");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    for target in [&fifo, &link] {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                fs::File::open(fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        let output = audit_to(target);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(is_report(&reader.join().unwrap()));
        assert!(
            fs::metadata(&fifo).unwrap().file_type().is_fifo(),
            "still a FIFO"
        );
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
}

#[test]
fn dev_null_is_written_into_not_replaced() {
    let output = audit_to(Path::new("/dev/null"));
    assert_eq!(output.status.code(), Some(0));
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = audit_to(dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("it is a directory"), "{stderr}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("existing.json");
    fs::write(&existing, "old").unwrap();
    fs::set_permissions(&existing, fs::Permissions::from_mode(0o640)).unwrap();
    let output = audit_to(&existing);
    assert_eq!(output.status.code(), Some(0));
    assert!(is_report(&fs::read_to_string(&existing).unwrap()));
    let mode = fs::metadata(&existing).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    let fresh = dir.path().join("fresh.json");
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 027; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_secaudit"))
        .args([
            "-q",
            "audit",
            "--snapshot",
            DEMO,
            "--now",
            NOW,
            "--format",
            "json",
            "--output",
        ])
        .arg(&fresh)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "0666 less the umask 027");
}

#[test]
fn a_symlink_to_a_regular_file_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let output = audit_to(&link);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(is_report(&fs::read_to_string(&real).unwrap()));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A demo copy with `count` more secrets in us-east-1, so that the report takes a while to
/// write.
fn big_snapshot(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(DEMO), dir.path());
    let file = dir
        .path()
        .join("us-east-1/secretsmanager/list-secrets.json");
    let mut value: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    let list = value["SecretList"].as_array_mut().unwrap();
    for index in 0..count {
        list.push(json!({
            "ARN": format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:bulk/s{index}-AbCdEf"),
            "Name": format!("bulk/s{index}"),
            "CreatedDate": "2026-01-01T00:00:00Z",
            "Tags": [{"Key": "owner", "Value": "team"}]
        }));
    }
    fs::write(&file, value.to_string()).unwrap();
    dir
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap() != "report.json")
        .collect()
}

/// SIGTERM, SIGINT and SIGHUP while the report is being written: the temporary file is
/// removed and the process dies of the signal.
#[test]
fn a_terminating_signal_removes_the_temporary_file() {
    let snapshot = big_snapshot(4000);
    for signal in ["TERM", "INT", "HUP"] {
        let out = tempfile::tempdir().unwrap();
        let mut caught = false;
        for _attempt in 0..5 {
            let report = out.path().join("report.json");
            let mut child = audit_command(snapshot.path(), &report)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let start = Instant::now();
            // Wait for the temporary file, then signal.
            while temp_files(out.path()).is_empty() && start.elapsed() < Duration::from_secs(120) {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            if child.try_wait().unwrap().is_some() {
                let _ = fs::remove_file(&report);
                continue;
            }
            let killed = Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
            let status = child.wait().unwrap();
            if status.success() {
                // Finished before the signal arrived: try again.
                let _ = fs::remove_file(&report);
                continue;
            }
            caught = true;
            assert!(
                temp_files(out.path()).is_empty(),
                "SIG{signal} left a temporary file"
            );
            // The signal may land after the rename: then the report is whole.
            if report.exists() {
                assert!(
                    is_report(&fs::read_to_string(&report).unwrap()),
                    "no half report"
                );
            }
            break;
        }
        assert!(
            caught,
            "never caught the run while it wrote its report (SIG{signal})"
        );
    }
}
