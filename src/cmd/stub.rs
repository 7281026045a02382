//! `obsgate stub`: resolve the options, bind the address, print `listening on ADDR` on stderr,
//! serve until SIGTERM or Ctrl-C.

use crate::cli::StubArgs;
use crate::exit::{AppError, AppResult, Outcome};
use crate::stub::StubConfig;

/// Entry point of `obsgate stub`.
pub async fn run(args: StubArgs) -> AppResult {
    let config = StubConfig::from_args(&args).map_err(|errs| AppError::usage(errs.join("\n")))?;
    let addr: std::net::SocketAddr = tokio::net::lookup_host(&args.listen)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            AppError::usage(format!(
                "--listen `{}`: not an address (expected HOST:PORT, e.g. 127.0.0.1:8000)",
                args.listen
            ))
        })?;
    if !crate::util::is_loopback_addr(&addr) && config.admin_token.is_none() {
        return Err(AppError::usage(format!(
            "--listen {addr} is not a loopback address: the admin routes need a bearer token; give --admin-token (or OBSGATE_ADMIN_TOKEN)"
        )));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::harness(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| AppError::harness(format!("cannot read the bound address: {e}")))?;
    eprintln!("listening on {local}");
    if args.exit_with_parent {
        exit_with_parent();
    }
    crate::stub::run(listener, config, shutdown_signal())
        .await
        .map_err(|e| AppError::harness(e.to_string()))?;
    Ok(Outcome::Pass)
}

/// Exit when the parent dies: the child is then reparented, so its parent id changes. Polled
/// on a thread of its own, so a busy runtime cannot delay it.
fn exit_with_parent() {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(250));
                if std::os::unix::process::parent_id() != parent {
                    // Not `eprintln!`: stderr is a pipe to the dead parent, and a failed
                    // write would panic this thread instead of exiting.
                    use std::io::Write as _;
                    let _ = writeln!(
                        std::io::stderr(),
                        "obsgate stub: its parent is gone; exiting"
                    );
                    std::process::exit(1);
                }
            }
        });
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
