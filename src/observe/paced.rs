//! A reader that says how far it has read: the last instant at which it had read everything
//! its source held (a read came back short, or found nothing to read). Lines read from it can
//! then be stamped with a time that every earlier write is known to precede, which is what
//! the streaming log checks settle a job's end against.

use std::cell::Cell;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, ReadBuf};

/// Wraps `inner`; `read_up_to` holds the last instant the source was found drained.
pub struct Paced<'a, R> {
    inner: R,
    read_up_to: &'a Cell<Instant>,
}

impl<'a, R> Paced<'a, R> {
    pub fn new(inner: R, read_up_to: &'a Cell<Instant>) -> Self {
        Self { inner, read_up_to }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Paced<'_, R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let (before, room) = (buf.filled().len(), buf.remaining());
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let drained = match &polled {
            Poll::Pending => true,
            // A full buffer may have left bytes behind; a short read (or end of file) did not.
            Poll::Ready(Ok(())) => buf.filled().len() - before < room,
            Poll::Ready(Err(_)) => false,
        };
        if drained {
            self.read_up_to.set(Instant::now());
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn only_a_read_that_empties_the_source_moves_the_mark() {
        let t0 = Instant::now();
        let mark = Cell::new(t0);
        let (mut tx, rx) = tokio::io::duplex(64);
        let mut r = Paced::new(rx, &mark);
        tx.write_all(&[b'x'; 64])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut half = [0u8; 32];
        r.read_exact(&mut half)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            mark.get(),
            t0,
            "32 of 64 bytes read: the source is not drained"
        );
        let mut more = [0u8; 48];
        let n = r.read(&mut more).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 32);
        assert!(mark.get() > t0, "a short read drained the source");
    }
}
