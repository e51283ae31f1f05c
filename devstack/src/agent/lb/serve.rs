//! The load balancer's listener: each request to the next healthy target, round robin, on a new
//! connection (a kept connection to a task that is stopping could be closed under a request);
//! the answers of an ALB when no target can answer.

use super::super::proxy::is_hop_by_hop;
use super::super::Agent;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::http::{HeaderValue, Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// How long a target may take to answer (an ALB's default idle timeout).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The header naming the target that answered (`127.0.0.1:<port>`), for people and tests.
pub const TARGET_HEADER: &str = "x-devstack-target";

type TargetClient = Client<HttpConnector, Full<Bytes>>;

/// Bind the listener on 127.0.0.1:`port`; a one-line error when it is taken.
pub async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{port} for the local load balancer ({e}): stop what \
             listens there (`ss -ltnp 'sport = :{port}'` names it), or give `devstack agent` \
             another `--lb-port`"
        )
    })
}

pub async fn serve(listener: TcpListener, agent: Arc<Agent>) {
    let client: TargetClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("devstack agent: lb: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (agent, client) = (agent.clone(), client.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                handle(req, agent.clone(), client.clone(), peer.ip().to_string())
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// An ALB's own answer: `status` with its HTML body.
pub fn elb_answer(status: StatusCode) -> Response<Full<Bytes>> {
    let title = match status.as_u16() {
        502 => "502 Bad Gateway",
        503 => "503 Service Temporarily Unavailable",
        504 => "504 Gateway Time-out",
        _ => status.canonical_reason().unwrap_or("error"),
    };
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    Response::builder()
        .status(status)
        .header("server", "awselb/2.0")
        .header("content-type", "text/html")
        .body(Full::new(Bytes::from(body)))
        .expect("a static answer")
}

async fn handle(
    req: Request<Incoming>,
    agent: Arc<Agent>,
    client: TargetClient,
    peer: String,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|c| c.to_bytes()) else {
        agent.lb.count(400, None);
        return Ok(elb_answer(StatusCode::BAD_REQUEST));
    };
    let Some(port) = agent.lb.pick(&agent) else {
        agent.lb.count(503, None);
        return Ok(elb_answer(StatusCode::SERVICE_UNAVAILABLE));
    };
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(format!("http://127.0.0.1:{port}{path}"));
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name.as_str()) && !name.as_str().starts_with("x-forwarded-") {
            request = request.header(name, value);
        }
    }
    let listen_port = agent.config.lb_port.unwrap_or_default().to_string();
    request = request
        .header("x-forwarded-for", peer)
        .header("x-forwarded-proto", "http")
        .header("x-forwarded-port", listen_port);
    let started = Instant::now();
    let answer = match request.body(Full::new(body)) {
        Ok(request) => tokio::time::timeout(IDLE_TIMEOUT, send(&client, request)).await,
        Err(_) => Ok(None),
    };
    agent.lb.done(port);
    let response = match answer {
        Ok(Some(mut response)) => {
            agent
                .lb
                .count(response.status().as_u16(), Some(started.elapsed()));
            if let Ok(target) = HeaderValue::from_str(&format!("127.0.0.1:{port}")) {
                response.headers_mut().insert(TARGET_HEADER, target);
            }
            response
        }
        // The connection failed or was reset: the ALB's 502.
        Ok(None) => {
            agent.lb.count(502, None);
            elb_answer(StatusCode::BAD_GATEWAY)
        }
        Err(_) => {
            agent.lb.count(504, None);
            elb_answer(StatusCode::GATEWAY_TIMEOUT)
        }
    };
    Ok(response)
}

/// The target's whole answer, its hop-by-hop headers left on their hop; `None` when the
/// connection failed or broke.
async fn send(
    client: &TargetClient,
    request: Request<Full<Bytes>>,
) -> Option<Response<Full<Bytes>>> {
    let response = client.request(request).await.ok()?;
    let (mut parts, body) = response.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    let hop: Vec<_> = (parts.headers.keys())
        .filter(|name| is_hop_by_hop(name.as_str()))
        .cloned()
        .collect();
    for name in hop {
        parts.headers.remove(name);
    }
    Some(Response::from_parts(parts, Full::new(body)))
}
