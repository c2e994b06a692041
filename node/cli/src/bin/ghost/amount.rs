//! Token amounts on the command line, parsed exactly in integers (no floats).
//!
//! Two forms are accepted:
//! - a plain integer is in the smallest unit: `1000` is 1000 units;
//! - a decimal with the `GHOST` suffix (any case, optional space) is in whole tokens with up to
//!   [`DECIMALS`] decimals: `1.5GHOST` is 1 500 000 000 000 units. Trailing zeros past the 12th
//!   decimal are accepted because the value is still exact; any other digit there is refused.
//!
//! Everything else (signs, exponents, separators, a fraction without the suffix, more than
//! `u128::MAX` units) is refused with an [`AmountError`].

use core::fmt;

use ghost_primitives::Balance;
use ghost_runtime::GHOST;

/// Decimals of one GHOST (`GHOST == 10^DECIMALS`).
pub const DECIMALS: usize = 12;

/// The token suffix accepted after a decimal amount.
const SUFFIX: &str = "GHOST";

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Nothing was given.
    Empty,
    /// The amount starts with `-`.
    Negative,
    /// Not digits with an optional fraction and suffix.
    Invalid(String),
    /// A fraction with more than [`DECIMALS`] significant decimals.
    TooManyDecimals {
        /// Significant decimals found.
        found: usize,
    },
    /// A fraction on a plain amount (which is in the smallest unit).
    FractionWithoutUnit,
    /// More than `u128::MAX` units.
    Overflow,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => f.write_str("amount is empty"),
            AmountError::Negative => f.write_str("amount must not be negative"),
            AmountError::Invalid(s) => write!(
                f,
                "`{s}` is not an amount: give smallest units (1000) or GHOST with up to \
                 {DECIMALS} decimals (1.5GHOST)"
            ),
            AmountError::TooManyDecimals { found } => {
                write!(f, "GHOST has {DECIMALS} decimals, the amount has {found}")
            }
            AmountError::FractionWithoutUnit => f.write_str(
                "a plain amount is in the smallest unit and cannot have a fraction; \
                 add the GHOST suffix (1.5GHOST)",
            ),
            AmountError::Overflow => f.write_str("amount does not fit in a 128-bit balance"),
        }
    }
}

impl std::error::Error for AmountError {}

/// Parses an amount (see the module doc) into the smallest unit.
pub fn parse_amount(input: &str) -> Result<Balance, AmountError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let (number, in_ghost) = match strip_suffix_ignore_case(s, SUFFIX) {
        Some(number) => (number.trim_end(), true),
        None => (s, false),
    };
    let invalid = || AmountError::Invalid(s.to_owned());
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    if !is_digits(whole) || fraction.is_some_and(|f| !is_digits(f)) {
        return Err(invalid());
    }
    if !in_ghost {
        return match fraction {
            Some(_) => Err(AmountError::FractionWithoutUnit),
            None => parse_digits(whole),
        };
    }
    let fraction = fraction.unwrap_or("").trim_end_matches('0');
    if fraction.len() > DECIMALS {
        return Err(AmountError::TooManyDecimals {
            found: fraction.len(),
        });
    }
    // `fraction` is at most DECIMALS digits, so padded it is below GHOST and cannot overflow.
    let fraction_units = if fraction.is_empty() {
        0
    } else {
        parse_digits(&format!("{fraction:0<DECIMALS$}"))?
    };
    parse_digits(whole)?
        .checked_mul(GHOST)
        .and_then(|units| units.checked_add(fraction_units))
        .ok_or(AmountError::Overflow)
}

/// Formats `units` as GHOST with all 12 decimals, e.g. `1.500000000000 GHOST`.
pub fn format_ghost(units: Balance) -> String {
    format!("{}.{:0DECIMALS$} {SUFFIX}", units / GHOST, units % GHOST)
}

/// `s` without a case-insensitive `suffix`, if it ends with it.
fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let split = s.len().checked_sub(suffix.len())?;
    let tail = s.get(split..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..split])
}

/// Non-empty and ASCII digits only (no sign, no separators).
fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A string of ASCII digits as a balance; the only possible failure is overflow.
fn parse_digits(digits: &str) -> Result<Balance, AmountError> {
    digits.parse::<Balance>().map_err(|_| AmountError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn whole_ghost() {
        assert_eq!(parse_amount("1GHOST"), Ok(GHOST));
        assert_eq!(parse_amount("2 ghost"), Ok(2 * GHOST));
    }

    #[test]
    fn fractional_ghost() {
        assert_eq!(parse_amount("1.5GHOST"), Ok(1_500_000_000_000));
        assert_eq!(parse_amount("0.000000000001GHOST"), Ok(1));
        assert_eq!(parse_amount("1.0000000000000GHOST"), Ok(GHOST));
    }

    #[test]
    fn plain_numbers_are_smallest_units() {
        assert_eq!(parse_amount("1000"), Ok(1000));
        assert_eq!(parse_amount("0"), Ok(0));
        assert_eq!(parse_amount(&u128::MAX.to_string()), Ok(u128::MAX));
    }

    #[test]
    fn more_than_twelve_decimals_is_refused() {
        assert_eq!(
            parse_amount("1.0000000000001GHOST"),
            Err(AmountError::TooManyDecimals { found: 13 })
        );
    }

    #[test]
    fn negative_and_garbage_are_refused() {
        assert_eq!(parse_amount("-1"), Err(AmountError::Negative));
        assert_eq!(parse_amount("-1GHOST"), Err(AmountError::Negative));
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        for bad in [
            "abc", "GHOST", "1.GHOST", ".5GHOST", "+1", "1e3", "1_000", "1,5GHOST", "1 000",
        ] {
            assert!(
                matches!(parse_amount(bad), Err(AmountError::Invalid(_))),
                "{bad}"
            );
        }
        assert_eq!(parse_amount("1.5"), Err(AmountError::FractionWithoutUnit));
    }

    #[test]
    fn overflow_is_refused() {
        let too_many_units = "340282366920938463463374607431768211456"; // u128::MAX + 1
        assert_eq!(parse_amount(too_many_units), Err(AmountError::Overflow));
        let too_many_ghost = format!("{}GHOST", u128::MAX / GHOST + 1);
        assert_eq!(parse_amount(&too_many_ghost), Err(AmountError::Overflow));
        let max_ghost = format!("{}.{:012}GHOST", u128::MAX / GHOST, u128::MAX % GHOST);
        assert_eq!(parse_amount(&max_ghost), Ok(u128::MAX));
    }

    #[test]
    fn formats_with_twelve_decimals() {
        assert_eq!(format_ghost(1_500_000_000_000), "1.500000000000 GHOST");
        assert_eq!(format_ghost(1), "0.000000000001 GHOST");
        assert_eq!(format_ghost(0), "0.000000000000 GHOST");
    }

    proptest! {
        #[test]
        fn round_trips_through_both_forms(units in any::<u128>()) {
            prop_assert_eq!(parse_amount(&units.to_string()), Ok(units));
            let ghost = format_ghost(units).replace(' ', "");
            prop_assert_eq!(parse_amount(&ghost), Ok(units));
        }

        #[test]
        fn random_text_never_panics(s in ".{0,60}") {
            let _ = parse_amount(&s);
        }
    }
}
