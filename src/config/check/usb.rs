//! `[usb]`: the mount roots of the take-away's USB copy.

use std::path::{Path, PathBuf};

use super::super::raw;
use super::super::{ConfigError, Usb};
use super::Source;

/// `[usb]`: each mount root an absolute folder, at least one, none twice.
pub(super) fn check_usb(raw: &raw::RawUsb, src: &Source) -> Result<Usb, ConfigError> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for root in &raw.mount_roots {
        let path = root.get_ref();
        let plain = path.is_absolute()
            && path.components().all(|c| {
                matches!(
                    c,
                    std::path::Component::RootDir | std::path::Component::Normal(_)
                )
            });
        if !plain || path == Path::new("/") {
            return Err(src.err(
                root,
                "a USB mount root must be an absolute folder below /, without . or ..",
                "write where the system mounts removable media, e.g. \"/media\"",
            ));
        }
        if roots.contains(path) {
            return Err(src.err(root, "this USB mount root is listed twice", "list it once"));
        }
        roots.push(path.clone());
    }
    if *raw.enabled.get_ref() && roots.is_empty() {
        return Err(src.err(
            &raw.enabled,
            "[usb] enabled needs at least one mount root",
            "leave mount_roots out for the default [\"/media\", \"/run/media\"]",
        ));
    }
    Ok(Usb {
        enabled: *raw.enabled.get_ref(),
        mount_roots: roots,
    })
}
