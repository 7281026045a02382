//! A bare axum handler (`GET /` and `POST /` answer `ok`) for side-by-side load benchmarks:
//! the cheapest possible target, so the numbers measure the load generators, not the server.
//! Usage: `bare_server [ADDR] [WORKER_THREADS]` (default `127.0.0.1:0`, tokio's default
//! threads); prints `listening on ADDR` on stderr.

use axum::Router;
use axum::routing::get;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_string());
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.next().and_then(|s| s.parse::<usize>().ok()) {
        rt.worker_threads(n.max(1));
    }
    rt.enable_all().build()?.block_on(async move {
        let app = Router::new().route("/", get(|| async { "ok" }).post(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
