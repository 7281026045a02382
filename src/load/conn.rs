//! The HTTP/1.1 connection layer every driver shares: the stub driver of `obsgate run` (POST,
//! long-poll, fault PUTs) and the benchmark's GET driver. Requests go through hyper's
//! connection API over a pool of keep-alive connections (at most one per request in flight,
//! `TCP_NODELAY`), as oha does: a general client's per-request URL parsing, connector and pool
//! layers cost about as much as the executor itself at tens of thousands of requests a second.
//! `https://` targets go through rustls with the web PKI roots.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::TcpStream;

/// One keep-alive connection's sending half.
type Conn = SendRequest<Full<Bytes>>;

/// Why a request got no answer, as the short reason keys reports count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No TCP (or TLS) connection could be made.
    Connect,
    /// The request or its answer failed on the wire.
    Http,
    /// The answer's body could not be read or was larger than allowed.
    Body,
}

impl Failure {
    /// `connect`, `http_error` or `bad_response`.
    pub fn reason(self) -> &'static str {
        match self {
            Failure::Connect => "connect",
            Failure::Http => "http_error",
            Failure::Body => "bad_response",
        }
    }
}

/// A whole answer: its status and its body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The status with its reason phrase, as `404 Not Found`.
    pub fn status_text(&self) -> String {
        match http::StatusCode::from_u16(self.status) {
            Ok(s) => s.to_string(),
            Err(_) => self.status.to_string(),
        }
    }
}

/// Where the requests go.
#[derive(Debug, Clone)]
struct Endpoint {
    /// `host:port`, connected to and sent as `Host`.
    authority: String,
    /// The TLS server name for `https://`, `None` for plain HTTP.
    tls_name: Option<rustls::pki_types::ServerName<'static>>,
    /// The base URL's path without its trailing `/` (`""` for `http://h:p/`).
    prefix: String,
}

/// Keep-alive connections to one base URL.
pub struct Pool {
    endpoint: Endpoint,
    tls: Option<tokio_rustls::TlsConnector>,
    /// Idle connections: a request takes one (or opens one) and puts it back once its answer
    /// has been read whole.
    idle: Mutex<Vec<Conn>>,
    /// Most idle connections kept; more are closed when their request ends.
    max_idle: usize,
    /// Largest answer body read (bigger answers are a [`Failure::Body`]).
    body_limit_bytes: usize,
}

/// Largest answer body read by default: the stub's answers are a few hundred bytes.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 1 << 20;

impl Pool {
    /// A pool for `base_url` (`http://host:port[/prefix]` or `https://…`) keeping at most
    /// `max_idle` idle connections.
    pub fn new(base_url: &str, max_idle: usize) -> Result<Self, String> {
        let endpoint = parse_base(base_url)?;
        let tls = endpoint.tls_name.as_ref().map(|_| tls_connector());
        Ok(Self {
            endpoint,
            tls,
            idle: Mutex::new(Vec::new()),
            max_idle: max_idle.max(1),
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
        })
    }

    /// A request builder for `method` on `path_and_query` under the base URL, with `Host` set.
    pub fn request(&self, method: http::Method, path_and_query: &str) -> http::request::Builder {
        let mut uri = String::with_capacity(self.endpoint.prefix.len() + path_and_query.len());
        uri.push_str(&self.endpoint.prefix);
        uri.push_str(path_and_query);
        http::Request::builder()
            .method(method)
            .uri(uri)
            .header(http::header::HOST, self.endpoint.authority.as_str())
    }

    /// Send `req` on an idle connection (or a new one) and read the whole answer. A pooled
    /// connection the server closed meanwhile is retried once on a new connection when the
    /// request was not written, so idle timeouts on the server never fail a job.
    pub async fn send(&self, req: http::Request<Full<Bytes>>) -> Result<Answer, Failure> {
        let mut req = req;
        loop {
            let (mut conn, pooled) = match self.take_idle().await {
                Some(c) => (c, true),
                None => (self.connect().await?, false),
            };
            match conn.try_send_request(req).await {
                Ok(resp) => return self.read_answer(conn, resp).await,
                Err(mut e) => match e.take_message() {
                    Some(back) if pooled => req = back,
                    _ => return Err(Failure::Http),
                },
            }
        }
    }

    /// An idle connection that is still open and ready, if any.
    async fn take_idle(&self) -> Option<Conn> {
        loop {
            let mut conn = self.idle.lock().pop()?;
            if conn.ready().await.is_ok() {
                return Some(conn);
            }
        }
    }

    async fn read_answer(
        &self,
        conn: Conn,
        resp: http::Response<hyper::body::Incoming>,
    ) -> Result<Answer, Failure> {
        let status = resp.status().as_u16();
        let body = Limited::new(resp.into_body(), self.body_limit_bytes)
            .collect()
            .await
            .map_err(|_| Failure::Body)?
            .to_bytes();
        // Reused only when the server kept it open (known once the body is read).
        if !conn.is_closed() {
            let mut idle = self.idle.lock();
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
        Ok(Answer { status, body })
    }

    async fn connect(&self) -> Result<Conn, Failure> {
        let tcp = TcpStream::connect(&self.endpoint.authority)
            .await
            .map_err(|_| Failure::Connect)?;
        // Small requests: do not wait for Nagle.
        tcp.set_nodelay(true).map_err(|_| Failure::Connect)?;
        match (&self.tls, &self.endpoint.tls_name) {
            (Some(tls), Some(name)) => {
                let stream = tls
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|_| Failure::Connect)?;
                handshake(stream).await
            }
            _ => handshake(tcp).await,
        }
    }
}

/// HTTP/1.1 over `io`; the connection's own task ends when the connection closes.
async fn handshake<I>(io: I) -> Result<Conn, Failure>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|_| Failure::Connect)?;
    tokio::spawn(conn);
    Ok(sender)
}

fn tls_connector() -> tokio_rustls::TlsConnector {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| b.with_root_certificates(roots).with_no_client_auth());
    // The ring provider supports the default versions; the fallback only guards the API.
    let config = config.unwrap_or_else(|_| {
        rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()
    });
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// `scheme://host[:port][/prefix]` → the endpoint; only `http` and `https`.
fn parse_base(base_url: &str) -> Result<Endpoint, String> {
    let uri: http::Uri = base_url
        .parse()
        .map_err(|e| format!("`{base_url}` is not a URL: {e}"))?;
    let https = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => return Err(format!("`{base_url}`: expected an http:// or https:// URL")),
    };
    let host = uri
        .host()
        .ok_or_else(|| format!("`{base_url}` has no host"))?;
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let authority = if bare.contains(':') {
        format!("[{bare}]:{port}")
    } else {
        format!("{bare}:{port}")
    };
    let tls_name = if https {
        let name = rustls::pki_types::ServerName::try_from(bare.to_string())
            .map_err(|e| format!("`{base_url}`: `{bare}` is not a TLS server name: {e}"))?;
        Some(name)
    } else {
        None
    };
    Ok(Endpoint {
        authority,
        tls_name,
        prefix: uri.path().trim_end_matches('/').to_string(),
    })
}

#[cfg(test)]
#[path = "conn_tests.rs"]
mod tests;
