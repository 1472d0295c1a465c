//! Starts one `moto_server` on a free 127.0.0.1 port for the tests of this binary, shared while
//! at least one test holds it and killed by its pid when the last one lets go. Its path comes
//! from `SECAUDIT_MOTO_SERVER` (set by `scripts/test.sh`), else `.venv/bin/moto_server`; when
//! neither exists the tests skip with a message, except under `CI=true`, where they fail.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct MotoServer {
    pub endpoint: String,
    child: Mutex<Child>,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

static SERVER: Mutex<Weak<MotoServer>> = Mutex::new(Weak::new());

fn moto_path() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("SECAUDIT_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    local.exists().then_some(local)
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn start(path: &PathBuf) -> MotoServer {
    let port = free_port();
    let child = Command::new(path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start `{}`: {error}", path.display()));
    let server = MotoServer {
        endpoint: format!("http://127.0.0.1:{port}"),
        child: Mutex::new(child),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen on port {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// The shared server, or `None` (with a message) when moto is not installed outside CI.
pub fn moto() -> Option<Arc<MotoServer>> {
    let Some(path) = moto_path() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "moto_server not found under CI: run `scripts/moto-env.sh` and set SECAUDIT_MOTO_SERVER"
            );
        }
        eprintln!(
            "SKIPPED: moto_server not found (run `scripts/moto-env.sh`, or `scripts/test.sh`)"
        );
        return None;
    };
    let mut slot = SERVER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(server) = slot.upgrade() {
        return Some(server);
    }
    let server = Arc::new(start(&path));
    *slot = Arc::downgrade(&server);
    Some(server)
}
