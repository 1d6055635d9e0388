//! The wipe on hostile trees and process trees, with real files and processes.

mod support;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use guichet::daemon::spawn::ViewPid;
use guichet::daemon::wipe::{delete_tree, end_processes, wipe_leftovers, Leftovers, WipeError};
use nix::unistd::Pid;
use support::eventually;
use support::procs::environ;

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A session dir next to an `outside` dir that must survive.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("keep.txt"), "keep").unwrap();
    let root = tmp.path().join("sessions").join("0123abcd");
    fs::create_dir_all(root.join("profile/deep")).unwrap();
    (tmp, root, outside)
}

#[test]
fn hostile_tree_is_deleted_without_touching_anything_outside() {
    let (tmp, root, outside) = setup();
    symlink("/etc", root.join("profile/etc-link")).unwrap();
    symlink(tmp.path(), root.join("profile/parent-link")).unwrap();
    symlink(&outside, root.join("profile/deep/outside-link")).unwrap();
    symlink(outside.join("keep.txt"), root.join("file-link")).unwrap();
    nix::unistd::mkfifo(&root.join("profile/fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    // Read-only file in a read-only dir, and a dir nobody may open.
    fs::create_dir(root.join("ro")).unwrap();
    fs::write(root.join("ro/file"), "x").unwrap();
    fs::set_permissions(root.join("ro/file"), fs::Permissions::from_mode(0o400)).unwrap();
    fs::set_permissions(root.join("ro"), fs::Permissions::from_mode(0o500)).unwrap();
    fs::create_dir(root.join("closed")).unwrap();
    fs::write(root.join("closed/f"), "x").unwrap();
    fs::set_permissions(root.join("closed"), fs::Permissions::from_mode(0o000)).unwrap();
    let etc_before = fs::read_dir("/etc").unwrap().count();

    let n = delete_tree(&root).unwrap();
    assert!(n >= 11, "{n} entries");
    assert!(
        fs::symlink_metadata(&root).is_err(),
        "session dir still there"
    );
    assert_eq!(
        fs::read_to_string(outside.join("keep.txt")).unwrap(),
        "keep"
    );
    assert!(tmp.path().join("sessions").is_dir());
    assert_eq!(fs::read_dir("/etc").unwrap().count(), etc_before);
    assert!(Path::new("/etc/passwd").exists());
}

#[test]
fn ten_thousand_files_are_deleted() {
    let (_tmp, root, _) = setup();
    for d in 0..100 {
        let dir = root.join(format!("profile/d{d}"));
        fs::create_dir(&dir).unwrap();
        for f in 0..100 {
            fs::write(dir.join(format!("f{f}")), b"canary").unwrap();
        }
    }
    let n = delete_tree(&root).unwrap();
    assert!(n > 10_000);
    assert!(!root.exists());
}

#[test]
fn a_tree_two_thousand_directories_deep_is_deleted() {
    use nix::fcntl::{openat, OFlag};
    use nix::sys::stat::{mkdirat, Mode};
    let (_tmp, root, outside) = setup();
    // Built by descriptors: the path of the deepest folder is longer than PATH_MAX.
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let mut dir = openat(nix::fcntl::AT_FDCWD, &root, flags, Mode::empty()).unwrap();
    for i in 0..2000 {
        mkdirat(&dir, "d", Mode::S_IRWXU).unwrap();
        let next = openat(&dir, "d", flags, Mode::empty()).unwrap();
        if i % 500 == 0 {
            // A few read-only levels on the way, and a link out of the session.
            nix::unistd::symlinkat(outside.as_path(), &next, "out").unwrap();
            nix::sys::stat::fchmod(&next, Mode::S_IRUSR | Mode::S_IXUSR).unwrap();
        }
        dir = next;
    }
    let leaf = openat(
        &dir,
        "leaf.txt",
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_CLOEXEC,
        Mode::S_IRUSR,
    );
    assert!(leaf.is_ok() || matches!(leaf, Err(nix::errno::Errno::EACCES)));
    drop(dir);
    let deleted = delete_tree(&root).expect("a deep tree is wiped");
    assert!(deleted > 2000, "{deleted}");
    assert!(!root.exists());
    assert_eq!(
        fs::read_to_string(outside.join("keep.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn a_missing_directory_is_already_wiped() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(delete_tree(&tmp.path().join("nope")).unwrap(), 0);
}

#[test]
fn a_symlinked_session_dir_is_refused_and_its_target_kept() {
    let (tmp, _root, outside) = setup();
    let fake = tmp.path().join("sessions/fake");
    symlink(&outside, &fake).unwrap();
    assert!(matches!(
        delete_tree(&fake),
        Err(WipeError::RootIsSymlink { .. })
    ));
    assert!(outside.join("keep.txt").exists());
}

#[test]
fn an_immutable_file_fails_the_wipe_without_naming_it() {
    let (_tmp, root, _) = setup();
    let secret = root.join("profile/secret-download-name.pdf");
    fs::write(&secret, "x").unwrap();
    let ok = Command::new("chattr").arg("+i").arg(&secret).status();
    if !ok.is_ok_and(|s| s.success()) {
        eprintln!("SKIP: chattr +i is not supported here");
        return;
    }
    let r = delete_tree(&root);
    let _ = Command::new("chattr").arg("-i").arg(&secret).status();
    let e = r.expect_err("an undeletable file must fail the wipe");
    let text = e.to_string();
    assert!(text.contains("0123abcd"), "{text}");
    assert!(!text.contains("secret-download-name"), "{text}");
    delete_tree(&root).unwrap();
}

#[test]
fn a_bind_mount_inside_is_an_error_and_its_content_survives() {
    let (tmp, root, outside) = setup();
    let mnt = root.join("profile/mnt");
    fs::create_dir(&mnt).unwrap();
    let ok = Command::new("mount")
        .arg("--bind")
        .arg(&outside)
        .arg(&mnt)
        .status();
    if !ok.is_ok_and(|s| s.success()) {
        eprintln!("SKIP: cannot bind mount here (not root?)");
        return;
    }
    let r = delete_tree(&root);
    let _ = Command::new("umount").arg(&mnt).status();
    assert!(matches!(r, Err(WipeError::MountInside { .. })), "{r:?}");
    assert_eq!(
        fs::read_to_string(outside.join("keep.txt")).unwrap(),
        "keep"
    );
    delete_tree(&root).unwrap();
    drop(tmp);
}

/// A process group with a child, and a grandchild that left the group with setsid.
fn spawn_tree(pids_file: &Path) -> ViewPid {
    let script = format!(
        "sleep 600 & echo $! > {f}; setsid sleep 601 & echo $! >> {f}; exec sleep 602",
        f = pids_file.display()
    );
    // Reaped by `end_processes`, which is what the test checks.
    #[allow(clippy::zombie_processes)]
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .process_group(0)
        .spawn()
        .unwrap();
    eventually("both background pids written", || {
        fs::read_to_string(pids_file).is_ok_and(|s| s.lines().count() == 2)
    });
    ViewPid(Pid::from_raw(child.id() as i32))
}

#[test]
fn the_process_group_and_escaped_descendants_are_killed_and_reaped() {
    guichet::sys::become_subreaper().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pids_file = tmp.path().join("pids");
    let leader = spawn_tree(&pids_file);
    let others: Vec<i32> = fs::read_to_string(&pids_file)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert!(others.iter().all(|p| alive(*p)));
    let n = end_processes(leader, Duration::from_millis(200)).unwrap();
    assert_eq!(n, 3);
    assert!(
        !alive(leader.pid().as_raw()),
        "leader left (zombie or alive)"
    );
    for p in others {
        assert!(!alive(p), "descendant {p} survived");
    }
}

#[test]
fn leftovers_and_their_processes_are_wiped_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("sessions/deadbeef");
    fs::create_dir_all(old.join("home")).unwrap();
    fs::write(old.join("home/cookie"), "canary").unwrap();
    fs::write(tmp.path().join("sessions/stray-file"), "x").unwrap();
    // A process from the previous run, with its HOME in the old session.
    let home = old.join("home").to_string_lossy().into_owned();
    let child = Command::new("sleep")
        .arg("600")
        .env("HOME", &home)
        .spawn()
        .unwrap();
    // What wipe_leftovers looks for: the process's environment naming the old session.
    eventually("the leftover's HOME in /proc", || {
        environ(child.id() as i32).contains(&("HOME".to_owned(), home.clone()))
    });
    assert_eq!(
        wipe_leftovers(tmp.path()).unwrap(),
        Leftovers { units: 0, dirs: 2 }
    );
    assert!(!old.exists());
    assert_eq!(
        fs::read_dir(tmp.path().join("sessions")).unwrap().count(),
        0
    );
    // Killed (and reaped by wipe_leftovers, so try_wait may find nothing left to wait for).
    // SIGKILL takes effect asynchronously: the process may still be on its way out for a
    // moment after wipe_leftovers returns (seen once in a fresh-root run).
    let child = std::cell::RefCell::new(child);
    eventually("the leftover process is killed", || {
        match child.borrow_mut().try_wait() {
            Ok(Some(status)) => {
                assert!(!status.success());
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    });
}

/// Live processes in the PID namespace `ns`.
fn in_namespace(ns: u64) -> Vec<i32> {
    use std::os::unix::fs::MetadataExt;
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            fs::metadata(format!("/proc/{pid}/ns/pid")).is_ok_and(|m| m.ino() == ns)
                && support::procs::is_alive(*pid)
        })
        .collect()
}

#[test]
fn a_unit_left_running_is_ended_at_start_even_without_its_session_dir() {
    use std::os::unix::fs::MetadataExt;
    guichet::sys::become_subreaper().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sessions/0badc0de");
    fs::create_dir_all(&dir).unwrap();
    // A unit as a killed guichetd would leave it (its init binds a session dir of this
    // runtime), holding a process that detached, cleared its environment and ignores TERM.
    let mut unit = Command::new("bwrap")
        .args([
            "--unshare-user",
            "--unshare-pid",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
        ])
        .arg("--bind")
        .arg(&dir)
        .arg(&dir)
        .args(["--", "sh", "-c"])
        .arg(
            "setsid env -i sh -c 'trap \"\" TERM HUP; while :; do sleep 1; done' & \
             exec sleep 600",
        )
        .spawn()
        .unwrap();
    let monitor = unit.id() as i32;
    let init = || -> Option<i32> {
        let children =
            fs::read_to_string(format!("/proc/{monitor}/task/{monitor}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    };
    eventually("the unit's init", || init().is_some());
    let ns = fs::metadata(format!("/proc/{}/ns/pid", init().unwrap()))
        .unwrap()
        .ino();
    // bubblewrap's init, the shell turned `sleep 600`, the detached shell and its `sleep`.
    eventually("the detached process runs", || in_namespace(ns).len() >= 3);
    fs::remove_dir(&dir).unwrap();
    let found = wipe_leftovers(tmp.path()).unwrap();
    assert_eq!(found, Leftovers { units: 1, dirs: 0 });
    assert!(in_namespace(ns).is_empty(), "{:?}", in_namespace(ns));
    let _ = unit.wait();
}
