//! The HTTP API: routes, handlers and the request log.

use crate::db::{self, Inserted};
use crate::domain::{Accepted, IdempotencyKey, Identifier, Message, NewMessage, NewMessageRequest};
use crate::error::ApiError;
use crate::idempotency::{self, Begin};
use crate::writer::Writer;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The largest request body read at all (a 256 KiB message body can take more as escaped JSON).
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;
/// The default and the largest page of `GET /channels/{channel}/messages`.
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;

/// The OpenAPI document (service/openapi.json).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    writer: Writer,
    idempotency: Option<idempotency::Store>,
    migrated: AtomicBool,
}

impl AppState {
    /// `writers`: writer tasks of the group commit (see [`crate::writer`]).
    pub fn new(pool: PgPool, idempotency: Option<idempotency::Store>, writers: usize) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                writer: Writer::start(pool.clone(), writers),
                pool,
                idempotency,
                migrated: AtomicBool::new(false),
            }),
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    /// Called once the migrations are applied: until then /readyz says 503.
    pub fn set_migrated(&self) {
        self.inner.migrated.store(true, Ordering::Release);
    }

    pub fn is_migrated(&self) -> bool {
        self.inner.migrated.load(Ordering::Acquire)
    }
}

/// The router: health endpoints always, the message API when `serve_api`.
pub fn router(state: AppState, serve_api: bool) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi));
    if serve_api {
        router = router
            .route("/messages", post(post_message))
            .route("/messages/{id}", get(get_message))
            .route("/channels/{channel}/messages", get(channel_messages));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn(request_log))
        .with_state(state)
}

/// One JSON log line per request: request id, route, status, latency. The request id comes from
/// `x-request-id` (the ALB's or the client's) or is made here, and is echoed in the response.
async fn request_log(request: Request, next: Next) -> Response {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let started = Instant::now();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "{:x}-{:x}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            )
        });
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let mut response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    if route == "/healthz" || route == "/readyz" {
        tracing::debug!(%request_id, %method, %route, status, latency_ms, "request");
    } else {
        tracing::info!(%request_id, %method, %route, status, latency_ms, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if !state.is_migrated() {
        return Err(ApiError::unavailable(
            "starting: the database migrations are not applied yet (the log says why if this lasts)",
        ));
    }
    db::ping(state.pool())
        .await
        .map_err(|e| ApiError::unavailable(format!("PostgreSQL is not reachable: {e}")))?;
    Ok(Json(Health { status: "ready" }))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let error = match &r {
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_fields",
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        _ => "bad_request",
    };
    ApiError::new(status, error, r.body_text())
}

fn accepted(body: Accepted) -> Response {
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

async fn post_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewMessageRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let key = headers
        .get("idempotency-key")
        .map(|v| IdempotencyKey::parse(v.as_bytes()))
        .transpose()
        .map_err(ApiError::bad_request)?;
    let Json(request) = body.map_err(json_rejection)?;
    let message = NewMessage::try_from(request).map_err(ApiError::validation)?;
    let Some(key) = key else {
        let id = state.inner.writer.insert(message).await?;
        return Ok(accepted(Accepted {
            id,
            status: "accepted".into(),
        }));
    };
    let hash = message.payload_hash();
    let store = state.inner.idempotency.as_ref();
    if let Some(store) = store {
        match store.begin(key.as_str(), &hash).await {
            Ok(Begin::Started) => {}
            Ok(Begin::Completed(response)) => {
                return Ok((
                    StatusCode::ACCEPTED,
                    [(header::CONTENT_TYPE, "application/json")],
                    response,
                )
                    .into_response())
            }
            Ok(Begin::InProgress) => return Err(in_progress()),
            Ok(Begin::PayloadMismatch) => return Err(key_reused()),
            Err(e) => return Err(ApiError::unavailable(e.to_string())),
        }
    }
    let inserted = db::insert_message(state.pool(), &message, Some((key.as_str(), &hash))).await;
    let id = match inserted {
        Ok(Inserted::Created(id))
        | Ok(Inserted::Existing {
            id,
            same_payload: true,
        }) => id,
        Ok(Inserted::Existing { .. }) => {
            release(store, &key).await;
            return Err(key_reused());
        }
        Err(e) => {
            release(store, &key).await;
            return Err(e.into());
        }
    };
    let body = Accepted {
        id,
        status: "accepted".into(),
    };
    if let Some(store) = store {
        let json = serde_json::to_string(&body).expect("Accepted serialises");
        // The message is committed: a failure here only means a retry meets IN_PROGRESS (409) until
        // the record's in-progress time runs out, then PostgreSQL's unique key answers it.
        if let Err(e) = store.complete(key.as_str(), &json).await {
            tracing::warn!(error = %e, "idempotency record not completed");
        }
    }
    Ok(accepted(body))
}

async fn release(store: Option<&idempotency::Store>, key: &IdempotencyKey) {
    if let Some(store) = store {
        if let Err(e) = store.release(key.as_str()).await {
            tracing::warn!(error = %e, "idempotency record not released");
        }
    }
}

fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_key_in_progress",
        "a request with this Idempotency-Key is still in progress: retry later",
    )
}

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "this Idempotency-Key was used with another request body: use a new key",
    )
}

fn parse_id(path: Result<Path<String>, PathRejection>) -> Result<i64, ApiError> {
    let Path(raw) = path.map_err(|r| ApiError::bad_request(r.body_text()))?;
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request("message id must be a positive integer"))
}

async fn get_message(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Message>, ApiError> {
    let id = parse_id(path)?;
    db::get_message(state.pool(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no message {id}")))
}

#[derive(Debug, Deserialize)]
pub struct PageParams {
    after: Option<i64>,
    limit: Option<i64>,
}

/// A page of a channel.
#[derive(Debug, Serialize, Deserialize)]
pub struct Page {
    pub messages: Vec<Message>,
    /// The `after` of the next page; null when this page is the last one for now.
    pub next_after: Option<i64>,
}

async fn channel_messages(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<Page>, ApiError> {
    let Path(channel) = path.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let channel = Identifier::parse("channel", &channel).map_err(ApiError::bad_request)?;
    let Query(params) = query.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let after = params.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request(
            "after must be a message id (0 or more)",
        ));
    }
    let limit = params.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_PAGE}"
        )));
    }
    let messages = db::channel_page(state.pool(), channel.as_str(), after, limit).await?;
    let next_after = if messages.len() as i64 == limit {
        messages.last().map(|m| m.id)
    } else {
        None
    };
    Ok(Json(Page {
        messages,
        next_after,
    }))
}
