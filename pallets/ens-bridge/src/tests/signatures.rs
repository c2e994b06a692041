//! The link message and secp256k1 recovery, against wallet libraries' published vectors.

use ghost_primitives::EthAddress;

use super::*;
use crate::eth::{EthKey, RecoverError, link_message, personal_message_hash, recover_signer};

fn sig(s: &str) -> EthSignature {
    s.parse().expect("65-byte hex signature")
}

fn address(s: &str) -> EthAddress {
    s.parse().expect("checksummed address")
}

/// web3.js docs, `web3.eth.accounts.sign('Some data', '0x4c0883a6…')`: message hash and
/// signature as published; the signer is the key's documented address.
#[test]
fn web3js_sign_vector_recovers_its_address() {
    let hash = personal_message_hash(b"Some data");
    assert_eq!(
        hex::encode(hash),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
    );
    let signature = sig(
        "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c",
    );
    let expected = address("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    assert_eq!(recover_signer(&hash, &signature), Ok(expected));
    let key = eth_key(&ALICE_ETH_SECRET);
    assert_eq!(key.address(), expected);
    assert_eq!(
        key.sign_personal(b"Some data"),
        signature,
        "RFC 6979 signing reproduces web3.js's signature"
    );
}

/// ethers.js docs' example wallet `new Wallet("0x0123…0123")` and its documented address.
#[test]
fn ethers_example_key_has_its_documented_address() {
    let mut secret = [0u8; 32];
    hex::decode_to_slice(
        "0123456789012345678901234567890123456789012345678901234567890123",
        &mut secret,
    )
    .unwrap();
    assert_eq!(
        eth_key(&secret).address(),
        address("0x14791697260E4c9A71f18484C9f997B308e59325")
    );
}

/// Hardhat's and anvil's first default account.
#[test]
fn anvil_default_key_has_its_documented_address() {
    assert_eq!(
        eth_key(&BOB_ETH_SECRET).address(),
        address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    );
}

#[test]
fn malformed_signatures_are_refused() {
    let hash = personal_message_hash(b"Some data");
    let good = eth_key(&ALICE_ETH_SECRET).sign_personal(b"Some data");
    let mut bad_v = good;
    bad_v.0[64] = 29;
    assert_eq!(
        recover_signer(&hash, &bad_v),
        Err(RecoverError::BadRecoveryByte)
    );
    let mut zero = good;
    zero.0[..32].fill(0);
    assert_eq!(recover_signer(&hash, &zero), Err(RecoverError::Malformed));
    // v = 0/1 is accepted as well as 27/28.
    let mut raw_v = good;
    raw_v.0[64] -= 27;
    assert_eq!(
        recover_signer(&hash, &raw_v),
        Ok(eth_key(&ALICE_ETH_SECRET).address())
    );
}

/// The malleated twin of a valid signature (`s' = n - s`, `v` flipped) recovers the same key;
/// it is refused so that each signature has one form.
#[test]
fn high_s_twins_are_refused() {
    // secp256k1's group order n.
    let n =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    let hash = personal_message_hash(b"Some data");
    let good = eth_key(&ALICE_ETH_SECRET).sign_personal(b"Some data");
    let mut twin = good;
    // s' = n - s, big-endian subtraction.
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(good.0[32 + i]) - borrow;
        twin.0[32 + i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    twin.0[64] = if good.0[64] == 27 { 28 } else { 27 };
    assert_eq!(recover_signer(&hash, &twin), Err(RecoverError::HighS));
}

/// The exact text wallets are asked to sign (a change here is a protocol change: the CLI,
/// `docs/ENS.md` and every signature made so far depend on it).
#[test]
fn link_message_text_is_fixed() {
    let message = link_message(
        &ens("vitalik.eth"),
        &ghost("vitalik.ghost"),
        &acc(1),
        &GENESIS,
    );
    assert_eq!(
        message,
        format!(
            "GhostChain ENS link\nENS name: vitalik.eth\nGhost name: vitalik.ghost\nGhost account: {}\nGenesis hash: 0x{}",
            acc(1),
            "99".repeat(32)
        )
    );
    assert!(acc(1).to_string().starts_with("ghost1"));
}

#[test]
fn signatures_bind_every_field() {
    let key = eth_key(&ALICE_ETH_SECRET);
    let base = link_message(&ens("a.eth"), &ghost("a.ghost"), &acc(1), &GENESIS);
    let signature = key.sign_personal(base.as_bytes());
    for other in [
        link_message(&ens("b.eth"), &ghost("a.ghost"), &acc(1), &GENESIS),
        link_message(&ens("a.eth"), &ghost("b.ghost"), &acc(1), &GENESIS),
        link_message(&ens("a.eth"), &ghost("a.ghost"), &acc(2), &GENESIS),
        link_message(&ens("a.eth"), &ghost("a.ghost"), &acc(1), &Hash([1; 32])),
    ] {
        let recovered = recover_signer(&personal_message_hash(other.as_bytes()), &signature);
        assert_ne!(recovered, Ok(key.address()), "{other}");
    }
    let _: EthKey = key;
}
