//! Framing shared by both protocols: one JSON value per line, bounded before allocating.
//!
//! The view protocol ([`super::view`]) and the control protocol ([`super::control`]) both send
//! one message per line. A line longer than [`MAX_LINE`] is an error, found while reading and
//! before anything is allocated for it, so a confused or hostile peer cannot exhaust memory;
//! the rest of such a line is skipped so the stream stays usable.

use std::io::{self, BufRead, Read, Write};

use serde::{de::DeserializeOwned, Serialize};

/// Longest accepted line, newline included.
pub const MAX_LINE: usize = 16 * 1024;

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("line longer than the protocol allows")]
    TooLong,
    #[error("malformed message: {0}")]
    Malformed(#[source] serde_json::Error),
    #[error("read failed: {0}")]
    Io(#[from] io::Error),
}

/// Reads one message; `Ok(None)` at end of stream. On `TooLong` the rest of the line is
/// discarded so the stream stays usable.
pub fn read_frame<T: DeserializeOwned>(reader: &mut impl BufRead) -> Result<Option<T>, FrameError> {
    read_frame_within(reader, MAX_LINE)
}

/// [`read_frame`] with another bound than [`MAX_LINE`] (a reply known to be larger, such as
/// `stats`): the line is read `max` bytes at most, never more, whatever the peer sends.
pub fn read_frame_within<T: DeserializeOwned>(
    reader: &mut impl BufRead,
    max: usize,
) -> Result<Option<T>, FrameError> {
    match read_line_within(reader, max)? {
        None => Ok(None),
        Some(line) => serde_json::from_slice(&line)
            .map(Some)
            .map_err(FrameError::Malformed),
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes (with its newline); `Ok(None)` at end of
/// stream. On `TooLong` the rest of the line is discarded so the stream stays usable.
pub fn read_line(reader: &mut impl BufRead) -> Result<Option<Vec<u8>>, FrameError> {
    read_line_within(reader, MAX_LINE)
}

fn read_line_within(reader: &mut impl BufRead, max: usize) -> Result<Option<Vec<u8>>, FrameError> {
    let mut line = Vec::new();
    let n = (&mut *reader)
        .take(max as u64)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && n == max {
        skip_line(reader)?;
        return Err(FrameError::TooLong);
    }
    Ok(Some(line))
}

fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                reader.consume(len);
            }
        }
    }
}

/// Writes one message as a line and flushes.
pub fn write_frame<T: Serialize>(writer: &mut impl Write, msg: &T) -> io::Result<()> {
    let mut line = serde_json::to_vec(msg).map_err(io::Error::other)?;
    line.push(b'\n');
    writer.write_all(&line)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::view::FromView;
    use std::io::Cursor;

    #[test]
    fn frames_are_bounded_and_the_stream_recovers() {
        let mut input = Vec::new();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
        input.extend(b"\n{\"type\":\"ready\"}\nnot json\n");
        let mut r = Cursor::new(input);
        assert!(matches!(
            read_frame::<FromView>(&mut r),
            Err(FrameError::TooLong)
        ));
        assert_eq!(
            read_frame::<FromView>(&mut r).unwrap(),
            Some(FromView::Ready)
        );
        assert!(matches!(
            read_frame::<FromView>(&mut r),
            Err(FrameError::Malformed(_))
        ));
        assert_eq!(read_frame::<FromView>(&mut r).unwrap(), None);
    }

    #[test]
    fn a_larger_bound_is_a_bound_too() {
        let big = format!(
            "{{\"type\":\"ok\",\"message\":\"{}\"}}\n",
            "x".repeat(MAX_LINE * 2)
        );
        let msg = |max| {
            read_frame_within::<crate::protocol::control::Response>(
                &mut Cursor::new(big.clone()),
                max,
            )
        };
        assert!(matches!(msg(MAX_LINE), Err(FrameError::TooLong)));
        assert!(matches!(msg(big.len()), Ok(Some(_))));
        assert!(matches!(msg(big.len() - 1), Err(FrameError::TooLong)));
    }
}
