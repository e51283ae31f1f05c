//! devstack's HTTP client: one request at a time to a local peer (moto's readiness page, a
//! courier task's `/readyz` and `/healthz`, traffic's `POST /messages`), with hyper's client, no
//! connection pool, bounded in time.

use anyhow::{anyhow, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::http::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// `GET url`: the status and the whole body, within `timeout` (connection included).
pub async fn get(url: &str, timeout: Duration) -> Result<(StatusCode, Bytes)> {
    send(Request::get(url).body(Full::default())?, timeout).await
}

/// `POST url` of a JSON `body` with extra `headers`: the status and the whole body, within
/// `timeout` (connection included).
pub async fn post_json(
    url: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
    timeout: Duration,
) -> Result<(StatusCode, Bytes)> {
    let mut request = Request::post(url).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(
        request.body(Full::new(Bytes::from(body.to_string())))?,
        timeout,
    )
    .await
}

/// [`get`] for callers outside async code (or inside it, but unable to await): it runs on a
/// thread and runtime of its own.
pub fn get_blocking(url: &str, timeout: Duration) -> Result<(StatusCode, Bytes)> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(get(&url, timeout))
    })
    .join()
    .map_err(|_| anyhow!("the HTTP request's thread panicked"))?
}

async fn send(mut request: Request<Full<Bytes>>, timeout: Duration) -> Result<(StatusCode, Bytes)> {
    let what = format!("{} {}", request.method(), request.uri());
    // One connection per request, closed after the answer, as a probe wants.
    request
        .headers_mut()
        .insert("connection", "close".parse().expect("a header value"));
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http();
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok((status, body))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| anyhow!("{what}: no answer within {timeout:?}"))?
        .map_err(|e| anyhow!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A peer that answers one request with `answer` and returns what it read.
    fn peer(answer: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap();
            stream.write_all(answer.as_bytes()).unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        (port, handle)
    }

    #[test]
    fn a_blocking_get_returns_status_and_body() {
        let (port, peer) = peer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        let (status, body) = get_blocking(
            &format!("http://127.0.0.1:{port}/readyz"),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!((status, &body[..]), (StatusCode::OK, &b"ok"[..]));
        assert!(peer.join().unwrap().starts_with("GET /readyz HTTP/1.1\r\n"));
    }

    #[tokio::test]
    async fn a_post_sends_json_and_its_headers() {
        let (port, peer) = peer("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n");
        let url = format!("http://127.0.0.1:{port}/messages");
        let body = serde_json::json!({"n": 1});
        let (status, _) = post_json(
            &url,
            &[("idempotency-key", "k")],
            &body,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert_eq!(status, StatusCode::ACCEPTED);
        let request = peer.join().unwrap().to_lowercase();
        assert!(
            request.starts_with("post /messages http/1.1\r\n"),
            "{request}"
        );
        assert!(request.contains("idempotency-key: k\r\n"), "{request}");
        assert!(request.ends_with("\r\n\r\n{\"n\":1}"), "{request}");
    }

    #[tokio::test]
    async fn a_silent_peer_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        assert!(get(&url, Duration::from_millis(200)).await.is_err());
    }
}
