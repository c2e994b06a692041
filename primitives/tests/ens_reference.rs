//! Cross-check of the chain's name rules against the ENSIP-15 reference implementation,
//! `@adraffy/ens-normalize` 1.11.1 (npm).
//!
//! `./scripts/ens-normalize-npm.sh` writes the reference's normalisations of ~400k inputs (every
//! code point below U+30000 alone and between two `a`s, every emoji sequence, each emoji under
//! `.ghost`) to `~/.cache/ghostchain/ens-normalize/vectors.json` (or `$GHOST_ENS_NORMALIZE_VECTORS`).
//! With the file present this test checks, for every vector:
//! - `normalize::normalize_ens` gives exactly what the reference gives (or refuses what it
//!   refuses);
//! - a single label the reference accepts with non-ASCII text becomes an A-label the chain
//!   accepts (`DomainName::parse`) and that decodes back to the reference's form, and a
//!   non-ASCII label the reference refuses is refused by `names::normalize_name` (so is one
//!   whose normal form holds ASCII outside `a-z 0-9 -`, such as the keycap `#️⃣`, which no
//!   DNS label can carry).
//!
//! Without the file it says so on stderr and checks nothing (run the script first).

use ghost_primitives::DomainName;
use ghost_primitives::names::{normalize_name, to_unicode};
use ghost_primitives::normalize::normalize_ens;

fn vectors() -> Option<Vec<(String, Option<String>)>> {
    let path = std::env::var_os("GHOST_ENS_NORMALIZE_VECTORS")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| {
                std::path::Path::new(&home).join(".cache/ghostchain/ens-normalize/vectors.json")
            })
        })?;
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        serde_json::from_str(&text).expect("vectors.json is what ens-normalize-vectors.mjs writes"),
    )
}

#[test]
fn the_chain_agrees_with_the_reference_implementation_on_every_vector() {
    let Some(vectors) = vectors() else {
        // `./scripts/test.sh` writes the vectors first and sets this: there a missing file is a
        // failure, never a skip.
        assert!(
            std::env::var_os("GHOST_REQUIRE_ENS_VECTORS").is_none(),
            "GHOST_REQUIRE_ENS_VECTORS is set but the vectors are missing: run ./scripts/ens-normalize-npm.sh"
        );
        eprintln!(
            "ens_reference: no vectors; run ./scripts/ens-normalize-npm.sh to cross-check against @adraffy/ens-normalize"
        );
        return;
    };
    assert!(
        vectors.len() > 100_000,
        "a full corpus, not {}",
        vectors.len()
    );
    let mut mismatches = Vec::new();
    let (mut idn_accepted, mut idn_refused) = (0usize, 0usize);
    for (input, expected) in &vectors {
        let ours = normalize_ens(input).ok();
        if ours != *expected {
            mismatches.push(format!("{input:?}: reference {expected:?}, ours {ours:?}"));
            continue;
        }
        // One label, as a user would type it under `.ghost`.
        if input.contains('.') || input.is_ascii() {
            continue;
        }
        let name = normalize_name(&format!("{input}.ghost"));
        // Punycode keeps ASCII as it is, so a label with ASCII outside LDH (`#️⃣` is `#` +
        // U+20E3) has no A-label the DNS can carry: the chain refuses it.
        let ldh_ascii = |normal: &str| {
            normal
                .chars()
                .filter(char::is_ascii)
                .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
        };
        match expected {
            Some(normal) if !ldh_ascii(normal) => {
                if let Ok(name) = name {
                    mismatches.push(format!("{input:?}: non-LDH ASCII, chain makes {name}"));
                }
            }
            Some(normal) if !normal.is_ascii() && !normal.contains('.') => {
                let name = match name {
                    Ok(name) => name,
                    Err(e) => {
                        mismatches
                            .push(format!("{input:?}: reference accepts, chain refuses: {e}"));
                        continue;
                    }
                };
                if DomainName::parse(name.as_str()).as_ref() != Ok(&name)
                    || to_unicode(&name) != format!("{normal}.ghost")
                {
                    mismatches.push(format!("{input:?}: {name} does not decode to {normal:?}"));
                }
                idn_accepted += 1;
            }
            None => {
                if let Ok(name) = name {
                    mismatches.push(format!("{input:?}: reference refuses, chain makes {name}"));
                }
                idn_refused += 1;
            }
            Some(_) => {}
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} vectors disagree; first ones:\n{}",
        mismatches.len(),
        vectors.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The corpus exercises both sides of the on-chain rule.
    assert!(idn_accepted > 10_000, "{idn_accepted} IDN labels accepted");
    assert!(idn_refused > 10_000, "{idn_refused} IDN labels refused");
}
