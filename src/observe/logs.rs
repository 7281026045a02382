//! Log capture: reads a stream (the stub child's stdout) or follows a growing file line by
//! line and hands each line to a sink. No judging here. Memory is bounded per line: a longer
//! line is cut at [`MAX_LINE_BYTES`], still delivered, and flagged.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeekExt, BufReader};

use crate::evidence::LogLine;

/// Longest line kept whole (bytes); the rest of a longer line is skipped.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Appended to a line that was cut, so the cut is visible wherever the text goes.
pub const TRUNCATED_MARKER: &str = " …[truncated by obsgate]";

/// How often [`tail_file`] looks for new data.
const TAIL_POLL: Duration = Duration::from_millis(100);

/// One captured line with what capture knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub line: LogLine,
    /// Bytes dropped from the end of an over-long line (0 when whole).
    pub truncated_bytes: u64,
}

/// Accumulates bytes into lines, cutting over-long ones. Shared by stream and file capture.
struct Splitter {
    max: usize,
    buf: Vec<u8>,
    cut: u64,
    next_line: u64,
}

impl Splitter {
    fn new(max: usize) -> Self {
        Splitter {
            max,
            buf: Vec::new(),
            cut: 0,
            next_line: 1,
        }
    }

    /// Feed bytes, emitting each completed line.
    fn feed(&mut self, mut data: &[u8], sink: &mut impl FnMut(Captured)) {
        while !data.is_empty() {
            let (part, rest, done) = match data.iter().position(|&b| b == b'\n') {
                Some(i) => (
                    data.get(..i).unwrap_or(&[]),
                    data.get(i + 1..).unwrap_or(&[]),
                    true,
                ),
                None => (data, &[][..], false),
            };
            let room = self.max.saturating_sub(self.buf.len());
            let keep = part.len().min(room);
            self.buf.extend_from_slice(part.get(..keep).unwrap_or(&[]));
            self.cut += (part.len() - keep) as u64;
            if done {
                self.emit(sink);
            }
            data = rest;
        }
    }

    fn emit(&mut self, sink: &mut impl FnMut(Captured)) {
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let mut text = String::from_utf8_lossy(&self.buf).into_owned();
        if self.cut > 0 {
            text.push_str(TRUNCATED_MARKER);
        }
        sink(Captured {
            line: LogLine {
                line: self.next_line,
                text,
            },
            truncated_bytes: self.cut,
        });
        self.next_line += 1;
        self.buf.clear();
        self.cut = 0;
    }

    /// Emit a final line that had no newline.
    fn flush(&mut self, sink: &mut impl FnMut(Captured)) {
        if !self.buf.is_empty() || self.cut > 0 {
            self.emit(sink);
        }
    }
}

/// Capture `reader` line by line until EOF; over-long lines end with [`TRUNCATED_MARKER`].
/// A read error ends the capture and is returned (the lines before it were delivered), so a
/// broken stream is reported instead of looking like a quiet target.
pub async fn capture<R: AsyncRead + Unpin>(
    reader: R,
    mut sink: impl FnMut(LogLine),
) -> Result<u64, CaptureError> {
    capture_flagged(reader, MAX_LINE_BYTES, |c| sink(c.line)).await
}

/// A read error that ended a capture after `lines` lines.
#[derive(Debug, thiserror::Error)]
#[error("reading the log stream failed after {lines} lines: {source}")]
pub struct CaptureError {
    pub lines: u64,
    #[source]
    pub source: std::io::Error,
}

/// Capture `reader` line by line with lines cut at `max_line_bytes`, reporting cuts.
/// Returns the number of lines delivered.
pub async fn capture_flagged<R: AsyncRead + Unpin>(
    reader: R,
    max_line_bytes: usize,
    mut sink: impl FnMut(Captured),
) -> Result<u64, CaptureError> {
    let mut reader = BufReader::new(reader);
    let mut split = Splitter::new(max_line_bytes);
    let failure = loop {
        let chunk = match reader.fill_buf().await {
            Ok([]) => break None,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break Some(e),
            Ok(chunk) => chunk,
        };
        let n = chunk.len();
        split.feed(chunk, &mut sink);
        reader.consume(n);
    };
    split.flush(&mut sink);
    let lines = split.next_line - 1;
    match failure {
        None => Ok(lines),
        Some(source) => Err(CaptureError { lines, source }),
    }
}

/// Follow the file at `path` as it grows (like `tail -F` from its start) until `shutdown`
/// completes; a partial last line is delivered at shutdown. Waits for the file to appear and
/// starts over if it is truncated or replaced by a shorter one. Returns an I/O error only for
/// failures other than the file being absent.
pub async fn tail_file(
    path: impl AsRef<Path>,
    mut sink: impl FnMut(LogLine),
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let path = path.as_ref();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut split = Splitter::new(MAX_LINE_BYTES);
    let mut deliver = |c: Captured| sink(c.line);
    let mut file: Option<tokio::fs::File> = None;
    let mut pos: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if file.is_none() {
            match tokio::fs::File::open(path).await {
                Ok(f) => {
                    file = Some(f);
                    pos = 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let mut progressed = false;
        if let Some(f) = file.as_mut() {
            let len = tokio::fs::metadata(path)
                .await
                .map(|m| m.len())
                .unwrap_or(pos);
            if len < pos {
                // Truncated (or rotated to a shorter file): read it again from the start.
                f.seek(std::io::SeekFrom::Start(0)).await?;
                pos = 0;
            }
            let n = f.read(&mut buf).await?;
            if n > 0 {
                pos += n as u64;
                split.feed(buf.get(..n).unwrap_or(&[]), &mut deliver);
                progressed = true;
            }
        }
        if progressed {
            // A file that never stops growing must not keep shutdown from being seen.
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = std::future::ready(()) => {}
            }
        } else {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(TAIL_POLL) => {}
            }
        }
    }
    // Drain what was written before shutdown.
    if let Some(f) = file.as_mut() {
        loop {
            let n = f.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            split.feed(buf.get(..n).unwrap_or(&[]), &mut deliver);
        }
    }
    split.flush(&mut deliver);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_numbered_and_a_final_partial_line_is_kept() {
        let mut got = Vec::new();
        let n = capture(&b"{\"a\":1}\r\nnot json\n\nlast"[..], |l| got.push(l)).await;
        assert_eq!(n.ok(), Some(4));
        let texts: Vec<(u64, &str)> = got.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(
            texts,
            vec![(1, "{\"a\":1}"), (2, "not json"), (3, ""), (4, "last")]
        );
    }

    /// Two lines, then a read error, as a broken pipe gives.
    struct Breaks(bool);
    impl AsyncRead for Breaks {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            if self.0 {
                return std::task::Poll::Ready(Err(std::io::Error::other("stream reset")));
            }
            self.0 = true;
            buf.put_slice(b"one\ntwo\n");
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_read_error_ends_the_capture_and_is_returned() {
        let mut got = Vec::new();
        let e = capture(Breaks(false), |l| got.push(l)).await.err();
        assert_eq!(got.len(), 2);
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e,
            "reading the log stream failed after 2 lines: stream reset"
        );
    }

    #[tokio::test]
    async fn long_lines_are_cut_flagged_and_the_next_line_is_intact() {
        let input = format!("{}\nshort\n", "x".repeat(100));
        let mut got = Vec::new();
        let n = capture_flagged(input.as_bytes(), 10, |c| got.push(c)).await;
        assert_eq!(n.ok(), Some(2));
        assert_eq!(got[0].truncated_bytes, 90);
        assert_eq!(
            got[0].line.text,
            format!("{}{TRUNCATED_MARKER}", "x".repeat(10))
        );
        assert_eq!(
            (got[1].truncated_bytes, got[1].line.text.as_str()),
            (0, "short")
        );
    }

    #[tokio::test]
    async fn invalid_utf8_is_replaced_not_dropped() {
        let mut got = Vec::new();
        assert!(capture(&b"a\xffb\n"[..], |l| got.push(l)).await.is_ok());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, "a\u{fffd}b");
    }

    #[tokio::test]
    async fn tail_follows_a_growing_file_until_shutdown() {
        use tokio::io::AsyncWriteExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("app.log");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (lines_tx, mut lines_rx) = tokio::sync::mpsc::unbounded_channel();
        let p = path.clone();
        let task = tokio::spawn(async move {
            tail_file(
                &p,
                |l| {
                    let _ = lines_tx.send(l);
                },
                async {
                    let _ = rx.await;
                },
            )
            .await
        });
        // The file does not exist yet: tail waits for it.
        let mut f = tokio::fs::File::create(&path)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"one\ntw")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        f.flush().await.unwrap_or_else(|e| panic!("{e}"));
        let first = tokio::time::timeout(Duration::from_secs(10), lines_rx.recv()).await;
        assert_eq!(
            first.ok().flatten().map(|l| l.text),
            Some("one".to_string())
        );
        f.write_all(b"o\nthree")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        f.flush().await.unwrap_or_else(|e| panic!("{e}"));
        let second = tokio::time::timeout(Duration::from_secs(10), lines_rx.recv()).await;
        assert_eq!(
            second.ok().flatten().map(|l| (l.line, l.text)),
            Some((2, "two".to_string()))
        );
        let _ = tx.send(());
        let res = task.await;
        assert!(matches!(res, Ok(Ok(()))));
        let third = lines_rx.recv().await;
        assert_eq!(third.map(|l| l.text), Some("three".to_string()));
    }
}
