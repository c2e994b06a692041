//! Name fees.
//!
//! `price = ⌈yearly_price(label length) × duration_ms / YEAR_MS⌉`, where the yearly price comes
//! from the chain spec's table by the length (in bytes, punycode included) of the name's first
//! label. The default table (see `DomainParams::default`): 1-3 characters 100 GHOST a year,
//! 4 characters 20 GHOST, 5 or more 5 GHOST. Renewals cost the same. Subnames are free.

use ghost_primitives::{Balance, DomainName};

use crate::types::{DomainParams, YEAR_MS};

/// The yearly price of `name`'s first label.
pub fn yearly_price(name: &DomainName, params: &DomainParams) -> Balance {
    let len = name.first_label().len();
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

    #[test]
    fn overflow_is_reported() {
        let p = DomainParams {
            yearly_price: vec![(u8::MAX, u128::MAX)],
            ..DomainParams::default()
        };
        assert_eq!(price(&name("alice.ghost"), YEAR_MS, &p), None);
    }
}
