//! Hex text for test vectors, `mbcli decode` input and JSON output.
//! Input may contain whitespace, `:`, `,` and `#` comments to the end of a line
//! (the annotated vector files use them).

use std::fmt;

/// Why hex text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    #[error("invalid hex digit {ch:?} at character {pos}")]
    InvalidDigit { ch: char, pos: usize },
    #[error("odd number of hex digits")]
    OddLength,
}

/// Parse hex text, ignoring separators and `#` comments.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut hi: Option<u8> = None;
    let mut in_comment = false;
    for (pos, ch) in text.chars().enumerate() {
        if in_comment {
            if ch == '\n' {
                in_comment = false;
            }
            continue;
        }
        let v = match ch {
            '#' => {
                in_comment = true;
                continue;
            }
            c if c.is_whitespace() || c == ':' || c == ',' => continue,
            c => c
                .to_digit(16)
                .ok_or(HexError::InvalidDigit { ch: c, pos })? as u8,
        };
        match hi.take() {
            None => hi = Some(v),
            Some(h) => out.push(h << 4 | v),
        }
    }
    if hi.is_some() {
        return Err(HexError::OddLength);
    }
    Ok(out)
}

/// Lower-case hex without separators.
pub fn encode(b: &[u8]) -> String {
    Hex(b).to_string()
}

/// Displays bytes as lower-case hex.
#[derive(Debug)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_annotated_hex() {
        let v = super::decode("01 02 # comment ff\n0a:0B,").unwrap();
        assert_eq!(v, [1, 2, 0x0a, 0x0b]);
        assert_eq!(super::encode(&v), "01020a0b");
        assert!(super::decode("0").is_err());
        assert!(super::decode("zz").is_err());
    }
}
