//! Randomness for passwords, keys and MAC-like values.

/// `n` random bytes.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 16);
    while out.len() < n {
        out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    out.truncate(n);
    out
}

/// A password as Synnefo generates one: 10 characters with at least one
/// lower case letter, one upper case letter and one digit.
pub fn password() -> String {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"0123456789";
    let pool: Vec<u8> = [LOWER, UPPER, DIGITS].concat();
    let random = bytes(10);
    let mut chars: Vec<u8> = random[..7]
        .iter()
        .map(|b| pool[usize::from(*b) % pool.len()])
        .collect();
    chars.push(LOWER[usize::from(random[7]) % LOWER.len()]);
    chars.push(UPPER[usize::from(random[8]) % UPPER.len()]);
    chars.push(DIGITS[usize::from(random[9]) % DIGITS.len()]);
    String::from_utf8(chars).unwrap_or_default()
}

/// Lower-case hex of `n` random bytes.
pub fn hex(n: usize) -> String {
    bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a password is as strong as Synnefo demands of `adminPass`.
pub fn is_strong(password: &str) -> bool {
    password.chars().count() >= 10
        && password.chars().any(char::is_uppercase)
        && password.chars().any(char::is_lowercase)
        && password.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_strong() {
        for _ in 0..50 {
            let p = password();
            assert_eq!(p.len(), 10);
            assert!(is_strong(&p), "{p}");
        }
        assert!(!is_strong("short1A"));
        assert_eq!(hex(4).len(), 8);
    }
}
