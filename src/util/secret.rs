//! The one keyed hash this tool needs: the state file remembers which key
//! it was last used with as an HMAC-SHA256 under a random salt of its own,
//! so a changed key is noticed without the key being kept for it (ring,
//! already in the tree for TLS).

use std::fmt::Write;

/// `n` random bytes from the system's generator, as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The system generator fails only when the OS has none; a salt from the
    // clock is then still a salt (the hash stays one-way).
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos
            .to_le_bytes()
            .iter()
            .copied()
            .cycle()
            .take(n)
            .collect();
    }
    hex(&bytes)
}

/// HMAC-SHA256 of `data` under `key`, as hex.
pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    hex(ring::hmac::sign(&key, data).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_keyed_and_never_the_key() {
        let a = hmac_hex(b"salt-1", b"sandbox-demo-key");
        assert_eq!(a.len(), 64);
        assert_eq!(a, hmac_hex(b"salt-1", b"sandbox-demo-key"));
        assert_ne!(a, hmac_hex(b"salt-2", b"sandbox-demo-key"));
        assert_ne!(a, hmac_hex(b"salt-1", b"another-key"));
        assert!(!a.contains("sandbox"));
        assert_ne!(random_hex(16), random_hex(16));
    }
}
