//! Name normalisation shared by every layer: ENSIP-15 for ENS names.
//!
//! # ENSIP-15
//! ENS names are Unicode; two spellings of one name (`Nick.ETH`, `nick.eth`) must hash to the
//! same node, and confusable or invisible characters must be refused, or a name could be spoofed.
//! ENSIP-15 (<https://docs.ens.domains/ensip/15>) fixes the rules: case folding, mapped and
//! ignored code points, emoji sequences, script groups and confusables, NFC. This module applies
//! it with the `ens-normalize-rs` crate (pinned with `=`: a new version is a new spec revision,
//! which can change what a name hashes to, and must be a deliberate upgrade). The bundled spec is
//! ENSIP-15 1.11.1 on Unicode 17.0.0; its own test suite (`tests.json` of the reference
//! implementation) passes.
//!
//! The spec tables are loaded once per process ([`normalize_ens`] keeps them in a `OnceLock`);
//! [`warm_up`] loads them ahead of time.
//!
//! # Where it is applied
//! Clients normalise what a user typed before signing or sending it. The chain only *checks*:
//! an ENS name on chain must already be normalised ([`is_normalized_ens`]), so each name has one
//! on-chain spelling and one namehash. Ghost names stay LDH ASCII, and their `xn--` labels must
//! decode to text this normalisation leaves unchanged (see [`crate::names`]).

use std::sync::OnceLock;

use ens_normalize_rs::EnsNameNormalizer;

/// Why a name has no ENSIP-15 normalisation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid ENS name: {reason}")]
pub struct NormalizeError {
    /// What the normaliser objected to (an illegal or confusable character, an empty label, ...).
    pub reason: String,
}

fn normalizer() -> &'static EnsNameNormalizer {
    static NORMALIZER: OnceLock<EnsNameNormalizer> = OnceLock::new();
    NORMALIZER.get_or_init(EnsNameNormalizer::default)
}

/// Loads the ENSIP-15 tables now (0.7 s in a dev build) instead of at the first ENS name, so a
/// node can pay it at startup rather than while importing or authoring a block.
pub fn warm_up() {
    normalizer();
}

/// The ENSIP-15 normalisation of `input` (`"Nick.ETH"` → `"nick.eth"`), or why there is none.
///
/// The empty string normalises to itself (the root); callers that need a name refuse it.
pub fn normalize_ens(input: &str) -> Result<String, NormalizeError> {
    normalizer().normalize(input).map_err(|e| NormalizeError {
        reason: e.to_string(),
    })
}

/// Whether `name` is already in ENSIP-15 normal form (what the chain accepts).
pub fn is_normalized_ens(name: &str) -> bool {
    normalize_ens(name).is_ok_and(|normal| normal == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Vectors from ENSIP-15's reference test suite (`tests.json` of adraffy/ens-normalize.js,
    /// spec 1.11.1), with their comments there.
    #[test]
    fn ensip15_normalisation_vectors() {
        let cases: &[(&str, &str, &str)] = &[
            ("", "", "Empty"),
            ("bRAnTlY.eTh", "brantly.eth", "Mixed-case"),
            ("BRANTLYMILLEGAN.COM", "brantlymillegan.com", "Uppercase"),
            ("$TSUKI", "$tsuki", ""),
            ("o'brien", "o\u{2019}brien", "apostrophe mapped"),
            ("\u{00d6}bb.at", "\u{00f6}bb.at", "IDNATestV2"),
            ("\u{2167}", "viii", "Mapping: roman numeral"),
            ("\u{24c2}\u{fe0f}", "m", "Mapping: demoji"),
            ("\u{fe0e}\u{fe0f}a", "a", "Ignored: emoji-styling"),
            (
                "hyphens-\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2043}\u{2212}\u{23af}\u{23e4}\u{fe58}",
                "hyphens------------",
                "Hyphens",
            ),
            ("\u{1f4a9}\u{fe0f}", "\u{1f4a9}", "Emoji: emoji-styled"),
            (
                "\u{1f4a9}\u{1f4a9}\u{fe0e}\u{1f4a9}\u{fe0f}",
                "\u{1f4a9}\u{1f4a9}\u{1f4a9}",
                "Emoji: All Styles",
            ),
            (
                "\u{06f0}\u{06f1}\u{06f2}\u{06f3}\u{06f8}\u{06f9}",
                "\u{0660}\u{0661}\u{0662}\u{0663}\u{0668}\u{0669}",
                "Arabic Mapping",
            ),
            ("\u{00bd}", "1\u{2044}2", "confuse"),
            (
                "#\u{fe0f}\u{20e3}*\u{fe0f}\u{20e3}",
                "#\u{20e3}*\u{20e3}",
                "Revived Keycaps",
            ),
        ];
        for (input, expected, comment) in cases {
            assert_eq!(
                normalize_ens(input).as_deref(),
                Ok(*expected),
                "{comment}: {input:?}"
            );
        }
    }

    /// Inputs the reference test suite marks as errors.
    #[test]
    fn ensip15_error_vectors() {
        for (input, comment) in [
            (" ", "Empty: Whitespace"),
            ("\u{fe0f}", "Empty: Ignorable"),
            (".", "Null Labels"),
            (".eth", "Null 2LD"),
            ("eth.", "Null TLD"),
            ("...eth", "Multiple Null Labels"),
            ("\u{ff0e}", "Disallowed Stop: FF0E"),
            ("\u{3002}", "Disallowed Stop: 3002"),
            ("te st", "Whitespace: inner"),
            ("test\u{200d}", "ZWJ: trailing"),
            ("\u{200d}test", "ZWJ: leading"),
            ("'a", "Apostrophe: leading"),
            ("a'\u{2019}a", "Apostrophe: adjacent"),
            ("a\u{00b7}b", "ContextO: invalid middle dot"),
            ("a_b", "Non-leading Underscore"),
            ("\u{0303}", "Leading CM"),
            ("\u{1f4a9}\u{0303}", "Emoji + CM"),
            ("\u{25cc}\u{0308}bb.at", "IDNATestV2"),
        ] {
            assert!(normalize_ens(input).is_err(), "{comment}: {input:?}");
            assert!(!is_normalized_ens(input), "{comment}: {input:?}");
        }
    }

    #[test]
    fn only_the_normal_form_counts_as_normalized() {
        assert!(is_normalized_ens("nick.eth"));
        assert!(is_normalized_ens("\u{1f4a9}.eth"));
        assert!(!is_normalized_ens("Nick.eth"));
        assert!(!is_normalized_ens("\u{1f4a9}\u{fe0f}.eth"));
    }

    proptest! {
        /// Normalisation never panics, and a normal form is its own normal form.
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,24}") {
            if let Ok(normal) = normalize_ens(&s) {
                prop_assert_eq!(normalize_ens(&normal), Ok(normal.clone()));
                prop_assert!(is_normalized_ens(&normal));
            }
        }

        /// ASCII LDH names (ghost-style labels) are already normal.
        #[test]
        fn ldh_names_are_normal(labels in proptest::collection::vec("[a-z0-9]{1,12}", 1..4)) {
            let name = labels.join(".");
            prop_assert!(is_normalized_ens(&name));
        }

        /// Case is folded: an uppercase spelling normalises to the lowercase one.
        #[test]
        fn uppercase_folds_to_lowercase(label in "[a-z]{1,12}") {
            let upper = format!("{}.ETH", label.to_uppercase());
            prop_assert_eq!(normalize_ens(&upper), Ok(format!("{label}.eth")));
        }
    }
}
