//! The authentication token, held so that it never shows by accident.

use std::fmt;
use std::sync::Arc;

/// A Synnefo authentication token.
///
/// Its `Debug` and `Display` forms print `...`, so it never appears in logs,
/// error messages or panics; [`Token::expose`] gives the secret to whoever
/// really needs it.
///
/// ```
/// use kamaki::clients::Token;
/// let token = Token::from("s3cr3t");
/// assert_eq!(format!("{token} {token:?}"), "... Token(...)");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token string.
    pub fn new(token: impl AsRef<str>) -> Self {
        Token(Arc::from(token.as_ref().trim()))
    }

    /// The token itself, for the `X-Auth-Token` header or a config file.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(...)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("...")
    }
}

impl From<&str> for Token {
    fn from(token: &str) -> Self {
        Token::new(token)
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Token::new(token)
    }
}

impl From<&String> for Token {
    fn from(token: &String) -> Self {
        Token::new(token)
    }
}
