//! The UDP transport: one blocking thread per worker, each with its own `SO_REUSEPORT` socket.
//!
//! hickory's UDP server reads one datagram per `recvfrom`, spawns a tokio task per request and
//! sends the response through a channel to a writer task, one `sendto` each: two thirds of its
//! CPU per answer went to the kernel (wake-ups, context switches, per-packet system calls).
//! Here every worker is a plain thread bound to the same address with `SO_REUSEPORT`, so the
//! kernel spreads clients over the sockets by their address and port; a worker receives up to
//! [`BATCH`](super::mmsg::BATCH) datagrams per `recvmmsg`, answers each inline (no task, no
//! channel: [`UdpResponder`]) and sends the responses with one `sendmmsg`, like NSD and Knot.
//!
//! Stopping: each socket has a read timeout of [`POLL`], after which its worker checks the stop
//! flag; [`UdpWorkers::stop`] sets the flag and joins the threads, dropping [`UdpWorkers`] sets it
//! and lets them end on their own. The threads own the sockets, so the port is free once they
//! have ended.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use super::datagram::UdpResponder;
use super::handler::GhostHandler;
use super::mmsg::Batch;

/// How long a worker waits for a datagram before it checks whether to stop.
pub(super) const POLL: Duration = Duration::from_millis(50);

/// How long a worker pauses after an unexpected receive error, so a persistent one cannot spin.
const ERROR_PAUSE: Duration = Duration::from_millis(10);

/// Binds `workers` UDP sockets (at least one) to `addr` with `SO_REUSEPORT`. `addr` must name
/// a port (not 0): the caller picks it, so that every socket shares it.
///
/// # Errors
///
/// A socket could not be created, configured or bound (`AddrInUse` when another socket without
/// `SO_REUSEPORT`, or another user's, holds the port).
pub(super) fn bind(addr: SocketAddr, workers: usize) -> io::Result<Vec<UdpSocket>> {
    (0..workers.max(1))
        .map(|_| {
            let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
            socket.set_reuse_port(true)?;
            socket.bind(&addr.into())?;
            socket.set_read_timeout(Some(POLL))?;
            Ok(socket.into())
        })
        .collect()
}

/// The running worker threads.
#[derive(Debug)]
pub(super) struct UdpWorkers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl UdpWorkers {
    /// Starts one worker per socket, answering with `handler`.
    ///
    /// # Errors
    ///
    /// A thread could not be spawned (the ones already started are stopped).
    pub(super) fn spawn(sockets: Vec<UdpSocket>, handler: &GhostHandler) -> io::Result<UdpWorkers> {
        let mut workers = UdpWorkers {
            stop: Arc::new(AtomicBool::new(false)),
            threads: Vec::with_capacity(sockets.len()),
        };
        for (i, socket) in sockets.into_iter().enumerate() {
            let stop = workers.stop.clone();
            let responder = UdpResponder::new(handler.clone());
            let thread = std::thread::Builder::new()
                .name(format!("dns-udp-{i}"))
                .spawn(move || run(&socket, responder, &stop))?;
            workers.threads.push(thread);
        }
        Ok(workers)
    }

    /// Stops the workers and waits until they have ended (at most about [`POLL`]).
    pub(super) fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::warn!(target: "bridge::dns", "a DNS UDP worker panicked");
            }
        }
    }
}

impl Drop for UdpWorkers {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One worker: receive a batch, answer each datagram, send the responses, until `stop`.
fn run(socket: &UdpSocket, mut responder: UdpResponder, stop: &AtomicBool) {
    let mut batch = Batch::new();
    while !stop.load(Ordering::Relaxed) {
        match batch.recv(socket.as_fd()) {
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(error) => {
                tracing::debug!(target: "bridge::dns", %error, "UDP receive failed");
                std::thread::sleep(ERROR_PAUSE);
                continue;
            }
        }
        batch.answer_each(|packet, src, out| responder.respond(packet, src, out));
        batch.send(socket.as_fd());
    }
}
