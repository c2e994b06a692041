//! A local ENS for tests and demos: deploys `ENSRegistry` and `PublicResolver` from ENS's
//! published build artifacts (`@ensdomains/ens` 0.6.2, `@ensdomains/resolver` 0.3.1, as
//! `scripts/ens-npm.sh` installs them) on a node that holds its accounts' keys (anvil), and
//! creates and changes names. Used by the `ens-devnet` binary and the end-to-end test.

use std::path::Path;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::{SolCall, SolValue};
use ghost_primitives::ens_namehash;
use serde_json::json;

use crate::abi::{EnsRegistry, EnsResolver};
use crate::eth::{EthClient, EthError};
use crate::records::decode_address;

/// Why a devnet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The Ethereum node.
    #[error(transparent)]
    Eth(#[from] EthError),
    /// An artifact is missing or malformed.
    #[error("artifact {path}: {reason}")]
    Artifact {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A transaction reverted or was not mined in time.
    #[error("transaction {tx}: {reason}")]
    Transaction {
        /// Its hash.
        tx: B256,
        /// What happened.
        reason: &'static str,
    },
    /// An account index beyond the node's accounts.
    #[error("account {0} does not exist on the node")]
    NoAccount(usize),
    /// The name has no resolver.
    #[error("{0} has no resolver")]
    NoResolver(String),
}

/// The registry's and resolver's creation bytecode from the npm packages under `modules`
/// (a `node_modules` directory).
pub fn bytecode(modules: &Path, artifact: &str) -> Result<Vec<u8>, DevnetError> {
    let path = modules.join("@ensdomains").join(artifact);
    let bad = |reason: String| DevnetError::Artifact {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    let code = json["bytecode"]
        .as_str()
        .ok_or_else(|| bad("no bytecode".into()))?;
    hex::decode(code.trim_start_matches("0x")).map_err(|e| bad(e.to_string()))
}

/// A deployed local ENS.
#[derive(Debug, Clone)]
pub struct Devnet {
    /// The node.
    pub client: EthClient,
    /// Its accounts (`eth_accounts`).
    pub accounts: Vec<Address>,
    /// The registry.
    pub registry: Address,
    /// The public resolver.
    pub resolver: Address,
}

impl Devnet {
    /// Deploys the registry and the public resolver from account 0, which also gets `eth`.
    pub async fn deploy(client: EthClient, modules: &Path) -> Result<Devnet, DevnetError> {
        let registry_code = bytecode(modules, "ens/build/contracts/ENSRegistry.json")?;
        let mut resolver_code = bytecode(modules, "resolver/build/contracts/PublicResolver.json")?;
        let accounts = accounts(&client).await?;
        let mut devnet = Devnet {
            client,
            accounts,
            registry: Address::ZERO,
            resolver: Address::ZERO,
        };
        devnet.registry = devnet.deploy_code(registry_code).await?;
        resolver_code.extend(devnet.registry.abi_encode());
        devnet.resolver = devnet.deploy_code(resolver_code).await?;
        let call = EnsRegistry::setSubnodeOwnerCall {
            node: B256::ZERO,
            label: keccak256("eth"),
            owner: devnet.account(0)?,
        };
        devnet
            .send(0, Some(devnet.registry), call.abi_encode())
            .await?;
        Ok(devnet)
    }

    /// An ENS already deployed at `registry` (the resolver is the one `resolver_of` names).
    pub async fn attach(client: EthClient, registry: Address) -> Result<Devnet, DevnetError> {
        let accounts = accounts(&client).await?;
        Ok(Devnet {
            client,
            accounts,
            registry,
            resolver: Address::ZERO,
        })
    }

    /// Account `index`.
    pub fn account(&self, index: usize) -> Result<Address, DevnetError> {
        self.accounts
            .get(index)
            .copied()
            .ok_or(DevnetError::NoAccount(index))
    }

    async fn deploy_code(&self, code: Vec<u8>) -> Result<Address, DevnetError> {
        let tx = self
            .client
            .send_transaction(self.account(0)?, None, &code)
            .await?;
        match self.wait(tx).await?.1 {
            Some(address) => Ok(address),
            None => Err(DevnetError::Transaction {
                tx,
                reason: "no contract address in the receipt",
            }),
        }
    }

    /// Sends `data` from account `from` to `to` and waits for it to be mined.
    pub async fn send(
        &self,
        from: usize,
        to: Option<Address>,
        data: Vec<u8>,
    ) -> Result<u64, DevnetError> {
        let tx = self
            .client
            .send_transaction(self.account(from)?, to, &data)
            .await?;
        Ok(self.wait(tx).await?.0)
    }

    /// Waits up to a minute for `tx`'s receipt: `(block, contract address)`.
    pub async fn wait(&self, tx: B256) -> Result<(u64, Option<Address>), DevnetError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some((ok, contract, block)) = self.client.receipt(tx).await? {
                if !ok {
                    return Err(DevnetError::Transaction {
                        tx,
                        reason: "reverted",
                    });
                }
                return Ok((block, contract));
            }
            if Instant::now() > deadline {
                return Err(DevnetError::Transaction {
                    tx,
                    reason: "not mined within a minute",
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Creates `label.eth` for account `owner` with the public resolver, and points its ETH
    /// address at the owner.
    pub async fn create_name(&self, label: &str, owner: usize) -> Result<(), DevnetError> {
        let call = EnsRegistry::setSubnodeRecordCall {
            node: B256::from(ens_namehash("eth")),
            label: keccak256(label),
            owner: self.account(owner)?,
            resolver: self.resolver,
            ttl: 0,
        };
        self.send(0, Some(self.registry), call.abi_encode()).await?;
        let name = format!("{label}.eth");
        self.set_addr(owner, &name, self.account(owner)?).await?;
        Ok(())
    }

    /// The resolver the registry names for `name`.
    pub async fn resolver_of(&self, name: &str) -> Result<Address, DevnetError> {
        let node = B256::from(ens_namehash(name));
        let block = self.client.block_number().await?;
        let hash = self
            .client
            .block(block)
            .await?
            .map(|b| b.hash)
            .unwrap_or_default();
        let data = EnsRegistry::resolverCall { node }.abi_encode();
        let answer = self.client.calls_at(hash, &[(self.registry, data)]).await?;
        match answer.first().and_then(decode_address) {
            Some(address) if address != Address::ZERO => Ok(address),
            _ => Err(DevnetError::NoResolver(name.into())),
        }
    }

    /// `setText(name, key, value)` from account `from` on the name's resolver.
    pub async fn set_text(
        &self,
        from: usize,
        name: &str,
        key: &str,
        value: &str,
    ) -> Result<u64, DevnetError> {
        let call = EnsResolver::setTextCall {
            node: B256::from(ens_namehash(name)),
            key: key.into(),
            value: value.into(),
        };
        let resolver = self.resolver_of(name).await?;
        self.send(from, Some(resolver), call.abi_encode()).await
    }

    /// `setAddr(name, address)` (coin 60) from account `from` on the name's resolver.
    pub async fn set_addr(
        &self,
        from: usize,
        name: &str,
        address: Address,
    ) -> Result<u64, DevnetError> {
        let call = EnsResolver::setAddr_0Call {
            node: B256::from(ens_namehash(name)),
            a: address,
        };
        let resolver = self.resolver_of(name).await?;
        self.send(from, Some(resolver), call.abi_encode()).await
    }

    /// `setDNSRecords(name, records)` (EIP-1185: RRs in DNS wire format) from account `from` on
    /// the name's resolver.
    pub async fn set_dns_records(
        &self,
        from: usize,
        name: &str,
        records: &[u8],
    ) -> Result<u64, DevnetError> {
        let call = EnsResolver::setDNSRecordsCall {
            node: B256::from(ens_namehash(name)),
            data: records.to_vec().into(),
        };
        let resolver = self.resolver_of(name).await?;
        self.send(from, Some(resolver), call.abi_encode()).await
    }

    /// Transfers `name` in the registry from account `from` to `to`.
    pub async fn set_owner(
        &self,
        from: usize,
        name: &str,
        to: Address,
    ) -> Result<u64, DevnetError> {
        let call = EnsRegistry::setOwnerCall {
            node: B256::from(ens_namehash(name)),
            owner: to,
        };
        self.send(from, Some(self.registry), call.abi_encode())
            .await
    }
}

/// The node's accounts.
pub async fn accounts(client: &EthClient) -> Result<Vec<Address>, EthError> {
    let value = client.request("eth_accounts", json!([])).await?;
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|a| a.as_str()?.parse().ok())
                .collect::<Option<Vec<Address>>>()
        })
        .ok_or_else(|| EthError::BadAnswer {
            method: "eth_accounts".into(),
            reason: format!("not a list of addresses: {value}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_malformed_artifacts_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = bytecode(dir.path(), "ens/build/contracts/ENSRegistry.json").unwrap_err();
        assert!(e.to_string().contains("ENSRegistry.json"), "{e}");
        let path = dir.path().join("@ensdomains/x");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("a.json"), br#"{"bytecode": "0xzz"}"#).unwrap();
        assert!(bytecode(dir.path(), "x/a.json").is_err());
        std::fs::write(path.join("b.json"), br#"{"bytecode": "0x6001"}"#).unwrap();
        assert_eq!(bytecode(dir.path(), "x/b.json").unwrap(), vec![0x60, 0x01]);
    }
}
