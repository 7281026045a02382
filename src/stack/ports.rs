//! Free loopback ports for managed child processes: bind `127.0.0.1:0`, read the port, drop.
//! There is a short window where another process could take the port; the managed stack
//! reports a bind failure of its children as a harness error naming the port.

use crate::exit::AppError;

/// A port that was free on 127.0.0.1 a moment ago.
pub fn free_loopback_port() -> Result<u16, AppError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| AppError::harness(format!("cannot bind a free port on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| AppError::harness(format!("cannot read the bound port: {e}")))?
        .port();
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_a_nonzero_port() {
        let p = free_loopback_port().unwrap_or(0);
        assert_ne!(p, 0);
    }
}
