//! Where a report goes: stdout, or `--output PATH`. Reports are streamed through a buffer: an
//! account-wide report can be gigabytes.
//!
//! What `PATH` is decides how it is written:
//! - a regular file (or a symlink to one), or a path that does not exist yet: atomically, into a
//!   temporary file next to the target, synced, then renamed over it, so that a scheduled job
//!   that dies never leaves half a report. A replaced file keeps its permissions (and, where the
//!   process may, its owner); a symlink stays a symlink and its target is replaced.
//! - a character device or a FIFO (`/dev/null`, `/dev/stdout`, a pipe a job reads): written
//!   straight into, never replaced (renaming over a device node as root would destroy it).
//! - a directory, block device or socket: refused.
//!
//! A run ended by SIGTERM, SIGINT or SIGHUP (what job timeouts and Ctrl-C send) while a
//! temporary file exists removes it first, then dies of the signal as it would have.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::Context;

/// Writes `bytes` to `path` (see the module documentation), or to stdout when `path` is `None`.
pub fn write_report(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    write_report_streamed(path, |out| out.write_all(bytes))
}

/// Streams a report produced by `write` to stdout, or to `path`.
pub fn write_report_streamed(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match path {
        None => {
            let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(path) => {
            write_to_path(path, write).with_context(|| format!("cannot write `{}`", path.display()))
        }
    }
}

/// What `--output` names.
enum Target {
    /// A new path, or a regular file (the symlink resolved) with its metadata.
    Replace {
        path: PathBuf,
        existing: Option<std::fs::Metadata>,
    },
    /// A character device or FIFO.
    Stream,
}

fn target_of(path: &Path) -> anyhow::Result<Target> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == ErrorKind::NotFound => {
            // A dangling symlink: write its target, keep the link.
            let path = match std::fs::read_link(path) {
                Ok(link) => path.parent().unwrap_or(Path::new(".")).join(link),
                Err(_) => path.to_path_buf(),
            };
            return Ok(Target::Replace {
                path,
                existing: None,
            });
        }
        Err(error) => return Err(error.into()),
    };
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(Target::Replace {
            path: std::fs::canonicalize(path)?,
            existing: Some(metadata),
        });
    }
    if kind.is_dir() {
        anyhow::bail!("it is a directory: name a file for the report");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_fifo() {
            return Ok(Target::Stream);
        }
    }
    anyhow::bail!("not a regular file, character device or FIFO: not written")
}

fn write_to_path(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match target_of(path)? {
        Target::Stream => {
            let file = OpenOptions::new().write(true).open(path)?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Target::Replace { path, existing } => write_atomically(&path, existing.as_ref(), write),
    }
}

fn write_atomically(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".secaudit-report-");
    // A new report gets the usual mode of a new file (0666 less the umask), not 0600.
    #[cfg(unix)]
    let new_mode = {
        use std::os::unix::fs::PermissionsExt;
        Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(new_mode);
    let (temp, guard) = TempGuard::create(|| builder.tempfile_in(dir))?;
    if let Some(existing) = existing {
        keep_owner_and_mode(temp.as_file(), existing)?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, temp);
    write(&mut out)?;
    let temp = out.into_inner().map_err(|e| e.into_error())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    drop(guard);
    Ok(())
}

/// Gives the temporary file the replaced file's permissions and, when allowed (as root), its
/// owner and group.
fn keep_owner_and_mode(file: &File, existing: &std::fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Not allowed for an unprivileged user unless it owns the file already: then nothing
        // changes anyway.
        let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
    }
    file.set_permissions(existing.permissions())
}

/// The temporary report files being written, removed if a terminating signal arrives.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers a temporary file for removal on SIGTERM, SIGINT or SIGHUP while it lives.
struct TempGuard {
    path: PathBuf,
}

impl TempGuard {
    /// Creates the temporary file with `create` and registers it, holding the registry's lock
    /// meanwhile so that a signal arriving in between still finds it.
    fn create(
        create: impl FnOnce() -> std::io::Result<tempfile::NamedTempFile>,
    ) -> std::io::Result<(tempfile::NamedTempFile, TempGuard)> {
        install_signal_cleanup();
        let mut paths = IN_FLIGHT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let temp = create()?;
        paths.push(temp.path().to_path_buf());
        let guard = TempGuard {
            path: temp.path().to_path_buf(),
        };
        Ok((temp, guard))
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        let mut paths = IN_FLIGHT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        paths.retain(|path| *path != self.path);
    }
}

/// Starts, once, a thread that on SIGTERM, SIGINT or SIGHUP removes the temporary files in
/// flight, then ends the process as the signal would have.
fn install_signal_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])
            else {
                return;
            };
            let spawned = std::thread::Builder::new()
                .name("report-cleanup".to_owned())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        let paths = IN_FLIGHT
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        for path in paths.iter() {
                            let _ = std::fs::remove_file(path);
                        }
                        let _ = signal_hook::low_level::emulate_default_handler(signal);
                        std::process::exit(128 + signal);
                    }
                });
            if spawned.is_err() {
                tracing::debug!("no signal cleanup thread: a killed run may leave a temp file");
            }
        }
    });
}
