//! Reading (and, for tests and tools, writing) the `.devicemetadata-ms`
//! cabinet of a service-metadata package (§2.1), with the `cab` crate.
//!
//! Extraction is defensive: member names use `\` or `/` separators and must
//! stay inside the destination (no absolute paths, drive letters or `..`),
//! names must be unique ignoring case (Windows semantics), and the number
//! of members and their sizes are bounded before anything is written. It
//! must not follow or create symlinks.

use super::error::MetadataError;
use super::package::MAX_FILE;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Most members accepted in one cabinet.
pub const MAX_MEMBERS: usize = 512;
/// Most bytes accepted in all members together (uncompressed).
pub const MAX_TOTAL: u64 = 64 * 1024 * 1024;

/// The relative path of a member name, or why it is refused.
pub fn member_path(name: &str) -> Result<PathBuf, String> {
    let n = name.replace('\\', "/");
    if n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') {
        return Err(format!("{name:?} is an absolute path"));
    }
    let mut p = PathBuf::new();
    for c in n.split('/') {
        match c {
            "" | "." => continue,
            ".." => return Err(format!("{name:?} leaves the package")),
            c if c.contains('\0') => return Err(format!("{name:?} holds a NUL")),
            c => p.push(c),
        }
    }
    if p.as_os_str().is_empty() {
        return Err(format!("{name:?} is empty"));
    }
    Ok(p)
}

/// Extract the cabinet at `cab` into the (existing, empty) directory `dest`.
/// Returns the member paths written.
pub fn extract(cab: &Path, dest: &Path) -> Result<Vec<PathBuf>, MetadataError> {
    let bad = |m: String| MetadataError::Cab {
        path: cab.to_owned(),
        message: m,
    };
    let file = std::fs::File::open(cab).map_err(|e| MetadataError::io(cab, e))?;
    let mut cabinet = cab::Cabinet::new(file).map_err(|e| bad(e.to_string()))?;
    let mut members: Vec<(String, PathBuf)> = Vec::new();
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for folder in cabinet.folder_entries() {
        for f in folder.file_entries() {
            let rel = member_path(f.name()).map_err(bad)?;
            let key = rel.to_string_lossy().to_lowercase();
            if !seen.insert(key) {
                return Err(bad(format!("{:?} appears twice", f.name())));
            }
            let size = u64::from(f.uncompressed_size());
            if size > MAX_FILE {
                return Err(bad(format!(
                    "{:?} is larger than {MAX_FILE} bytes",
                    f.name()
                )));
            }
            total += size;
            members.push((f.name().to_owned(), rel));
        }
    }
    if members.len() > MAX_MEMBERS {
        return Err(bad(format!("more than {MAX_MEMBERS} members")));
    }
    if total > MAX_TOTAL {
        return Err(bad(format!("more than {MAX_TOTAL} bytes uncompressed")));
    }
    if members.is_empty() {
        return Err(bad("the cabinet is empty".into()));
    }
    let mut written = Vec::new();
    for (name, rel) in members {
        let out = dest.join(&rel);
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|e| MetadataError::io(parent, e))?;
        }
        let mut r = cabinet
            .read_file(&name)
            .map_err(|e| bad(format!("{name:?}: {e}")))?;
        let mut data = Vec::new();
        // The header's size was checked; the stream is bounded again in case
        // it disagrees with the header.
        (&mut r)
            .take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("{name:?}: {e}")))?;
        if data.len() as u64 > MAX_FILE {
            return Err(bad(format!("{name:?} is larger than {MAX_FILE} bytes")));
        }
        let mut w = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&out)
            .map_err(|e| MetadataError::io(&out, e))?;
        w.write_all(&data).map_err(|e| MetadataError::io(&out, e))?;
        written.push(rel);
    }
    Ok(written)
}

/// Build a cabinet (MSZIP-compressed, one folder) from `(name, bytes)`
/// members; names use `\` like Windows' tools. For tests and packaging tools.
pub fn build(members: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut b = cab::CabinetBuilder::new();
    {
        let folder = b.add_folder(cab::CompressionType::MsZip);
        for (name, _) in members {
            folder.add_file(name.replace('/', "\\"));
        }
    }
    let mut w = b.build(std::io::Cursor::new(Vec::new()))?;
    let mut i = 0;
    while let Some(mut fw) = w.next_file()? {
        let data = members.get(i).map(|m| m.1).unwrap_or_default();
        fw.write_all(data)?;
        i += 1;
    }
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_cannot_leave_the_destination() {
        assert_eq!(
            member_path("ServiceInformation\\en-US\\ServiceInfo.xml").unwrap(),
            PathBuf::from("ServiceInformation/en-US/ServiceInfo.xml")
        );
        assert!(member_path("..\\x").is_err());
        assert!(member_path("a/../../x").is_err());
        assert!(member_path("/etc/passwd").is_err());
        assert!(member_path("C:\\x").is_err());
        assert!(member_path("").is_err());
    }
}
