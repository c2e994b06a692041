//! `--args`: typed contract arguments (`u128:1000`, `account:ghost1…`) encoded as SCALE.

use super::*;

/// The call data of a `--method`/`--args`/`--data` triple (without `--abi`).
#[cfg(test)]
pub fn call_data(input: &CallInput) -> anyhow::Result<Vec<u8>> {
    call_data_with(input, None)
}

/// The call data of a `--method`/`--args`/`--data` triple, the arguments checked against `abi`
/// when it is given.
pub fn call_data_with(input: &CallInput, abi: Option<&Abi>) -> anyhow::Result<Vec<u8>> {
    match (&input.method, &input.data) {
        (Some(name), None) if abi.is_some() => {
            let method = abi.expect("checked").method(name)?;
            let params = method.args.as_deref().ok_or_else(|| {
                anyhow::anyhow!(
                    "the ABI does not declare the arguments of `{name}`: use --data, or --args \
                     without --abi"
                )
            })?;
            let mut data = selector(name).to_vec();
            data.extend(
                encode_with(params, input.args.as_deref()).map_err(|e| e.context("--args"))?,
            );
            Ok(data)
        }
        (Some(method), None) => {
            let mut data = selector(method).to_vec();
            if let Some(args) = &input.args {
                data.extend(encode_args(args).map_err(|e| e.context("--args"))?);
            }
            Ok(data)
        }
        (None, Some(data)) => parse_bytes(data, "--data"),
        (Some(_), Some(_)) => anyhow::bail!("give either --method or --data, not both"),
        (None, None) => anyhow::bail!("give --method NAME or --data 0x.."),
    }
}

/// `0x` hex bytes of an option.
pub(super) fn parse_bytes(input: &str, flag: &str) -> anyhow::Result<Vec<u8>> {
    decode_hex(input).map_err(|e| anyhow::anyhow!("{flag} `{input}`: {e}"))
}

/// A JSON array of `"TYPE:VALUE"` strings, SCALE-encoded in order.
pub fn encode_args(json: &str) -> anyhow::Result<Vec<u8>> {
    let items: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| anyhow::anyhow!("expected a JSON array of \"TYPE:VALUE\" strings: {e}"))?;
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            anyhow::bail!("argument {index}: expected a \"TYPE:VALUE\" string, found {item}");
        };
        let encoded = encode_arg(text).map_err(|e| e.context(format!("argument {index}")))?;
        out.extend(encoded);
    }
    Ok(out)
}

/// One `TYPE:VALUE`, SCALE-encoded.
pub fn encode_arg(item: &str) -> anyhow::Result<Vec<u8>> {
    let Some((ty, value)) = item.split_once(':') else {
        anyhow::bail!("`{item}`: expected TYPE:VALUE, such as u32:5");
    };
    let bad = |e: &dyn std::fmt::Display| anyhow::anyhow!("`{item}`: {e}");
    let int = |value: &str| -> anyhow::Result<()> {
        let digits = value.strip_prefix('-').unwrap_or(value);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            anyhow::bail!("`{item}`: expected a decimal integer");
        }
        Ok(())
    };
    // A decimal `value` as `$t`, range-checked.
    macro_rules! number {
        ($t:ty) => {{
            int(value)?;
            value.parse::<$t>().map_err(|_| {
                anyhow::anyhow!(
                    "`{item}`: out of range for {} ({}..={})",
                    stringify!($t),
                    <$t>::MIN,
                    <$t>::MAX
                )
            })?
        }};
    }
    Ok(match ty {
        "u8" => number!(u8).encode(),
        "u16" => number!(u16).encode(),
        "u32" => number!(u32).encode(),
        "u64" => number!(u64).encode(),
        "u128" => number!(u128).encode(),
        "i8" => number!(i8).encode(),
        "i16" => number!(i16).encode(),
        "i32" => number!(i32).encode(),
        "i64" => number!(i64).encode(),
        "i128" => number!(i128).encode(),
        "compact" => Compact(number!(u128)).encode(),
        "bool" => match value {
            "true" => true.encode(),
            "false" => false.encode(),
            _ => anyhow::bail!("`{item}`: expected true or false"),
        },
        "balance" => parse_amount(value).map_err(|e| bad(&e))?.encode(),
        "account" | "address" => value.parse::<AccountId>().map_err(|e| bad(&e))?.encode(),
        "hash" => value.parse::<Hash>().map_err(|e| bad(&e))?.encode(),
        "bytes" => decode_hex(value).map_err(|e| bad(&e))?.encode(),
        "raw" => decode_hex(value).map_err(|e| bad(&e))?,
        "string" | "str" => value.encode(),
        other => anyhow::bail!(
            "`{item}`: unknown type `{other}` (u8…u128, i8…i128, bool, compact, balance, account, \
             hash, bytes, string, raw)"
        ),
    })
}

/// `--storage-deposit-limit` in smallest units.
pub(crate) fn parse_deposit_limit(limit: Option<&str>) -> anyhow::Result<Option<Balance>> {
    limit
        .map(|limit| {
            parse_amount(limit)
                .map_err(|e| anyhow::anyhow!("--storage-deposit-limit `{limit}`: {e}"))
        })
        .transpose()
}

impl RunArgs {
    /// The value in smallest units.
    pub(super) fn value(&self) -> anyhow::Result<Balance> {
        parse_amount(&self.value).map_err(|e| anyhow::anyhow!("--value `{}`: {e}", self.value))
    }
}

/// Validated `instantiate` arguments.
#[derive(Debug, Clone)]
pub(super) struct Instantiate {
    pub(super) signer: Signer,
    pub(super) code_hash: Hash,
    pub(super) data: Vec<u8>,
    pub(super) salt: Vec<u8>,
    pub(super) value: Balance,
    pub(super) fuel: u64,
    pub(super) storage_deposit_limit: Option<Balance>,
    /// `--dry-run`: `Some(at)` (`at`: `--at`, `None` for the best block).
    pub(super) dry_run: Option<Option<Hash>>,
    /// `--abi`.
    pub(super) abi: Option<Abi>,
}

impl InstantiateArgs {
    pub(super) fn validate(&self) -> anyhow::Result<Instantiate> {
        let signer = self.tx.validate()?;
        let code_hash = parse_hash(&self.code_hash, "code hash")?;
        let abi = self.abi.as_deref().map(load_abi).transpose()?;
        let data = match (&self.data, &self.args, &abi) {
            (Some(data), _, _) => parse_bytes(data, "--data")?,
            (None, args, Some(abi)) => {
                let params = abi.deploy.args.as_deref().ok_or_else(|| {
                    anyhow::anyhow!("the ABI does not declare deploy's arguments: use --data")
                })?;
                encode_with(params, args.as_deref()).map_err(|e| e.context("--args"))?
            }
            (None, Some(args), None) => encode_args(args).map_err(|e| e.context("--args"))?,
            (None, None, None) => Vec::new(),
        };
        let salt = match &self.salt {
            Some(salt) => parse_bytes(salt, "--salt")?,
            None => Vec::new(),
        };
        let at = parse_at(self.at.as_deref())?;
        Ok(Instantiate {
            signer,
            code_hash,
            data,
            salt,
            value: self.run.value()?,
            fuel: self.run.fuel,
            storage_deposit_limit: parse_deposit_limit(self.storage_deposit_limit.as_deref())?,
            dry_run: self.dry_run.then_some(at),
            abi,
        })
    }
}

/// The block hash of `--at`.
pub(super) fn parse_at(at: Option<&str>) -> anyhow::Result<Option<Hash>> {
    at.map(|at| parse_hash(at, "block hash").map_err(|e| e.context("--at")))
        .transpose()
}

/// Validated `call` and `query` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) dest: AccountId,
    pub(crate) data: Vec<u8>,
    pub(crate) value: Balance,
    pub(crate) fuel: u64,
    /// `--abi`.
    pub(crate) abi: Option<Abi>,
}

impl Run {
    /// The `Contracts.call` extrinsic's call for this run.
    pub(crate) fn call(&self, storage_deposit_limit: Option<Balance>) -> RuntimeCall {
        RuntimeCall::Contracts(ContractsCall::Call {
            dest: self.dest,
            value: self.value,
            fuel_limit: self.fuel,
            storage_deposit_limit,
            data: self.data.clone(),
        })
    }

    /// The declared return type of the `--method` of `input`, if there is an ABI.
    pub(super) fn returns<'a>(&'a self, input: &CallInput) -> Option<&'a str> {
        let name = input.method.as_deref()?;
        self.abi.as_ref()?.method(name).ok()?.returns.as_deref()
    }
}

pub(crate) fn validate_run(address: &str, input: &CallInput, run: &RunArgs) -> anyhow::Result<Run> {
    let abi = input.abi.as_deref().map(load_abi).transpose()?;
    let value = run.value()?;
    if let (Some(abi), Some(name)) = (&abi, &input.method)
        && value != 0
        && !abi.method(name)?.payable
    {
        anyhow::bail!("`{name}` is not payable (the ABI says so): it would revert with --value");
    }
    Ok(Run {
        dest: parse_address(address)?,
        data: call_data_with(input, abi.as_ref())?,
        value,
        fuel: run.fuel,
        abi,
    })
}

impl QueryArgs {
    /// The origin of the dry run.
    pub(super) fn origin(&self) -> anyhow::Result<AccountId> {
        match (&self.from, &self.origin) {
            (Some(suri), _) => Ok(pair_from_suri(suri)
                .map_err(|e| e.context("--from"))?
                .public()),
            (None, Some(origin)) => parse_address(origin).map_err(|e| e.context("--origin")),
            (None, None) => Ok(AccountId([0; 32])),
        }
    }
}
