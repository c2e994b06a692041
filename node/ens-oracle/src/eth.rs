//! A small Ethereum JSON-RPC client over HTTP/1.1 (hyper), `http://` or `https://` (rustls
//! with Mozilla's roots, plus any CA given), with batches.
//!
//! Only what the oracle needs: `eth_blockNumber`, `eth_getBlockByNumber` (number, hash,
//! parent, timestamp), `eth_call` at a block hash (EIP-1898, so a read never straddles a
//! reorg), `eth_getLogs`, and for tests and the anvil scripts `eth_sendTransaction` and
//! `eth_getTransactionReceipt`. One connection per request (the oracle polls; a hosted node's
//! TLS handshake costs one round trip more a request).

use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes as BodyBytes;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// Most bytes of one HTTP response read (a full batch of records or a page of logs).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Why an Ethereum request failed.
#[derive(Debug, thiserror::Error)]
pub enum EthError {
    /// The URL is not `http[s]://host[:port][/path]`.
    #[error("bad Ethereum RPC URL `{url}`: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A CA certificate file could not be read or holds no certificate.
    #[error("CA certificates `{path}`: {reason}")]
    BadCaFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Connecting or talking HTTP failed.
    #[error("Ethereum node {url}: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No answer in time.
    #[error("Ethereum node {url}: no answer within {timeout:?}")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        timeout: Duration,
    },
    /// The node answered with a JSON-RPC error.
    #[error("Ethereum node: {method}: error {code}: {message}")]
    Rpc {
        /// The method.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// The answer is not what the method returns.
    #[error("Ethereum node: {method}: unexpected answer: {reason}")]
    BadAnswer {
        /// The method.
        method: String,
        /// What was wrong.
        reason: String,
    },
}

/// A block header, as far as the oracle needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    /// Height.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// Parent hash.
    pub parent_hash: B256,
    /// Timestamp (s).
    pub timestamp: u64,
}

/// One log of `eth_getLogs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
    /// The block it is in.
    pub block_number: u64,
}

/// The outcome of one `eth_call` of a batch: the return data, or the node's error (a revert,
/// a missing method).
pub type CallResult = Result<Bytes, EthError>;

/// An Ethereum node over HTTP or HTTPS.
#[derive(Clone)]
pub struct EthClient {
    url: String,
    /// `host:port`, what is connected to and sent as `Host`.
    authority: String,
    path: String,
    timeout: Duration,
    /// For `https://`: the TLS client, verifying the node's certificate.
    tls: Option<Tls>,
}

/// The TLS side of an `https://` client.
#[derive(Clone)]
struct Tls {
    config: Arc<ClientConfig>,
    /// The host, as the certificate must name it.
    server_name: rustls_pki_types::ServerName<'static>,
}

impl std::fmt::Debug for EthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EthClient")
            .field("url", &self.url)
            .field("tls", &self.tls.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A TLS client trusting Mozilla's roots (`webpki-roots`) and `extra`.
fn tls_config(extra: &[rustls_pki_types::CertificateDer<'static>]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // A certificate webpki cannot use as an anchor is left out; the handshake then says so.
    let _ = roots.add_parsable_certificates(extra.iter().cloned());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

#[derive(Deserialize)]
struct RpcAnswer {
    id: Option<u64>,
    result: Option<Value>,
    error: Option<RpcErrorJson>,
}

#[derive(Deserialize)]
struct RpcErrorJson {
    code: i64,
    message: String,
}

impl EthClient {
    /// A client of `url` (`http://127.0.0.1:8545`, `https://eth.example/v3/KEY`; the port
    /// defaults to 80 or 443); nothing is contacted yet.
    pub fn new(url: &str, timeout: Duration) -> Result<EthClient, EthError> {
        let bad = |reason| EthError::BadUrl {
            url: url.into(),
            reason,
        };
        let (rest, https) = if let Some(rest) = url.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = url.strip_prefix("https://") {
            (rest, true)
        } else {
            return Err(bad("it must start with http:// or https://"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("credentials in the URL are not supported"));
        }
        // `host`, `host:port`, `[v6]`, `[v6]:port`.
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, Some(port)),
            _ => (authority, None),
        };
        if host.is_empty() {
            return Err(bad("it must name a host"));
        }
        let port: u16 = match port {
            Some(port) => port.parse().map_err(|_| bad("the port is not a number"))?,
            None if https => 443,
            None => 80,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let tls = if https {
            let server_name = rustls_pki_types::ServerName::try_from(host.to_string())
                .map_err(|_| bad("the host is not a valid TLS server name"))?;
            Some(Tls {
                config: tls_config(&[]),
                server_name,
            })
        } else {
            None
        };
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(EthClient {
            url: url.into(),
            authority,
            path: path.into(),
            timeout,
            tls,
        })
    }

    /// Also trusts the CA certificates (PEM) in `path` for `https://` (a private node's own
    /// CA or self-signed certificate).
    ///
    /// # Errors
    /// [`EthError::BadCaFile`] if the file cannot be read or holds no certificate.
    pub fn with_ca_file(mut self, path: &std::path::Path) -> Result<EthClient, EthError> {
        use rustls_pki_types::pem::PemObject;
        let bad = |reason: String| EthError::BadCaFile {
            path: path.display().to_string(),
            reason,
        };
        let certificates = rustls_pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certificates.is_empty() {
            return Err(bad("no PEM certificate in it".into()));
        }
        if let Some(tls) = &mut self.tls {
            tls.config = tls_config(&certificates);
        }
        Ok(self)
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn transport(&self, reason: impl std::fmt::Display) -> EthError {
        EthError::Transport {
            url: self.url.clone(),
            reason: reason.to_string(),
        }
    }

    /// An HTTP/1.1 connection over `stream` (plain or TLS): the request sender, and the task
    /// driving the connection.
    async fn http1<S>(
        &self,
        stream: S,
    ) -> Result<
        (
            hyper::client::conn::http1::SendRequest<Full<BodyBytes>>,
            tokio::task::JoinHandle<bool>,
        ),
        EthError,
    >
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| self.transport(format!("HTTP handshake: {e}")))?;
        Ok((
            sender,
            tokio::spawn(async move { connection.await.is_ok() }),
        ))
    }

    /// POSTs `body` and returns the response body.
    async fn post(&self, body: Vec<u8>) -> Result<Vec<u8>, EthError> {
        let exchange = async {
            let stream = TcpStream::connect(&self.authority)
                .await
                .map_err(|e| self.transport(format!("connecting: {e}")))?;
            let (mut sender, driver) = match &self.tls {
                None => self.http1(stream).await?,
                Some(tls) => {
                    let stream = TlsConnector::from(tls.config.clone())
                        .connect(tls.server_name.clone(), stream)
                        .await
                        .map_err(|e| self.transport(format!("TLS handshake: {e}")))?;
                    self.http1(stream).await?
                }
            };
            let request = Request::post(&self.path)
                .header("host", &self.authority)
                .header("content-type", "application/json")
                .body(Full::new(BodyBytes::from(body)))
                .map_err(|e| self.transport(e))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| self.transport(format!("request: {e}")))?;
            let status = response.status();
            let limited = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE_BYTES);
            let bytes = limited
                .collect()
                .await
                .map_err(|e| self.transport(format!("reading the answer: {e}")))?
                .to_bytes();
            driver.abort();
            if !status.is_success() {
                return Err(self.transport(format!("HTTP status {status}")));
            }
            Ok(bytes.to_vec())
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| EthError::Timeout {
                url: self.url.clone(),
                timeout: self.timeout,
            })?
    }

    /// One JSON-RPC call.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, EthError> {
        let mut answers = self.batch(&[(method, params)]).await?;
        answers.pop().unwrap_or_else(|| {
            Err(EthError::BadAnswer {
                method: method.into(),
                reason: "empty batch answer".into(),
            })
        })
    }

    /// A batch of calls, answered in order (each with its own result or error).
    pub async fn batch(
        &self,
        calls: &[(&str, Value)],
    ) -> Result<Vec<Result<Value, EthError>>, EthError> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let requests: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| {
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            })
            .collect();
        let body = serde_json::to_vec(&requests).map_err(|e| self.transport(e))?;
        let answer = self.post(body).await?;
        let method = calls[0].0;
        let bad = |reason: String| EthError::BadAnswer {
            method: method.into(),
            reason,
        };
        let answers: Vec<RpcAnswer> = match serde_json::from_slice::<Value>(&answer) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?,
            // A node that refuses the whole batch answers with one error object.
            Ok(single) => {
                let one: RpcAnswer =
                    serde_json::from_value(single).map_err(|e| bad(e.to_string()))?;
                if let Some(e) = one.error {
                    return Err(EthError::Rpc {
                        method: method.into(),
                        code: e.code,
                        message: e.message,
                    });
                }
                return Err(bad("a single answer to a batch".into()));
            }
            Err(e) => return Err(bad(e.to_string())),
        };
        let mut ordered: Vec<Option<Result<Value, EthError>>> =
            (0..calls.len()).map(|_| None).collect();
        for item in answers {
            let Some(slot) = item.id.and_then(|id| ordered.get_mut(id as usize)) else {
                continue;
            };
            let id = item.id.unwrap_or_default() as usize;
            *slot = Some(match (item.result, item.error) {
                (_, Some(e)) => Err(EthError::Rpc {
                    method: calls[id].0.into(),
                    code: e.code,
                    message: e.message,
                }),
                (Some(result), None) => Ok(result),
                (None, None) => Ok(Value::Null),
            });
        }
        ordered
            .into_iter()
            .enumerate()
            .map(|(id, slot)| {
                slot.ok_or_else(|| bad(format!("no answer for request {id} of the batch")))
            })
            .collect()
    }

    /// The latest block number.
    pub async fn block_number(&self) -> Result<u64, EthError> {
        let value = self.request("eth_blockNumber", json!([])).await?;
        parse_quantity(&value).ok_or_else(|| EthError::BadAnswer {
            method: "eth_blockNumber".into(),
            reason: format!("not a quantity: {value}"),
        })
    }

    /// The canonical block at `number`, if there is one.
    pub async fn block(&self, number: u64) -> Result<Option<BlockRef>, EthError> {
        let value = self
            .request(
                "eth_getBlockByNumber",
                json!([format!("0x{number:x}"), false]),
            )
            .await?;
        if value.is_null() {
            return Ok(None);
        }
        parse_block(&value)
            .map(Some)
            .ok_or_else(|| EthError::BadAnswer {
                method: "eth_getBlockByNumber".into(),
                reason: "missing number, hash, parentHash or timestamp".into(),
            })
    }

    /// `eth_call`s to `to` with `data`, all at the block `at` (by hash), in one batch.
    pub async fn calls_at(
        &self,
        at: B256,
        calls: &[(Address, Vec<u8>)],
    ) -> Result<Vec<CallResult>, EthError> {
        let requests: Vec<(&str, Value)> = calls
            .iter()
            .map(|(to, data)| {
                (
                    "eth_call",
                    json!([
                        {"to": to.to_string(), "data": format!("0x{}", hex::encode(data))},
                        {"blockHash": at.to_string(), "requireCanonical": true}
                    ]),
                )
            })
            .collect();
        let answers = self.batch(&requests).await?;
        Ok(answers
            .into_iter()
            .map(|answer| {
                let value = answer?;
                parse_bytes(&value).ok_or_else(|| EthError::BadAnswer {
                    method: "eth_call".into(),
                    reason: format!("not hex data: {value}"),
                })
            })
            .collect())
    }

    /// Logs in `from..=to` matching `address` (any if `None`) and `topics` (per position, any
    /// of the given values; an empty list matches anything).
    pub async fn logs(
        &self,
        from: u64,
        to: u64,
        address: Option<Address>,
        topics: &[Vec<B256>],
    ) -> Result<Vec<Log>, EthError> {
        let topics: Vec<Value> = topics
            .iter()
            .map(|alternatives| {
                if alternatives.is_empty() {
                    Value::Null
                } else {
                    Value::Array(alternatives.iter().map(|t| json!(t.to_string())).collect())
                }
            })
            .collect();
        let mut filter = json!({
            "fromBlock": format!("0x{from:x}"),
            "toBlock": format!("0x{to:x}"),
            "topics": topics,
        });
        if let Some(address) = address {
            filter["address"] = json!(address.to_string());
        }
        let value = self.request("eth_getLogs", json!([filter])).await?;
        let items = value.as_array().ok_or_else(|| EthError::BadAnswer {
            method: "eth_getLogs".into(),
            reason: "not an array".into(),
        })?;
        items
            .iter()
            .map(|item| {
                parse_log(item).ok_or_else(|| EthError::BadAnswer {
                    method: "eth_getLogs".into(),
                    reason: format!("malformed log: {item}"),
                })
            })
            .collect()
    }

    /// Sends a transaction from an account the node holds the key of (anvil's), returning its
    /// hash; `to: None` deploys `data`.
    pub async fn send_transaction(
        &self,
        from: Address,
        to: Option<Address>,
        data: &[u8],
    ) -> Result<B256, EthError> {
        let mut tx = json!({"from": from.to_string(), "data": format!("0x{}", hex::encode(data))});
        if let Some(to) = to {
            tx["to"] = json!(to.to_string());
        }
        let value = self.request("eth_sendTransaction", json!([tx])).await?;
        value
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| EthError::BadAnswer {
                method: "eth_sendTransaction".into(),
                reason: format!("not a hash: {value}"),
            })
    }

    /// The receipt of `tx`: `(succeeded, contract address, block number)`, or `None` while it
    /// is pending.
    pub async fn receipt(
        &self,
        tx: B256,
    ) -> Result<Option<(bool, Option<Address>, u64)>, EthError> {
        let value = self
            .request("eth_getTransactionReceipt", json!([tx.to_string()]))
            .await?;
        if value.is_null() {
            return Ok(None);
        }
        let status = value["status"].as_str() == Some("0x1");
        let contract = value["contractAddress"]
            .as_str()
            .and_then(|s| s.parse().ok());
        let block = parse_quantity(&value["blockNumber"]).unwrap_or_default();
        Ok(Some((status, contract, block)))
    }
}

/// A `0x` hex quantity.
pub fn parse_quantity(value: &Value) -> Option<u64> {
    u64::from_str_radix(value.as_str()?.strip_prefix("0x")?, 16).ok()
}

/// `0x` hex data.
pub fn parse_bytes(value: &Value) -> Option<Bytes> {
    let s = value.as_str()?.strip_prefix("0x")?;
    hex::decode(s).ok().map(Bytes::from)
}

/// The fields of a block object the oracle uses.
pub fn parse_block(value: &Value) -> Option<BlockRef> {
    Some(BlockRef {
        number: parse_quantity(&value["number"])?,
        hash: value["hash"].as_str()?.parse().ok()?,
        parent_hash: value["parentHash"].as_str()?.parse().ok()?,
        timestamp: parse_quantity(&value["timestamp"])?,
    })
}

/// A log object.
pub fn parse_log(value: &Value) -> Option<Log> {
    Some(Log {
        address: value["address"].as_str()?.parse().ok()?,
        topics: value["topics"]
            .as_array()?
            .iter()
            .map(|t| t.as_str()?.parse().ok())
            .collect::<Option<_>>()?,
        data: parse_bytes(&value["data"])?,
        block_number: parse_quantity(&value["blockNumber"])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_or_https_with_default_ports() {
        let t = Duration::from_secs(1);
        let c = EthClient::new("http://127.0.0.1:8545", t).unwrap();
        assert_eq!(
            (c.authority.as_str(), c.path.as_str(), c.tls.is_some()),
            ("127.0.0.1:8545", "/", false)
        );
        let c = EthClient::new("http://localhost:8545/v1/key", t).unwrap();
        assert_eq!(
            (c.authority.as_str(), c.path.as_str()),
            ("localhost:8545", "/v1/key")
        );
        let server_name =
            |c: &EthClient| c.tls.as_ref().map(|t| t.server_name.to_str().into_owned());
        let c = EthClient::new("https://mainnet.example/v3/KEY", t).unwrap();
        assert_eq!(
            (c.authority.as_str(), c.path.as_str()),
            ("mainnet.example:443", "/v3/KEY")
        );
        assert_eq!(server_name(&c).as_deref(), Some("mainnet.example"));
        let c = EthClient::new("http://127.0.0.1", t).unwrap();
        assert_eq!(c.authority, "127.0.0.1:80");
        let c = EthClient::new("https://[::1]:8545", t).unwrap();
        assert_eq!(c.authority, "[::1]:8545");
        assert_eq!(server_name(&c).as_deref(), Some("::1"));
        for bad in [
            "ws://127.0.0.1:8545",
            "http://:8545",
            "http://127.0.0.1:port",
            "https://user:secret@mainnet.example",
        ] {
            assert!(
                matches!(EthClient::new(bad, t), Err(EthError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// A TLS server on 127.0.0.1 with the fixture's self-signed `localhost` certificate that
    /// answers every request with `body`; returns its port.
    async fn tls_node(body: &'static str) -> u16 {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let certs = CertificateDer::pem_file_iter(fixture("localhost.crt"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).unwrap();
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut chunk = [0u8; 4096];
                    // Headers, then as many body bytes as Content-Length says.
                    loop {
                        let Ok(n) = tls.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        request.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length: usize = text
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse().ok())
                                .unwrap_or(0);
                            if request.len() >= end + 4 + length {
                                break;
                            }
                        }
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        port
    }

    #[tokio::test]
    async fn https_nodes_answer_when_their_certificate_is_trusted() {
        let port = tls_node(r#"[{"jsonrpc":"2.0","id":0,"result":"0x10"}]"#).await;
        let url = format!("https://localhost:{port}/v3/key");
        let client = EthClient::new(&url, Duration::from_secs(5))
            .unwrap()
            .with_ca_file(&fixture("localhost.crt"))
            .unwrap();
        assert_eq!(client.block_number().await.unwrap(), 16);

        // Mozilla's roots alone do not vouch for a self-signed certificate.
        let untrusting = EthClient::new(&url, Duration::from_secs(5)).unwrap();
        let error = untrusting.block_number().await.unwrap_err().to_string();
        assert!(
            error.contains("TLS handshake") && error.contains("certificate"),
            "{error}"
        );
    }

    #[test]
    fn ca_files_without_certificates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let client = EthClient::new("https://localhost:8545", Duration::from_secs(1)).unwrap();
        for path in [empty, dir.path().join("missing.pem")] {
            assert!(
                matches!(
                    client.clone().with_ca_file(&path),
                    Err(EthError::BadCaFile { .. })
                ),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn json_shapes_parse_and_malformed_ones_do_not() {
        assert_eq!(parse_quantity(&json!("0x1f")), Some(31));
        assert_eq!(parse_quantity(&json!("1f")), None);
        assert_eq!(parse_quantity(&json!(31)), None);
        assert_eq!(parse_bytes(&json!("0x")), Some(Bytes::new()));
        assert_eq!(parse_bytes(&json!("0xzz")), None);
        let hash = format!("0x{}", "11".repeat(32));
        let parent = format!("0x{}", "22".repeat(32));
        let block =
            json!({"number": "0x10", "hash": hash, "parentHash": parent, "timestamp": "0x5"});
        let b = parse_block(&block).unwrap();
        assert_eq!((b.number, b.timestamp), (16, 5));
        assert_eq!(b.hash, B256::repeat_byte(0x11));
        assert_eq!(parse_block(&json!({"number": "0x10"})), None);
        let log = json!({
            "address": format!("0x{}", "33".repeat(20)),
            "topics": [hash],
            "data": "0x0102",
            "blockNumber": "0x10",
        });
        let l = parse_log(&log).unwrap();
        assert_eq!(l.topics, vec![B256::repeat_byte(0x11)]);
        assert_eq!(l.data.to_vec(), vec![1, 2]);
        assert_eq!(
            parse_log(
                &json!({"address": "0x12", "topics": [], "data": "0x", "blockNumber": "0x1"})
            ),
            None
        );
    }

    #[tokio::test]
    async fn an_unreachable_node_is_a_transport_error_naming_it() {
        let c = EthClient::new("http://127.0.0.1:1", Duration::from_secs(5)).unwrap();
        let e = c.block_number().await.unwrap_err();
        assert!(matches!(e, EthError::Transport { .. }), "{e}");
        assert!(e.to_string().contains("http://127.0.0.1:1"), "{e}");
    }
}
