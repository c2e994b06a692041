//! Name fees.
//!
//! `price = ⌈yearly_price(label length) × duration_ms / YEAR_MS⌉`, where the yearly price comes
//! from the chain spec's table by the length of the name's first label in *characters*
//! ([`label_char_count`]: an `xn--` label counts its Unicode form, so `xn--ls8h` (💩) is one
//! character, priced as a 1-character name, not as the 8 bytes it is stored in). The default table (see `DomainParams::default`): 1-3 characters 100 GHOST a year,
//! 4 characters 20 GHOST, 5 or more 5 GHOST. Renewals cost the same. Subnames are free.

use ghost_primitives::names::label_char_count;
use ghost_primitives::{Balance, DomainName};

use crate::types::{DomainParams, YEAR_MS};

/// The yearly price of `name`'s first label, by its character count.
pub fn yearly_price(name: &DomainName, params: &DomainParams) -> Balance {
    let len = label_char_count(name.first_label());
    params
        .yearly_price
        .iter()
        .find(|(max_len, _)| len <= usize::from(*max_len))
        .or(params.yearly_price.last())
        .map(|(_, price)| *price)
        .unwrap_or(0)
}

/// The fee for registering or renewing `name` for `duration_ms`; `None` on overflow.
pub fn price(name: &DomainName, duration_ms: u64, params: &DomainParams) -> Option<Balance> {
    let yearly = yearly_price(name, params);
    let numerator = yearly.checked_mul(Balance::from(duration_ms))?;
    Some(numerator.div_ceil(Balance::from(YEAR_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DAY_MS;

    const GHOST: Balance = 1_000_000_000_000;

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn price_follows_label_length_and_duration() {
        let p = DomainParams::default();
        assert_eq!(price(&name("abc.ghost"), YEAR_MS, &p), Some(100 * GHOST));
        assert_eq!(price(&name("abcd.ghost"), YEAR_MS, &p), Some(20 * GHOST));
        assert_eq!(price(&name("alice.ghost"), YEAR_MS, &p), Some(5 * GHOST));
        assert_eq!(
            price(&name("alice.ghost"), 2 * YEAR_MS, &p),
            Some(10 * GHOST)
        );
        // 28 days rounds up to the smallest unit.
        let month = price(&name("alice.ghost"), 28 * DAY_MS, &p).unwrap();
        assert_eq!(
            month,
            (5 * GHOST * 28 * u128::from(DAY_MS)).div_ceil(u128::from(YEAR_MS))
        );
    }

    /// Internationalised labels are priced by their characters, not the bytes of their A-label:
    /// before, `xn--ls8h` (one emoji) paid the 5+ character price, a 100 GHOST name for 5.
    #[test]
    fn idn_labels_are_priced_by_character_count() {
        let p = DomainParams::default();
        // 💩: one character, eight bytes.
        assert_eq!(
            price(&name("xn--ls8h.ghost"), YEAR_MS, &p),
            Some(100 * GHOST)
        );
        // 日本: two characters.
        assert_eq!(
            price(&name("xn--wgv71a.ghost"), YEAR_MS, &p),
            Some(100 * GHOST)
        );
        // bücher: six characters, 13 bytes.
        assert_eq!(
            price(&name("xn--bcher-kva.ghost"), YEAR_MS, &p),
            Some(5 * GHOST)
        );
        // 日本語版: four characters, the 4-character price.
        assert_eq!(
            price(&name("xn--wgv71a17v8py.ghost"), YEAR_MS, &p),
            Some(20 * GHOST)
        );
        // ñandú: five characters.
        assert_eq!(
            price(&name("xn--and-6ma2c.ghost"), YEAR_MS, &p),
            Some(5 * GHOST)
        );
    }

    #[test]
    fn overflow_is_reported() {
        let p = DomainParams {
            yearly_price: vec![(u8::MAX, u128::MAX)],
            ..DomainParams::default()
        };
        assert_eq!(price(&name("alice.ghost"), YEAR_MS, &p), None);
    }
}
