//! The listening side of the control socket, in guichetd.
//!
//! [`Server::bind`] creates the socket (refusing to replace a live one), sets mode 0660 and the
//! staff group; [`Server::serve`] accepts connections on its own thread, checks the peer
//! ([`Access::check`]: never a process inside a session's unit, whatever its uid; then root,
//! guichetd's user or the staff group), reads one request with a size limit and one deadline
//! for the whole request, and hands it to the supervisor's event loop through the `handle`
//! callback, which returns the response.
//!
//! A flood of connections can delay staff replies, never break wipes or spares: at most
//! [`Server::max_connections`] are served at once (one descriptor and one thread each); any
//! more is answered "busy" and closed at once. guichetd raises its descriptor limit to the
//! hard limit at start and sizes that cap so that [`FD_RESERVE`] descriptors always stay free
//! for its own work (views' pipes, wipes, spares, config, logs).

use std::io::{self, BufReader, Read};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use nix::unistd::{Gid, Group, Uid};

use crate::protocol::control::{Request, Response};
use crate::protocol::frame::{read_frame, write_frame, FrameError};

/// How long a client has to send its whole request (one deadline, not one per read).
pub(crate) const REQUEST_DEADLINE: Duration = Duration::from_secs(3);
/// How long writing the reply may take.
const REPLY_DEADLINE: Duration = Duration::from_secs(2);
/// Most connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 32;
/// Descriptors that connections never use: guichetd's own work needs them.
pub(crate) const FD_RESERVE: u64 = 256;
/// Least time between two "busy" warnings in the log.
const BUSY_LOG_EVERY: Duration = Duration::from_secs(10);

/// How many connections may be served at once under a descriptor limit of `nofile`: at most
/// [`MAX_CONNECTIONS`], and never into the [`FD_RESERVE`] (at least one, so that staff can
/// still be served one at a time).
pub(crate) fn connection_cap(nofile: u64) -> usize {
    let room = nofile.saturating_sub(FD_RESERVE).saturating_sub(64);
    usize::try_from(room)
        .unwrap_or(usize::MAX)
        .clamp(1, MAX_CONNECTIONS)
}

/// Who may use the socket.
#[derive(Clone, Debug)]
pub(crate) struct Access {
    pub own_uid: Uid,
    pub staff_group: String,
    /// `None` when the group does not exist: only root and guichetd's user get in.
    pub staff_gid: Option<Gid>,
}

impl Access {
    pub fn new(staff_group: &str) -> Access {
        let staff_gid = Group::from_name(staff_group).ok().flatten().map(|g| g.gid);
        if staff_gid.is_none() {
            tracing::warn!(
                group = staff_group,
                "control: staff group does not exist; only root and guichetd's user may connect"
            );
        }
        Access {
            own_uid: Uid::effective(),
            staff_group: staff_group.to_owned(),
            staff_gid,
        }
    }

    /// Checks the peer of `stream`; the error is the reason, for the log.
    pub fn check(&self, stream: &UnixStream) -> Result<(), String> {
        let cred =
            getsockopt(stream, PeerCredentials).map_err(|e| format!("no credentials: {e}"))?;
        if !in_own_pid_namespace(cred.pid()) {
            return Err(format!(
                "pid {} runs in another PID namespace (a session's unit?), whatever its uid",
                cred.pid()
            ));
        }
        let uid = Uid::from_raw(cred.uid());
        if uid.is_root() || uid == self.own_uid {
            return Ok(());
        }
        if let Some(gid) = self.staff_gid {
            if Gid::from_raw(cred.gid()) == gid {
                return Ok(());
            }
            let groups = crate::sys::peer_groups(stream)
                .map_err(|e| format!("uid {uid} pid {}: no group list: {e}", cred.pid()))?;
            if groups.contains(&gid) {
                return Ok(());
            }
        }
        Err(format!(
            "uid {uid} pid {} is not root, not guichetd's user and not in group {}",
            cred.pid(),
            self.staff_group
        ))
    }
}

/// Whether the process `pid` (as `SO_PEERCRED` gives it) is in guichetd's own PID namespace.
/// A process inside a unit, or in any namespace nested in guichetd's, has more than one entry
/// in the `NSpid` line of `/proc/<pid>/status` (which anyone may read, unlike `ns/pid`); one in
/// a namespace guichetd cannot see at all comes with pid 0.
fn in_own_pid_namespace(pid: i32) -> bool {
    let depth = |pid: &str| -> Option<usize> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
        Some(line.split_whitespace().count())
    };
    pid > 0 && depth(&pid.to_string()).is_some_and(|d| Some(d) == depth("self"))
}

/// A bound control socket.
pub(crate) struct Server {
    listener: UnixListener,
    access: Access,
    max_connections: usize,
}

impl Server {
    /// Binds `path` (mode 0660, group of `access`), replacing a stale socket file.
    pub fn bind(path: &Path, access: Access) -> io::Result<Server> {
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(io::Error::other(format!(
                    "{} exists and is not a socket",
                    path.display()
                )));
            }
            if UnixStream::connect(path).is_ok() {
                return Err(io::Error::other(format!(
                    "{}: another guichetd is listening there",
                    path.display()
                )));
            }
            std::fs::remove_file(path)?;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        if let Some(gid) = access.staff_gid {
            nix::unistd::chown(path, None, Some(gid)).map_err(|e| match e {
                nix::errno::Errno::EPERM => {
                    let user = nix::unistd::User::from_uid(Uid::effective())
                        .ok()
                        .flatten()
                        .map_or_else(|| Uid::effective().to_string(), |u| u.name);
                    io::Error::other(format!(
                        "cannot give the control socket to the staff group \"{group}\": \
                         guichetd's user {user} is not a member of it. Add it with \
                         `adduser {user} {group}` (as root), then start guichetd again",
                        group = access.staff_group
                    ))
                }
                other => io::Error::from(other),
            })?;
        }
        Ok(Server {
            listener,
            access,
            max_connections: MAX_CONNECTIONS,
        })
    }

    /// Serves at most `n` connections at once (see [`connection_cap`]).
    pub fn max_connections(mut self, n: usize) -> Server {
        self.max_connections = n.max(1);
        self
    }

    /// Accepts connections forever on a new thread; `handle` runs each accepted request.
    pub fn serve<F>(self, handle: F) -> io::Result<Served>
    where
        F: Fn(Request) -> Response + Send + Sync + 'static,
    {
        let handle = Arc::new(handle);
        let active = Arc::new(AtomicUsize::new(0));
        let served = Served(Arc::clone(&active));
        std::thread::Builder::new()
            .name("control".into())
            .spawn(move || {
                let mut busy_logged: Option<Instant> = None;
                for stream in self.listener.incoming() {
                    let stream = match stream {
                        Ok(s) => s,
                        Err(e) => {
                            // Out of descriptors or memory: wait rather than spin.
                            tracing::warn!("control: accept failed: {e}");
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    };
                    if active.load(Ordering::Acquire) >= self.max_connections {
                        if busy_logged.is_none_or(|t| t.elapsed() >= BUSY_LOG_EVERY) {
                            busy_logged = Some(Instant::now());
                            tracing::warn!(
                                max = self.max_connections,
                                "control: too many connections at once; the others get \"busy\""
                            );
                        }
                        busy(stream);
                        continue;
                    }
                    let slot = Slot::take(&active);
                    let access = self.access.clone();
                    let handle = Arc::clone(&handle);
                    // If the thread cannot start, the closure (and the slot) is dropped.
                    let _ = std::thread::Builder::new()
                        .name("control-conn".into())
                        .spawn(move || {
                            let _slot = slot;
                            connection(stream, &access, &*handle)
                        });
                }
            })?;
        Ok(served)
    }
}

/// The connections [`Server::serve`] is serving.
pub(crate) struct Served(Arc<AtomicUsize>);

impl Served {
    /// Waits, at most `within`, until no connection is being served: a stopping guichetd
    /// writes the replies it has given (`restart`'s above all) before the process ends.
    pub fn drain(&self, within: Duration) {
        let until = Instant::now() + within;
        while self.0.load(Ordering::Acquire) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// One of the connections being served; gives its place back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(active: &Arc<AtomicUsize>) -> Slot {
        active.fetch_add(1, Ordering::AcqRel);
        Slot(Arc::clone(active))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers "busy" without waiting for the client, and closes.
fn busy(stream: UnixStream) {
    let _ = stream.set_nonblocking(true);
    let mut writer = &stream;
    let _ = write_frame(
        &mut writer,
        &Response::error("busy: too many control connections at once, try again"),
    );
}

/// The stream, read against one deadline for everything read through it.
struct Deadline<'a> {
    stream: &'a UnixStream,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request did not arrive in time",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

fn connection(stream: UnixStream, access: &Access, handle: &dyn Fn(Request) -> Response) {
    let _ = stream.set_write_timeout(Some(REPLY_DEADLINE));
    let mut writer = &stream;
    if let Err(why) = access.check(&stream) {
        tracing::warn!("control: refused connection: {why}");
        let _ = write_frame(
            &mut writer,
            &Response::error(format!(
                "refused: only root and members of group {} may control this terminal",
                access.staff_group
            )),
        );
        return;
    }
    let mut reader = BufReader::new(Deadline {
        stream: &stream,
        until: Instant::now() + REQUEST_DEADLINE,
    });
    let response = match read_frame::<Request>(&mut reader) {
        Ok(Some(request)) => handle(request),
        Ok(None) => return,
        Err(FrameError::TooLong) => Response::error(format!(
            "request longer than {} bytes",
            crate::protocol::frame::MAX_LINE
        )),
        Err(FrameError::Malformed(e)) => {
            tracing::info!("control: unreadable request refused");
            Response::error(format!("unreadable request: {e}"))
        }
        Err(FrameError::Io(e)) if is_timeout(&e) => {
            Response::error("the request did not arrive in time")
        }
        Err(FrameError::Io(e)) => Response::error(format!("read failed: {e}")),
    };
    let _ = write_frame(&mut writer, &response);
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_never_eat_into_the_reserve() {
        assert_eq!(connection_cap(1_048_576), MAX_CONNECTIONS);
        assert_eq!(connection_cap(1024), MAX_CONNECTIONS);
        assert_eq!(connection_cap(FD_RESERVE + 64 + 10), 10);
        assert_eq!(connection_cap(100), 1);
    }

    #[test]
    fn guichetd_itself_is_in_its_own_namespace_and_pid_0_is_not() {
        assert!(in_own_pid_namespace(std::process::id() as i32));
        assert!(!in_own_pid_namespace(0));
    }
}
