//! The connecting side of the control socket, in `guichetctl`.

use std::io::{self, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::control::{Request, Response, MAX_STATS_REPLY};
use crate::protocol::frame::{read_frame_within, write_frame, FrameError, MAX_LINE};

/// Long enough for a reset with its wipe.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Why `guichetctl` could not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("guichetd is not running (nothing listens on {})", .0.display())]
    Absent(PathBuf),
    #[error("permission denied on {}: run as root or as a member of the staff group", .0.display())]
    Denied(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("guichetd sent an unreadable reply: {0}")]
    Protocol(#[source] FrameError),
    #[error("guichetd closed the connection without a reply")]
    NoReply,
}

/// Sends one request and waits for the response.
pub fn request(socket: &Path, request: &Request) -> Result<Response, ClientError> {
    let stream = UnixStream::connect(socket).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
            ClientError::Absent(socket.to_owned())
        }
        io::ErrorKind::PermissionDenied => ClientError::Denied(socket.to_owned()),
        _ => ClientError::Io {
            path: socket.to_owned(),
            source: e,
        },
    })?;
    let io_err = |source| ClientError::Io {
        path: socket.to_owned(),
        source,
    };
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io_err)?;
    let mut writer = stream.try_clone().map_err(io_err)?;
    // A refused peer gets its reply before it writes; a failed write still lets us read it.
    let _ = write_frame(&mut writer, request);
    let mut reader = BufReader::new(stream);
    // Only a `stats` reply may be larger than a line; it is bounded all the same.
    let max = match request {
        Request::Stats { .. } => MAX_STATS_REPLY,
        _ => MAX_LINE,
    };
    match read_frame_within::<Response>(&mut reader, max) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(ClientError::NoReply),
        Err(e) => Err(ClientError::Protocol(e)),
    }
}
