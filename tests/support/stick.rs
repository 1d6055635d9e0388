//! A USB "stick" for the take-away's copy: a real tmpfs mounted on a folder (root needed),
//! unmounted when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The tmpfs mounted on `.0`, unmounted when dropped.
pub struct Stick(pub PathBuf);

impl Stick {
    pub fn mount(dir: &Path) -> Stick {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m,mode=0755", "usbstick"])
            .arg(dir)
            .status()
            .expect("mount")
            .success();
        assert!(ok, "cannot mount the test stick (root needed)");
        Stick(dir.to_owned())
    }
}

impl Drop for Stick {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The names in `dir`, sorted.
pub fn files_on(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}
