//! Tests of `ghost ens`: arguments, input checks before any node is contacted, signatures.

use super::*;
use crate::{Cli, Command};
use clap::Parser;
use std::time::Duration;

fn ens(args: &[&str]) -> EnsCommand {
    let cli = Cli::try_parse_from(["ghost", "ens"].iter().chain(args)).unwrap();
    match cli.command {
        Command::Ens(command) => command,
        other => panic!("not an ens command: {other:?}"),
    }
}

fn parse_fails(args: &[&str]) -> bool {
    Cli::try_parse_from(["ghost", "ens"].iter().chain(args)).is_err()
}

/// An endpoint nothing listens on: a command that got past its input checks fails connecting.
fn nowhere() -> Endpoint {
    Endpoint {
        url: "ws://127.0.0.1:1".into(),
        timeout: Duration::from_secs(5),
    }
}

const KEY: &str = "0x4242424242424242424242424242424242424242424242424242424242424242";

#[test]
fn link_takes_a_key_or_a_signature_but_not_both() {
    let EnsCommand::Link(args) = ens(&[
        "link",
        "Alice.ETH",
        "alice.ghost",
        "--from",
        "//Alice",
        "--eth-key",
        KEY,
    ]) else {
        panic!("not link")
    };
    assert_eq!(args.eth_key.as_deref(), Some(KEY));
    assert_eq!(args.tx.from, "//Alice");
    assert!(parse_fails(&[
        "link", "a.eth", "a.ghost", "--from", "//Alice"
    ]));
    assert!(parse_fails(&[
        "link",
        "a.eth",
        "a.ghost",
        "--from",
        "//Alice",
        "--eth-key",
        KEY,
        "--eth-signature",
        "0x00",
    ]));
    assert!(parse_fails(&["link", "a.eth", "a.ghost", "--eth-key", KEY]));
}

#[test]
fn message_needs_an_account() {
    assert!(parse_fails(&["message", "a.eth", "a.ghost"]));
    assert!(matches!(
        ens(&["message", "a.eth", "a.ghost", "--account", "ghost1x"]),
        EnsCommand::Message(MessageArgs {
            account: Some(_),
            from: None,
            ..
        })
    ));
    assert!(parse_fails(&[
        "message",
        "a.eth",
        "a.ghost",
        "--account",
        "x",
        "--from",
        "//A"
    ]));
}

#[test]
fn names_are_normalised_and_bad_ones_refused() {
    assert_eq!(parse_ens_name("Nick.ETH").unwrap().as_str(), "nick.eth");
    assert_eq!(
        parse_ghost_name("Alice.Ghost").unwrap().as_str(),
        "alice.ghost"
    );
    let error = parse_ens_name("a..eth").unwrap_err().to_string();
    assert!(error.starts_with("invalid ENS name `a..eth`"), "{error}");
    assert!(parse_ghost_name("no spaces.ghost").is_err());
}

#[test]
fn eth_keys_and_signatures_are_checked() {
    let key = parse_eth_key(KEY).unwrap();
    assert_eq!(
        parse_eth_key(&KEY[2..]).unwrap().address(),
        key.address(),
        "0x is optional"
    );
    assert!(
        parse_eth_key("0x1234")
            .err()
            .unwrap()
            .to_string()
            .contains("32 bytes")
    );
    assert!(
        parse_eth_key(&format!("0x{}", "00".repeat(32))).is_err(),
        "zero is no key"
    );
    assert!(parse_eth_key("0xzz").is_err());
    assert!(parse_eth_signature("0x00").is_err());
    let signature = key.sign_personal(b"hello");
    let text = format!("{signature:?}");
    assert_eq!(parse_eth_signature(&text).unwrap(), signature);
}

#[test]
fn a_signature_made_elsewhere_yields_its_signer_and_a_wrong_one_is_refused() {
    let key = parse_eth_key(KEY).unwrap();
    let message = "GhostChain ENS link\nENS name: a.eth";
    let signature = key.sign_personal(message.as_bytes());
    let (address, same) = EthProof::Signature(signature).sign(message).unwrap();
    assert_eq!((address, same), (key.address(), signature));
    let (address, made) = EthProof::Key(key).sign(message).unwrap();
    assert_eq!((address, made), (same_address(KEY), signature));
    // Another text recovers another address (the chain then refuses it: SignerMismatch) ...
    let (other, _) = EthProof::Signature(signature)
        .sign("something else")
        .unwrap();
    assert_ne!(other, address);
    // ... and a broken recovery byte recovers nothing.
    let mut broken = signature;
    broken.0[64] = 5;
    let error = EthProof::Signature(broken)
        .sign(message)
        .unwrap_err()
        .to_string();
    assert!(error.contains("does not sign the link message"), "{error}");
}

fn same_address(key: &str) -> EthAddress {
    parse_eth_key(key).unwrap().address()
}

#[tokio::test]
async fn bad_input_fails_before_the_node_is_contacted() {
    let out = Output::buffer(false);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "link",
                "a..eth",
                "a.ghost",
                "--from",
                "//Alice",
                "--eth-key",
                KEY,
            ],
            "invalid ENS name",
        ),
        (
            vec![
                "link",
                "a.eth",
                "a b.ghost",
                "--from",
                "//Alice",
                "--eth-key",
                KEY,
            ],
            "invalid ghost name",
        ),
        (
            vec![
                "link",
                "a.eth",
                "a.ghost",
                "--from",
                "//Alice",
                "--eth-key",
                "0x12",
            ],
            "--eth-key",
        ),
        (
            vec![
                "link",
                "a.eth",
                "a.ghost",
                "--from",
                "nope",
                "--eth-key",
                KEY,
            ],
            "--from",
        ),
        (vec!["status", "a..eth"], "invalid ENS name"),
        (vec!["reverse", "a b"], "invalid ghost name"),
        (
            vec!["unlink", "a..eth", "--from", "//Alice"],
            "invalid ENS name",
        ),
        (
            vec!["message", "a.eth", "a.ghost", "--account", "nope"],
            "invalid address",
        ),
    ];
    for (args, expected) in cases {
        let error = run(&nowhere(), ens(&args), &out).await.unwrap_err();
        let text = format!("{error:#}");
        assert!(text.contains(expected), "{args:?}: {text}");
        assert!(
            !text.contains("127.0.0.1:1"),
            "{args:?} contacted the node: {text}"
        );
    }
    // Valid input gets as far as the connection.
    let error = run(&nowhere(), ens(&["status", "a.eth"]), &out)
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("ws://127.0.0.1:1"),
        "{error:#}"
    );
    assert_eq!(out.captured(), "");
}

#[test]
fn status_renders_without_empty_fields() {
    let ens_name = parse_ens_name("a.eth").unwrap();
    let report = Status {
        ens_node: Hash(ens_name.namehash()),
        ens_name,
        state: "none",
        link: None,
        request: None,
    };
    let text = Output::buffer(false).render(&report).unwrap();
    assert_eq!(
        text,
        format!(
            "ens_name: a.eth\nens_node: {}\nstate: none\n",
            report.ens_node
        )
    );
}
