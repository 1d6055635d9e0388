//! The listening side of the control socket, in guichetd.
//!
//! [`Server::bind`] creates the socket (refusing to replace a live one), sets mode 0660 and the
//! staff group; [`Server::serve`] accepts connections on its own thread, checks the peer's
//! credentials, reads one request with a size limit and a timeout, and hands it to the
//! supervisor's event loop through the `handle` callback, which returns the response.

use std::io::{self, BufReader};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use nix::unistd::{Gid, Group, Uid};

use crate::protocol::control::{Request, Response};
use crate::protocol::frame::{read_frame, write_frame, FrameError};

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

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

/// A bound control socket.
pub(crate) struct Server {
    listener: UnixListener,
    access: Access,
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
        Ok(Server { listener, access })
    }

    /// Accepts connections forever on a new thread; `handle` runs each accepted request.
    pub fn serve<F>(self, handle: F) -> io::Result<()>
    where
        F: Fn(Request) -> Response + Send + Sync + 'static,
    {
        let handle = Arc::new(handle);
        std::thread::Builder::new()
            .name("control".into())
            .spawn(move || {
                for stream in self.listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let access = self.access.clone();
                    let handle = Arc::clone(&handle);
                    let _ = std::thread::Builder::new()
                        .name("control-conn".into())
                        .spawn(move || connection(stream, &access, &*handle));
                }
            })?;
        Ok(())
    }
}

fn connection(stream: UnixStream, access: &Access, handle: &dyn Fn(Request) -> Response) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
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
    let mut reader = BufReader::new(stream);
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
        Err(FrameError::Io(e)) => Response::error(format!("read failed: {e}")),
    };
    let _ = write_frame(&mut writer, &response);
}
