//! Which mounts are sticks: one or two levels below a mount root, escapes decoded.

use super::*;

const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:26 / /media rw shared:2 - tmpfs tmpfs rw
31 30 8:17 / /media/STICK rw,nosuid shared:3 - vfat /dev/sdb1 rw
32 30 8:33 / /media/guichet/MY\\040KEY rw,nosuid shared:4 - vfat /dev/sdc1 rw
33 30 8:49 / /media/guichet/a/too-deep rw shared:5 - vfat /dev/sdd1 rw
34 22 8:65 / /run/media/guichet/DOCS rw shared:6 - exfat /dev/sde1 rw
35 22 8:81 / /mediatheque/X rw shared:7 - vfat /dev/sdf1 rw
36 22 0:40 / /run/user/0 rw shared:8 - tmpfs tmpfs rw
";

#[test]
fn sticks_are_mounts_one_or_two_levels_below_a_root() {
    let roots = vec![PathBuf::from("/media"), PathBuf::from("/run/media")];
    assert_eq!(
        sticks_in(MOUNTINFO, &roots),
        [
            PathBuf::from("/media/STICK"),
            PathBuf::from("/media/guichet/MY KEY"),
            PathBuf::from("/run/media/guichet/DOCS"),
        ]
    );
    assert!(sticks_in(MOUNTINFO, &[PathBuf::from("/srv")]).is_empty());
}

#[test]
fn escapes_are_decoded() {
    assert_eq!(unescape("a\\040b\\011c\\134d"), "a b\tc\\d");
    assert_eq!(unescape("plain"), "plain");
    assert_eq!(unescape("bad\\9"), "bad\\9");
}
