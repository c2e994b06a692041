//! The `ghost-abi` custom section: where `contract!` (contracts/sdk) puts a contract's JSON ABI
//! in its `.wasm`, and how tools take it out before upload.
//!
//! Dependency-free on purpose: the fixtures build script includes this file with `#[path]`.

/// The name of the custom section that carries a contract's JSON ABI.
pub const ABI_SECTION: &str = "ghost-abi";

/// Why a binary could not be split into code and ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionError {
    /// The bytes do not start with the WebAssembly magic and version 1.
    NotWasm,
    /// A section header or size runs past the end, or a LEB128 is longer than 5 bytes.
    Truncated,
    /// More than one `ghost-abi` section.
    DuplicateAbi,
}

impl core::fmt::Display for SectionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            SectionError::NotWasm => "not a WebAssembly binary (no \\0asm version 1 header)",
            SectionError::Truncated => "a section runs past the end of the binary",
            SectionError::DuplicateAbi => "more than one ghost-abi section",
        })
    }
}

impl std::error::Error for SectionError {}

/// A `u32` LEB128 at `bytes[*at..]`, advancing `at`.
fn leb_u32(bytes: &[u8], at: &mut usize) -> Result<u32, SectionError> {
    let mut value: u32 = 0;
    for shift in 0..5 {
        let byte = *bytes.get(*at).ok_or(SectionError::Truncated)?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << (shift * 7);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(SectionError::Truncated)
}

/// Splits `wasm` into the binary without its `ghost-abi` custom section and that section's
/// contents (`None` if it has none). Every other section is kept byte for byte.
pub fn split_abi(wasm: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), SectionError> {
    const HEADER: &[u8; 8] = b"\0asm\x01\0\0\0";
    if !wasm.starts_with(HEADER) {
        return Err(SectionError::NotWasm);
    }
    let mut code = HEADER.to_vec();
    let mut abi = None;
    let mut at = HEADER.len();
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = leb_u32(wasm, &mut at)? as usize;
        let end = at.checked_add(size).ok_or(SectionError::Truncated)?;
        let payload = wasm.get(at..end).ok_or(SectionError::Truncated)?;
        let mut is_abi = false;
        if id == 0 {
            let mut name_at = 0;
            if let Ok(len) = leb_u32(payload, &mut name_at) {
                let name_end = name_at.saturating_add(len as usize);
                if payload.get(name_at..name_end) == Some(ABI_SECTION.as_bytes()) {
                    if abi.is_some() {
                        return Err(SectionError::DuplicateAbi);
                    }
                    abi = Some(payload[name_end..].to_vec());
                    is_abi = true;
                }
            }
        }
        if !is_abi {
            code.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    Ok((code, abi))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A custom section `name` with `contents`.
    fn custom(name: &str, contents: &[u8]) -> Vec<u8> {
        let mut payload = vec![name.len() as u8];
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(contents);
        let mut section = vec![0, payload.len() as u8];
        section.extend(payload);
        section
    }

    #[test]
    fn the_abi_section_comes_out_and_every_other_section_stays() {
        let module = wat::parse_str(r#"(module (func (export "call")))"#).unwrap();
        let mut with_abi = module.clone();
        with_abi.extend(custom("name", b"kept"));
        with_abi.extend(custom(ABI_SECTION, br#"{"version":1}"#));
        let (code, abi) = split_abi(&with_abi).unwrap();
        let mut expected = module.clone();
        expected.extend(custom("name", b"kept"));
        assert_eq!(code, expected);
        assert_eq!(abi.as_deref(), Some(&br#"{"version":1}"#[..]));
        assert_eq!(split_abi(&module).unwrap(), (module, None));
    }

    #[test]
    fn hostile_binaries_are_refused_with_their_reason() {
        assert_eq!(split_abi(b"\0asm"), Err(SectionError::NotWasm));
        assert_eq!(split_abi(b"hello world!"), Err(SectionError::NotWasm));
        let mut truncated = b"\0asm\x01\0\0\0".to_vec();
        truncated.extend([1, 0x20, 0]);
        assert_eq!(split_abi(&truncated), Err(SectionError::Truncated));
        let mut endless_leb = b"\0asm\x01\0\0\0".to_vec();
        endless_leb.extend([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert_eq!(split_abi(&endless_leb), Err(SectionError::Truncated));
        let mut twice = b"\0asm\x01\0\0\0".to_vec();
        twice.extend(custom(ABI_SECTION, b"{}"));
        twice.extend(custom(ABI_SECTION, b"{}"));
        assert_eq!(split_abi(&twice), Err(SectionError::DuplicateAbi));
    }
}
