use super::*;

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback HTTP/1.1 server that answers every request with `body`, counting accepted
/// connections; with `close`, it closes each connection after one answer.
async fn server(body: &'static str, close: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    // The test requests have no body: one read holds the whole request.
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let conn = if close { "close" } else { "keep-alive" };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: {conn}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(answer.as_bytes()).await.is_err() || close {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), accepted)
}

fn get(pool: &Pool, path: &str) -> http::Request<Full<Bytes>> {
    pool.request(http::Method::GET, path)
        .body(Full::new(Bytes::new()))
        .expect("request")
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let (base, accepted) = server("ok", false).await;
    let pool = Pool::new(&base, 4).expect("pool");
    for _ in 0..5 {
        let a = pool.send(get(&pool, "/")).await.expect("answer");
        assert!(a.is_success());
        assert_eq!(a.status_text(), "200 OK");
        assert_eq!(&a.body[..], b"ok");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one keep-alive connection"
    );
}

#[tokio::test]
async fn a_server_that_closes_each_connection_still_answers_every_request() {
    let (base, accepted) = server("bye", true).await;
    let pool = Pool::new(&base, 4).expect("pool");
    for _ in 0..3 {
        let a = pool.send(get(&pool, "/x")).await.expect("answer");
        assert_eq!(&a.body[..], b"bye");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_body_failure() {
    let (base, _) = server("0123456789", false).await;
    let mut pool = Pool::new(&base, 4).expect("pool");
    pool.body_limit_bytes = 4;
    let err = pool.send(get(&pool, "/")).await.expect_err("too large");
    assert_eq!(err, Failure::Body);
    assert_eq!(err.reason(), "bad_response");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let pool = Pool::new(&format!("http://{addr}"), 4).expect("pool");
    let err = pool.send(get(&pool, "/")).await.expect_err("refused");
    assert_eq!(err.reason(), "connect");
}

#[test]
fn base_urls_are_parsed_with_their_prefix_and_default_ports() {
    let e = parse_base("http://127.0.0.1:8000/").expect("ok");
    assert_eq!(
        (e.authority.as_str(), e.prefix.as_str()),
        ("127.0.0.1:8000", "")
    );
    assert!(e.tls_name.is_none());
    let e = parse_base("https://localhost/api/").expect("ok");
    assert_eq!(
        (e.authority.as_str(), e.prefix.as_str()),
        ("localhost:443", "/api")
    );
    assert!(e.tls_name.is_some());
    let e = parse_base("http://[::1]:9/").expect("ok");
    assert_eq!(e.authority, "[::1]:9");
    let pool = Pool::new("http://127.0.0.1:1/api", 1).expect("pool");
    let req = get(&pool, "/v1/jobs?wait=3");
    assert_eq!(req.uri(), "/api/v1/jobs?wait=3");
    assert_eq!(req.headers()[http::header::HOST], "127.0.0.1:1");
}

#[test]
fn other_schemes_and_garbage_are_refused_with_the_value() {
    for bad in ["ftp://127.0.0.1/", "127.0.0.1:8000", "http://", ""] {
        let err = parse_base(bad).expect_err(bad);
        assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
    }
}
