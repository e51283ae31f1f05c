//! Counts the HTTP requests the read adapters send (retries included), so the benchmarks can
//! show that one refresh costs the same number of calls however many metrics it charts.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::atomic::{AtomicU64, Ordering};

static SENT: AtomicU64 = AtomicU64::new(0);

/// Requests sent so far by clients built with [`Counter`].
pub fn sent() -> u64 {
    SENT.load(Ordering::Relaxed)
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
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        SENT.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
