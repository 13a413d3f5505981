//! Field 63: operator number in requests, card organisation code (+ text) in responses.

use super::{view_error, ViewError};

/// Field 63: a 3-character code (operator `001`, or card organisation `CUP`, `VIS`, `MCC`,
/// ...) optionally followed by text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field63 {
    /// 63.1: operator number (request) or card organisation (response).
    pub code: String,
    /// 63.2 and beyond, as received.
    pub text: String,
}

impl Field63 {
    /// Parses field 63.
    pub fn parse(value: &str) -> Result<Self, ViewError> {
        let code = value
            .get(..3)
            .ok_or_else(|| view_error("63", "needs at least 3 characters"))?;
        Ok(Field63 {
            code: code.to_owned(),
            text: value.get(3..).unwrap_or("").to_owned(),
        })
    }

    /// The text of field 63.
    pub fn to_value(&self) -> String {
        format!("{}{}", self.code, self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert_eq!(Field63::parse("CUP").unwrap().code, "CUP");
        assert_eq!(Field63::parse("001").unwrap().to_value(), "001");
        assert!(Field63::parse("01").is_err());
    }
}
