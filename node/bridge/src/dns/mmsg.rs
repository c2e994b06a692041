//! Batched UDP I/O: up to [`BATCH`] datagrams per `recvmmsg(2)` and per `sendmmsg(2)`.
//!
//! One [`Batch`] belongs to one worker thread and is reused for every round: [`BATCH`]
//! receive slots of [`RECV_SIZE`] bytes with their source addresses, and one reusable response
//! buffer per slot. A round is [`Batch::recv`] (blocks until at least one datagram is queued,
//! then takes what else is already there, `MSG_WAITFORONE`), [`Batch::answer_each`] (the caller
//! writes at most one response per datagram), then [`Batch::send`] (every response to its
//! datagram's source, in as few `sendmmsg` calls as the kernel allows).
//!
//! The unsafe code is the two system calls and the reading of a `sockaddr_storage` the kernel
//! filled. The `mmsghdr`/`iovec` arrays the calls read are rebuilt on the stack before each call
//! from the batch's own buffers, so no pointer outlives the borrow it was taken from, and the
//! kernel is never told a buffer is longer than it is.

use std::io;
use std::mem;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd};

/// Most datagrams received, and responses sent, per system call.
pub const BATCH: usize = 32;

/// The largest datagram received whole (hickory's UDP transport reads this much too); longer
/// ones are cut to this length, as there.
pub const RECV_SIZE: usize = 4096;

/// `sizeof(struct sockaddr_storage)`, as the kernel expects it in `msg_namelen`.
const ADDR_LEN: libc::socklen_t = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;

/// One worker's buffers for a round of receive, answer, send.
pub struct Batch {
    /// `BATCH` receive slots of `RECV_SIZE` bytes, back to back.
    recv: Vec<u8>,
    /// Each slot's source address, as the kernel wrote it.
    addrs: Vec<libc::sockaddr_storage>,
    /// Each slot's received length (at most `RECV_SIZE`).
    lens: [usize; BATCH],
    /// How many slots the last `recv` filled.
    received: usize,
    /// One response buffer per slot, reused across rounds.
    responses: Vec<Vec<u8>>,
    /// The slots that have a response to send this round, in order.
    pending: Vec<usize>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("received", &self.received)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

impl Batch {
    /// Empty buffers for one worker (about 130 KiB for the receive slots).
    pub fn new() -> Batch {
        Batch {
            recv: vec![0; BATCH * RECV_SIZE],
            // SAFETY: `sockaddr_storage` is a plain C struct of integers and byte arrays, for
            // which all zero bytes is a valid value (family AF_UNSPEC).
            addrs: vec![unsafe { mem::zeroed::<libc::sockaddr_storage>() }; BATCH],
            lens: [0; BATCH],
            received: 0,
            responses: (0..BATCH).map(|_| Vec::new()).collect(),
            pending: Vec::with_capacity(BATCH),
        }
    }

    /// Receives up to [`BATCH`] datagrams on `socket`: blocks until one is queued (or the
    /// socket's read timeout passes), then takes whatever else is already queued. Returns how
    /// many were received.
    ///
    /// # Errors
    ///
    /// The system call's error: `WouldBlock`/`TimedOut` when the read timeout passed with
    /// nothing received, `Interrupted` on a signal.
    pub fn recv(&mut self, socket: BorrowedFd<'_>) -> io::Result<usize> {
        self.received = 0;
        self.pending.clear();
        // SAFETY: `iovec` and `mmsghdr` are plain C structs of integers and pointers; all zero
        // (null pointers, zero lengths) is a valid value for both.
        let mut iovs: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
        // SAFETY: as above.
        let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        for ((iov, hdr), (slot, addr)) in iovs.iter_mut().zip(hdrs.iter_mut()).zip(
            self.recv
                .chunks_exact_mut(RECV_SIZE)
                .zip(self.addrs.iter_mut()),
        ) {
            *iov = libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: slot.len(),
            };
            hdr.msg_hdr.msg_name = (addr as *mut libc::sockaddr_storage).cast();
            hdr.msg_hdr.msg_namelen = ADDR_LEN;
        }
        // The iovec pointers last, once `iovs` is written.
        let iov_base = iovs.as_mut_ptr();
        for (i, hdr) in hdrs.iter_mut().enumerate() {
            hdr.msg_hdr.msg_iov = iov_base.wrapping_add(i);
            hdr.msg_hdr.msg_iovlen = 1;
        }
        // SAFETY: `hdrs` holds BATCH initialised headers; each points at one `iovec` of `iovs`
        // (alive until the end of this function) describing one RECV_SIZE slot of `self.recv`,
        // and at one `sockaddr_storage` of `self.addrs` with its true size in `msg_namelen`.
        // `self` is borrowed mutably for the whole call, so nothing else touches those buffers
        // while the kernel writes them; the kernel writes at most the lengths given. No control
        // buffer is passed (null, length 0) and the timeout is null (the socket's read timeout
        // applies).
        let n = unsafe {
            libc::recvmmsg(
                socket.as_raw_fd(),
                hdrs.as_mut_ptr(),
                BATCH as libc::c_uint,
                libc::MSG_WAITFORONE,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = usize::try_from(n).unwrap_or(0).min(BATCH);
        for (len, hdr) in self.lens.iter_mut().zip(&hdrs).take(n) {
            // `msg_len` is the datagram's length, cut to the slot (MSG_TRUNC is not asked).
            *len = (hdr.msg_len as usize).min(RECV_SIZE);
        }
        self.received = n;
        Ok(n)
    }

    /// Calls `answer(datagram, source, response)` for each datagram of the last [`recv`], in
    /// order, with that datagram's (cleared) response buffer; a `true` return queues the
    /// response for [`send`]. Datagrams from an address family other than IPv4/IPv6 are skipped.
    ///
    /// [`recv`]: Batch::recv
    /// [`send`]: Batch::send
    pub fn answer_each(&mut self, mut answer: impl FnMut(&[u8], SocketAddr, &mut Vec<u8>) -> bool) {
        self.pending.clear();
        for slot in 0..self.received {
            let Some(src) = socket_addr(&self.addrs[slot]) else {
                continue;
            };
            let start = slot * RECV_SIZE;
            let datagram = &self.recv[start..start + self.lens[slot]];
            let response = &mut self.responses[slot];
            response.clear();
            if answer(datagram, src, response) {
                self.pending.push(slot);
            }
        }
    }

    /// Sends every queued response to its datagram's source. A response the kernel refuses
    /// (an unreachable destination, say) is skipped and the rest still sent. Returns how many
    /// were sent.
    pub fn send(&mut self, socket: BorrowedFd<'_>) -> usize {
        let count = self.pending.len();
        if count == 0 {
            return 0;
        }
        // SAFETY: plain C structs for which all zero is a valid value (see `recv`).
        let mut iovs: [libc::iovec; BATCH] = unsafe { mem::zeroed() };
        // SAFETY: as above.
        let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { mem::zeroed() };
        for ((iov, hdr), &slot) in iovs.iter_mut().zip(hdrs.iter_mut()).zip(&self.pending) {
            let response = &self.responses[slot];
            *iov = libc::iovec {
                // The kernel only reads from a send buffer.
                iov_base: response.as_ptr().cast_mut().cast(),
                iov_len: response.len(),
            };
            hdr.msg_hdr.msg_name = (&self.addrs[slot] as *const libc::sockaddr_storage)
                .cast_mut()
                .cast();
            hdr.msg_hdr.msg_namelen = addr_len(&self.addrs[slot]);
        }
        // The iovec pointers last, once `iovs` is written.
        let iov_base = iovs.as_mut_ptr();
        for (i, hdr) in hdrs.iter_mut().take(count).enumerate() {
            hdr.msg_hdr.msg_iov = iov_base.wrapping_add(i);
            hdr.msg_hdr.msg_iovlen = 1;
        }
        let mut sent = 0;
        let mut next = 0;
        while next < count {
            // SAFETY: `hdrs[next..count]` are initialised headers, each pointing at one `iovec`
            // of `iovs` (alive until the end of this function) that describes a response
            // buffer of `self.responses` by its true length, and at the source address of its
            // datagram with that address's true size. The kernel only reads them; `self` is
            // borrowed for the whole call, so the buffers neither move nor change meanwhile.
            let n = unsafe {
                libc::sendmmsg(
                    socket.as_raw_fd(),
                    hdrs.as_mut_ptr().wrapping_add(next),
                    (count - next) as libc::c_uint,
                    0,
                )
            };
            if n < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // The first remaining response failed on its own (sendmmsg reports an error
                // only when no message was sent): skip it.
                tracing::debug!(target: "bridge::dns", %error, "failed to send a UDP response");
                next += 1;
                continue;
            }
            let n = usize::try_from(n).unwrap_or(0);
            if n == 0 {
                break;
            }
            sent += n;
            next += n;
        }
        self.pending.clear();
        sent
    }
}

/// The size of the address in `storage` for its family (the whole storage if unknown).
fn addr_len(storage: &libc::sockaddr_storage) -> libc::socklen_t {
    match i32::from(storage.ss_family) {
        libc::AF_INET => mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        libc::AF_INET6 => mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
        _ => ADDR_LEN,
    }
}

/// The IPv4 or IPv6 address the kernel wrote into `storage`, if it is one of those.
fn socket_addr(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match i32::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the kernel wrote a `sockaddr_in`; `sockaddr_storage` is
            // larger than it and aligned for every socket address type, and every bit pattern
            // is a valid `sockaddr_in` (integers only).
            let sin =
                unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)),
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: as above, for `sockaddr_in6`.
            let sin6 = unsafe {
                &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::os::fd::AsFd;
    use std::time::Duration;

    fn pair(ip: &str) -> Option<(UdpSocket, UdpSocket)> {
        let server = UdpSocket::bind((ip, 0)).ok()?;
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let client = UdpSocket::bind((ip, 0)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client.connect(server.local_addr().unwrap()).unwrap();
        Some((server, client))
    }

    /// Receives until `want` datagrams arrived (recvmmsg returns what is queued; the kernel may
    /// deliver the loopback sends in more than one round).
    fn receive(batch: &mut Batch, server: &UdpSocket, want: usize) -> Vec<(Vec<u8>, SocketAddr)> {
        let mut got = Vec::new();
        while got.len() < want {
            let n = batch.recv(server.as_fd()).unwrap();
            assert!((1..=BATCH).contains(&n));
            batch.answer_each(|datagram, src, _| {
                got.push((datagram.to_vec(), src));
                false
            });
        }
        got
    }

    fn round_trip(ip: &str) {
        let Some((server, client)) = pair(ip) else {
            return; // No such address on this machine (IPv6 in some containers).
        };
        let mut batch = Batch::new();
        let messages: Vec<Vec<u8>> = (0..5u8)
            .map(|i| vec![i; 1 + usize::from(i) * 100])
            .collect();
        for message in &messages {
            client.send(message).unwrap();
        }
        let got = receive(&mut batch, &server, messages.len());
        assert_eq!(
            got.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>(),
            messages
        );
        assert!(
            got.iter()
                .all(|(_, src)| *src == client.local_addr().unwrap())
        );

        // Answer each datagram with its reversal; skip the second one.
        client.send(b"abc").unwrap();
        client.send(b"skip").unwrap();
        client.send(b"xyz").unwrap();
        let mut seen = 0;
        while seen < 3 {
            batch.recv(server.as_fd()).unwrap();
            batch.answer_each(|datagram, _, response| {
                seen += 1;
                response.extend(datagram.iter().rev());
                datagram != b"skip"
            });
            batch.send(server.as_fd());
        }
        let mut buf = [0u8; 16];
        let n = client.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"cba");
        let n = client.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"zyx");
    }

    #[test]
    fn receives_a_batch_with_sources_and_answers_each_over_ipv4() {
        round_trip("127.0.0.1");
    }

    #[test]
    fn receives_a_batch_with_sources_and_answers_each_over_ipv6() {
        round_trip("::1");
    }

    #[test]
    fn a_datagram_longer_than_a_slot_is_cut_to_the_slot() {
        let (server, client) = pair("127.0.0.1").unwrap();
        let mut batch = Batch::new();
        client.send(&vec![7u8; RECV_SIZE + 100]).unwrap();
        let got = receive(&mut batch, &server, 1);
        assert_eq!(got[0].0, vec![7u8; RECV_SIZE]);
    }

    #[test]
    fn more_than_a_batch_arrives_over_several_rounds_and_all_are_answered() {
        let (server, client) = pair("127.0.0.1").unwrap();
        let mut batch = Batch::new();
        let total = BATCH * 2 + 3;
        for i in 0..total {
            client.send(&(i as u32).to_be_bytes()).unwrap();
        }
        let mut answered = 0;
        while answered < total {
            batch.recv(server.as_fd()).unwrap();
            batch.answer_each(|datagram, _, response| {
                response.extend_from_slice(datagram);
                true
            });
            answered += batch.send(server.as_fd());
        }
        for i in 0..total {
            let mut buf = [0u8; 4];
            assert_eq!(client.recv(&mut buf).unwrap(), 4);
            assert_eq!(u32::from_be_bytes(buf), i as u32);
        }
    }

    #[test]
    fn the_read_timeout_ends_a_wait_with_nothing_received() {
        let (server, _client) = pair("127.0.0.1").unwrap();
        server
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let error = Batch::new().recv(server.as_fd()).unwrap_err();
        assert!(matches!(
            error.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ));
    }
}
