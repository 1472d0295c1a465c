//! Where a report goes: stdout, or a file written atomically (a temporary file in the same
//! directory, synced, then renamed), so that a scheduled job that dies never leaves half a
//! report. Reports are streamed through a buffer: an account-wide report can be gigabytes.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn write_report(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    write_report_streamed(path, |out| out.write_all(bytes))
}

/// Streams a report produced by `write` to stdout, or atomically to `path`.
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
        Some(path) => write_atomically(path, write)
            .with_context(|| format!("cannot write `{}`", path.display())),
    }
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = BufWriter::with_capacity(1 << 16, temp);
    write(&mut out)?;
    let temp = out.into_inner().map_err(|e| e.into_error())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
