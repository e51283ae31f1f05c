//! Small HTTP/1.1 requests to 127.0.0.1 for tests: one answer ([`request`]), or several on one
//! connection ([`Connection`]), with hyper's client; no pool, no retries, bounded in time.

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::HeaderMap;
use std::time::Duration;

/// How long one request may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A request: method, path, headers and body (the `Host` header is added).
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: String,
}

impl<'a> Request<'a> {
    pub fn get(path: &'a str) -> Request<'a> {
        Request {
            method: "GET",
            path,
            ..Default::default()
        }
    }

    /// An AWS call as moto (and the agent) tell services apart: by the signature's credential
    /// scope; moto does not check the signature itself.
    pub fn aws(service: &str, content_type: &str, body: impl Into<String>) -> Request<'a> {
        Request {
            method: "POST",
            path: "/",
            headers: vec![
                ("content-type", content_type.to_owned()),
                (
                    "authorization",
                    format!(
                        "AWS4-HMAC-SHA256 Credential=test/20260101/{}/{service}/aws4_request, \
                         SignedHeaders=host, Signature=0",
                        crate::REGION
                    ),
                ),
            ],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Request<'a> {
        self.headers.push((name, value.into()));
        self
    }
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// One connection to 127.0.0.1:`port`, for requests one after another.
pub struct Connection {
    port: u16,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(port: u16) -> Result<Connection> {
        let stream =
            tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(("127.0.0.1", port)))
                .await
                .context("connecting timed out")?
                .with_context(|| format!("cannot connect to 127.0.0.1:{port}"))?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Connection { port, sender })
    }

    /// Send `request` on this connection and read the whole answer.
    pub async fn send(&mut self, request: &Request<'_>) -> Result<Answer> {
        let mut builder = hyper::Request::builder()
            .method(request.method)
            .uri(request.path)
            .header("host", format!("127.0.0.1:{}", self.port));
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let req = builder.body(Full::new(Bytes::from(request.body.clone())))?;
        let exchange = async {
            self.sender.ready().await?;
            let response = self.sender.send_request(req).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok(Answer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            })
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .with_context(|| format!("{} {} timed out", request.method, request.path))?
    }
}

/// Send one request to 127.0.0.1:`port` on a connection of its own.
pub async fn request(port: u16, request: &Request<'_>) -> Result<Answer> {
    Connection::open(port).await?.send(request).await
}

/// The body of `GET path` on 127.0.0.1:`port` if it answers at all.
pub async fn get(port: u16, path: &str) -> Option<Answer> {
    request(port, &Request::get(path)).await.ok()
}
