//! Counts the HTTP requests the read adapters send (retries included) and keeps the longest one,
//! so the benchmarks can show that one refresh costs the same number of calls however many
//! metrics it charts, and that its wall time is that of its slowest call (the reads are
//! concurrent).

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static SENT: AtomicU64 = AtomicU64::new(0);
static SLOWEST_MICROS: AtomicU64 = AtomicU64::new(0);

/// Requests sent so far by clients built with [`Counter`].
pub fn sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// The longest request (send to response headers) since the last [`reset_slowest`].
pub fn slowest() -> Duration {
    Duration::from_micros(SLOWEST_MICROS.load(Ordering::Relaxed))
}

pub fn reset_slowest() {
    SLOWEST_MICROS.store(0, Ordering::Relaxed);
}

#[derive(Debug)]
struct SentAt(Instant);

impl Storable for SentAt {
    type Storer = StoreReplace<Self>;
}

/// The interceptor every read adapter's client carries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counter;

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "stackdeck::calls::Counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        SENT.fetch_add(1, Ordering::Relaxed);
        cfg.interceptor_state().store_put(SentAt(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(SentAt(at)) = cfg.load::<SentAt>() {
            let micros = u64::try_from(at.elapsed().as_micros()).unwrap_or(u64::MAX);
            SLOWEST_MICROS.fetch_max(micros, Ordering::Relaxed);
        }
        Ok(())
    }
}
