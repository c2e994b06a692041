//! The oracle's Prometheus metrics, served as text on `GET /metrics`.
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `ens_oracle_eth_head` | gauge | the Ethereum node's latest block |
//! | `ens_oracle_processed_block` | gauge | the last block processed (attested up to) |
//! | `ens_oracle_lag_blocks` | gauge | head minus processed block |
//! | `ens_oracle_lag_seconds` | gauge | now minus the processed block's timestamp |
//! | `ens_oracle_watched_names` | gauge | pending requests plus active links |
//! | `ens_oracle_attestations_sent_total` | counter | attestations included in a block |
//! | `ens_oracle_attestations_refused_total` | counter | included but failed, or ignored by the chain |
//! | `ens_oracle_reorgs_total` | counter | reorgs that reached processed blocks |
//! | `ens_oracle_errors_total` | counter | failed steps (either side down), each retried with backoff |

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

/// The oracle's metrics.
pub struct Metrics {
    /// Latest Ethereum block.
    pub eth_head: Gauge,
    /// Last processed block.
    pub processed_block: Gauge,
    /// Head minus processed.
    pub lag_blocks: Gauge,
    /// Now minus the processed block's timestamp.
    pub lag_seconds: Gauge,
    /// Pending requests plus active links.
    pub watched_names: Gauge,
    /// Attestations included.
    pub attestations_sent: Counter,
    /// Attestations refused or ignored.
    pub attestations_refused: Counter,
    /// Reorgs seen.
    pub reorgs: Counter,
    /// Failed steps.
    pub errors: Counter,
    registry: Registry,
}

impl Metrics {
    /// Metrics registered under `ens_oracle_`.
    pub fn new() -> Arc<Metrics> {
        let mut metrics = Metrics {
            eth_head: Gauge::default(),
            processed_block: Gauge::default(),
            lag_blocks: Gauge::default(),
            lag_seconds: Gauge::default(),
            watched_names: Gauge::default(),
            attestations_sent: Counter::default(),
            attestations_refused: Counter::default(),
            reorgs: Counter::default(),
            errors: Counter::default(),
            registry: Registry::with_prefix("ens_oracle"),
        };
        let registry = &mut metrics.registry;
        registry.register(
            "eth_head",
            "Latest Ethereum block",
            metrics.eth_head.clone(),
        );
        registry.register(
            "processed_block",
            "Last Ethereum block processed",
            metrics.processed_block.clone(),
        );
        registry.register(
            "lag_blocks",
            "Head minus processed block",
            metrics.lag_blocks.clone(),
        );
        registry.register(
            "lag_seconds",
            "Now minus the processed block's timestamp",
            metrics.lag_seconds.clone(),
        );
        registry.register(
            "watched_names",
            "Pending requests plus active links",
            metrics.watched_names.clone(),
        );
        registry.register(
            "attestations_sent",
            "Attestations included in a block",
            metrics.attestations_sent.clone(),
        );
        registry.register(
            "attestations_refused",
            "Attestations that failed or that the chain ignored",
            metrics.attestations_refused.clone(),
        );
        registry.register(
            "reorgs",
            "Reorgs that reached processed blocks",
            metrics.reorgs.clone(),
        );
        registry.register(
            "errors",
            "Failed steps, retried with backoff",
            metrics.errors.clone(),
        );
        Arc::new(metrics)
    }

    /// The OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Serves `metrics` on `addr` until the task is dropped; returns the bound address.
pub async fn serve(
    metrics: Arc<Metrics>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<_>| {
                    let metrics = metrics.clone();
                    async move { Ok::<_, Infallible>(answer(&metrics, request.uri().path())) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), connection).await;
            });
        }
    });
    Ok((local, task))
}

fn answer(metrics: &Metrics, path: &str) -> Response<Full<Bytes>> {
    let (status, content_type, body) = if path == "/metrics" {
        (
            200,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            metrics.encode(),
        )
    } else {
        (
            404,
            "text/plain; charset=utf-8",
            "not found: try /metrics\n".into(),
        )
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_in_the_text() {
        let m = Metrics::new();
        m.attestations_sent.inc();
        m.lag_blocks.set(3);
        let text = m.encode();
        for name in [
            "ens_oracle_eth_head",
            "ens_oracle_processed_block",
            "ens_oracle_lag_blocks 3",
            "ens_oracle_lag_seconds",
            "ens_oracle_watched_names",
            "ens_oracle_attestations_sent_total 1",
            "ens_oracle_attestations_refused_total 0",
            "ens_oracle_reorgs_total",
            "ens_oracle_errors_total",
        ] {
            assert!(text.contains(name), "{name} missing in\n{text}");
        }
    }

    #[test]
    fn only_metrics_is_served() {
        let m = Metrics::new();
        assert_eq!(answer(&m, "/metrics").status(), 200);
        assert_eq!(answer(&m, "/").status(), 404);
    }
}
