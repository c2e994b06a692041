//! DNS over TCP with a cap on open connections and an idle timeout.
//!
//! hickory's own TCP listener accepts any number of connections, so a client holding many
//! idle ones could exhaust the node's file descriptors. This loop accepts like hickory does
//! (RFC 1035 length-prefixed messages, answered in order on the connection, through the same
//! [`GhostHandler`]), but holds at most [`DnsLimits::max_tcp_connections`] open: one more is
//! closed as soon as it is accepted (counted in `dns_tcp_refused_connections`), so the listen
//! backlog never fills with connections nobody will serve. A connection that sends nothing for
//! [`DnsLimits::tcp_idle_timeout`] is closed. On stop, every connection is closed.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::StreamExt;
use hickory_server::net::BufDnsStreamHandle;
use hickory_server::net::runtime::iocompat::AsyncIoTokioAsStd;
use hickory_server::net::tcp::TcpStream;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{ResponseHandle, TimeoutStream};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

use super::DnsLimits;
use super::handler::{GhostHandler, answer_raw};
use super::metrics::DnsMetrics;

/// Responses queued per connection before the writer waits (hickory's default is 32).
const RESPONSE_BUFFER: usize = 32;

/// Accepts and serves TCP connections on `listener` until `stop` fires or is dropped. The
/// caller closes the listener (after the UDP sockets, see [`super::serve`]).
pub(super) async fn serve_tcp(
    listener: &TcpListener,
    handler: GhostHandler,
    limits: DnsLimits,
    metrics: DnsMetrics,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_tcp_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::debug!(target: "bridge::dns", %error, "TCP accept failed");
                    continue;
                }
            },
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            metrics.refuse_tcp();
            tracing::debug!(target: "bridge::dns", %peer, "TCP connection cap reached; closing");
            drop(stream);
            continue;
        };
        let handler = handler.clone();
        let idle = limits.tcp_idle_timeout;
        connections.spawn(async move {
            let (messages, responses) = TcpStream::from_stream_with_buffer_size(
                AsyncIoTokioAsStd(stream),
                peer,
                RESPONSE_BUFFER,
            );
            let mut messages = TimeoutStream::new(messages, idle);
            while let Some(Ok(message)) = messages.next().await {
                let (bytes, src) = message.into_parts();
                answer(&handler, bytes, src, responses.clone()).await;
            }
            drop(slot);
        });
    }
    // Dropping the set aborts every open connection.
    connections.shutdown().await;
}

/// Answers one message from `src` (see [`answer_raw`]).
async fn answer(
    handler: &GhostHandler,
    bytes: Vec<u8>,
    src: SocketAddr,
    responses: BufDnsStreamHandle,
) {
    let response = ResponseHandle::new(src, responses, Protocol::Tcp);
    answer_raw(handler, bytes, src, Protocol::Tcp, response).await;
}
