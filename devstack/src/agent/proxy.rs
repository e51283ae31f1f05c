//! The local AWS endpoint: a hyper 1 server that forwards every request to moto unchanged, except
//! the operations on the interception list (see [`super::intercept`]).

use super::Agent;
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::http::{request::Parts, HeaderValue, Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The HTTP client the agent forwards with: plain HTTP/1 to moto on loopback, pooled.
pub type MotoClient = Client<HttpConnector, Full<Bytes>>;

pub fn moto_client() -> MotoClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// One AWS call as the agent sees it: the request head, its whole body, and which operation it is.
pub struct Call {
    pub parts: Parts,
    pub body: Bytes,
    pub op: Operation,
}

/// The operation of a call: `X-Amz-Target` for the JSON protocols, the `Action` form field for
/// the Query protocol (only read for CloudWatch, signing name `monitoring`, Elastic Load
/// Balancing, `elasticloadbalancing`, and SNS, `sns`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operation {
    /// Signing name from the Authorization header: `ecs`, `sqs`, `monitoring`, `logs`, …
    pub service: String,
    /// Operation name: `DescribeServices`, `PurgeQueue`, …
    pub name: String,
    /// JSON protocol (`X-Amz-Target`) rather than Query (`Action=`).
    pub json: bool,
}

impl Operation {
    pub fn of(parts: &Parts, body: &[u8]) -> Operation {
        let service = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(signing_name)
            .unwrap_or_default();
        if let Some(target) = parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
        {
            let name = target.rsplit('.').next().unwrap_or(target).to_owned();
            return Operation {
                service,
                name,
                json: true,
            };
        }
        let is_form = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let name = if is_form
            && matches!(
                service.as_str(),
                "monitoring" | "elasticloadbalancing" | "sns"
            ) {
            form_value(body, "Action").unwrap_or_default()
        } else {
            String::new()
        };
        Operation {
            service,
            name,
            json: false,
        }
    }
}

/// `monitoring` from `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/monitoring/aws4_request, …`.
fn signing_name(authorization: &str) -> Option<String> {
    let credential = authorization.split("Credential=").nth(1)?;
    let scope = credential.split([',', ' ']).next()?;
    scope.split('/').nth(3).map(str::to_owned)
}

/// One field of a form-encoded body.
pub fn form_value(body: &[u8], key: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Serve the endpoint on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, agent: Arc<Agent>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("devstack agent: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let agent = agent.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, agent.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    req: Request<Incoming>,
    agent: Arc<Agent>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return Ok(plain(
                StatusCode::BAD_REQUEST,
                format!("cannot read the request: {e}"),
            ))
        }
    };
    let op = Operation::of(&parts, &body);
    let call = Call { parts, body, op };
    let answer = match super::intercept(&agent, &call).await {
        Some(answer) => answer,
        None => agent.forward(&call).await,
    };
    Ok(answer.unwrap_or_else(|e| plain(StatusCode::BAD_GATEWAY, format!("devstack agent: {e:#}"))))
}

/// Send `call` to moto unchanged and return moto's answer.
pub async fn forward(
    client: &MotoClient,
    moto_port: u16,
    call: &Call,
) -> Result<Response<Full<Bytes>>> {
    let path = call
        .parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let mut request = Request::builder()
        .method(call.parts.method.clone())
        .uri(format!("http://127.0.0.1:{moto_port}{path}"));
    for (name, value) in &call.parts.headers {
        if !is_hop_by_hop(name.as_str()) {
            request = request.header(name, value);
        }
    }
    let request = request
        .body(Full::new(call.body.clone()))
        .context("cannot build the request to moto")?;
    let response = client
        .request(request)
        .await
        .with_context(|| format!("moto on 127.0.0.1:{moto_port} did not answer"))?;
    let (mut parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .context("cannot read moto's answer")?
        .to_bytes();
    // moto's server answers `Connection: close` to every request: passed on, it made the agent
    // close every client's connection after one call (a TCP handshake and a new connection task
    // per AWS call, most of the agent's CPU under traffic). Hop-by-hop headers stay on their hop.
    let hop: Vec<_> = parts
        .headers
        .keys()
        .filter(|name| is_hop_by_hop(name.as_str()))
        .cloned()
        .collect();
    for name in hop {
        parts.headers.remove(name);
    }
    Ok(Response::from_parts(parts, Full::new(body)))
}

/// The hop-by-hop headers of RFC 9110 §7.6.1 (and `keep-alive`, `proxy-connection`): they
/// describe one connection, never the message, so a proxy does not forward them.
pub(crate) fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

pub fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
}

/// An answer with `content_type` and `body`.
pub fn answer(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    response.headers_mut().insert(
        "x-amzn-requestid",
        HeaderValue::from_str(&request_id()).expect("ascii"),
    );
    response
}

/// A request id in AWS's shape (a UUID-like string).
pub fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = super::now_secs() as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        t as u32,
        std::process::id() & 0xffff,
        (n >> 12) & 0xfff,
        n & 0xfff,
        n
    )
}

/// The body of a response we got (ours or moto's).
pub async fn body_of(response: Response<Full<Bytes>>) -> (hyper::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    (parts, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = Request::builder().method("POST").uri("/");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    const AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=abc";

    #[test]
    fn query_calls_are_named_by_action_and_json_calls_by_target() {
        let query = parts(&[
            ("authorization", AUTH),
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ]);
        let op = Operation::of(&query, b"Action=DescribeAlarmHistory&Version=2010-08-01");
        assert_eq!(op.service, "monitoring");
        assert_eq!(op.name, "DescribeAlarmHistory");
        assert!(!op.json);

        let json = parts(&[
            ("authorization", &AUTH.replace("monitoring", "ecs")),
            (
                "x-amz-target",
                "AmazonEC2ContainerServiceV20141113.DescribeServices",
            ),
        ]);
        let op = Operation::of(&json, b"{}");
        assert_eq!(
            (op.service.as_str(), op.name.as_str(), op.json),
            ("ecs", "DescribeServices", true)
        );
    }

    #[test]
    fn query_bodies_of_other_services_are_not_parsed() {
        let sts = parts(&[
            ("authorization", &AUTH.replace("monitoring", "sts")),
            ("content-type", "application/x-www-form-urlencoded"),
        ]);
        assert_eq!(Operation::of(&sts, b"Action=GetCallerIdentity").name, "");
    }
}
