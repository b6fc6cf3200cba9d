//! API keys of runtime environments (`tr_dev_...`, `pk_dev_...`), the random strings all keys and tokens are made of, and [`PlainKey`], the one type that holds a plain key or token.

use std::fmt::{self, Write as _};

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::db::models::RuntimeEnvironmentType;

/// The failure of the operating system's random number generator.
pub use getrandom::Error as EntropyError;

/// The characters of the random part of keys and tokens: lower-case letters and
/// digits, so that a key survives being typed, pasted into a URL or a shell.
const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of the random part of an environment API key: 20 characters of 36,
/// about 103 bits.
pub const API_KEY_RANDOM_LEN: usize = 20;

/// How many characters of the random part of a key or token stay readable in
/// its preview: enough for a user to tell their keys apart, far too few to
/// guess the rest.
const VISIBLE_SECRET_CHARS: usize = 4;

/// Appends `len` characters drawn uniformly from `[a-z0-9]` with the operating
/// system's generator; the random bytes are overwritten once used.
fn push_random_alphanumeric(out: &mut String, len: usize) -> Result<(), EntropyError> {
    // 252 = 7 * 36: bytes at or above it are dropped so that every character
    // is equally likely.
    const LIMIT: u8 = 252;
    let target = out.len() + len;
    let mut buffer = Zeroizing::new([0u8; 64]);
    while out.len() < target {
        getrandom::fill(buffer.as_mut())?;
        for &byte in buffer.iter() {
            if byte < LIMIT && out.len() < target {
                out.push(char::from(ALPHABET[usize::from(byte % 36)]));
            }
        }
    }
    Ok(())
}

/// `len` characters drawn uniformly from `[a-z0-9]` with the operating system's
/// generator, for random strings that are not secrets (public references); a
/// secret is made with [`PlainKey::generate`].
pub fn random_alphanumeric(len: usize) -> Result<String, EntropyError> {
    let mut out = String::with_capacity(len);
    push_random_alphanumeric(&mut out, len)?;
    Ok(out)
}

/// A plain API key or access token: what its owner is shown once, and what a
/// request presents. The database keeps only its [`PlainKey::hash`] and
/// [`PlainKey::preview`].
///
/// Its `Debug` form is the preview, so a key never reaches a log by way of a
/// `{:?}`; it has no `Display`, so printing the key takes an explicit
/// [`PlainKey::expose`]. Its memory is overwritten when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainKey(String);

impl PlainKey {
    /// `prefix` followed by `random_len` random characters of `[a-z0-9]`.
    pub fn generate(prefix: &str, random_len: usize) -> Result<Self, EntropyError> {
        // Allocated once at its final size, so no copy of the key is left behind
        // by a reallocation.
        let mut key = PlainKey(String::with_capacity(prefix.len() + random_len));
        key.0.push_str(prefix);
        push_random_alphanumeric(&mut key.0, random_len)?;
        Ok(key)
    }

    /// A key or token received from a caller (a request header), so that it is
    /// zeroized and redacted like one this code made.
    pub fn from_presented(key: &str) -> Self {
        PlainKey(key.to_owned())
    }

    /// The key itself, for showing it to its owner once or sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The lower-case hex SHA-256 of the key, the form the database stores.
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }

    /// The displayable form of the key, e.g. `tr_dev_abcd••••••••`.
    pub fn preview(&self) -> String {
        obfuscate_token(&self.0)
    }
}

impl fmt::Debug for PlainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlainKey({})", self.preview())
    }
}

impl Drop for PlainKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for PlainKey {}

/// The lower-case hex SHA-256 of a token or API key, the form the database
/// stores and looks keys up by.
///
/// The plain key is never stored, so a leaked table, backup or replica does
/// not leak working keys; a fast hash is enough because keys are long random
/// strings, not passwords.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        // Writing into a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The displayable form of a token or API key: its prefix (up to the last `_`)
/// and the first few characters after it, then bullets, e.g.
/// `tr_pat_abcd••••••••`.
pub fn obfuscate_token(token: &str) -> String {
    let secret_start = token.rfind('_').map_or(0, |underscore| underscore + 1);
    let visible: String = token[..secret_start]
        .chars()
        .chain(token[secret_start..].chars().take(VISIBLE_SECRET_CHARS))
        .collect();
    format!("{visible}••••••••")
}

/// The short name of an environment type used in its slug and its API keys:
/// `dev`, `stg`, `prod`, `preview`.
pub fn environment_slug(r#type: RuntimeEnvironmentType) -> &'static str {
    match r#type {
        RuntimeEnvironmentType::Development => "dev",
        RuntimeEnvironmentType::Staging => "stg",
        RuntimeEnvironmentType::Production => "prod",
        RuntimeEnvironmentType::Preview => "preview",
    }
}

/// Which of the two keys of an environment a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvironmentKeyKind {
    /// `tr_<env>_...`: full access to the environment, for servers.
    Secret,
    /// `pk_<env>_...`: limited access, safe to ship to browsers.
    Public,
}

/// A new secret key for an environment of this type: `tr_<env>_` and 20 random
/// characters.
pub fn new_secret_api_key(r#type: RuntimeEnvironmentType) -> Result<PlainKey, EntropyError> {
    PlainKey::generate(
        &format!("tr_{}_", environment_slug(r#type)),
        API_KEY_RANDOM_LEN,
    )
}

/// A new public key for an environment of this type: `pk_<env>_` and 20 random
/// characters.
pub fn new_public_api_key(r#type: RuntimeEnvironmentType) -> Result<PlainKey, EntropyError> {
    PlainKey::generate(
        &format!("pk_{}_", environment_slug(r#type)),
        API_KEY_RANDOM_LEN,
    )
}

/// Both plain keys of an environment, as created or rotated: returned once,
/// stored nowhere. `Debug` shows their previews only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentApiKeys {
    /// `tr_<env>_...`
    pub secret: PlainKey,
    /// `pk_<env>_...`
    pub public: PlainKey,
}

impl EnvironmentApiKeys {
    /// New secret and public keys for an environment of this type.
    pub fn generate(r#type: RuntimeEnvironmentType) -> Result<Self, EntropyError> {
        Ok(EnvironmentApiKeys {
            secret: new_secret_api_key(r#type)?,
            public: new_public_api_key(r#type)?,
        })
    }
}

/// The kind and environment type an API key claims by its prefix, or `None`
/// if it does not look like an environment key at all.
///
/// Only the text is read: whether the key exists is for the database to say.
pub fn parse_environment_key(key: &str) -> Option<(EnvironmentKeyKind, RuntimeEnvironmentType)> {
    let (kind, rest) = if let Some(rest) = key.strip_prefix("tr_") {
        (EnvironmentKeyKind::Secret, rest)
    } else if let Some(rest) = key.strip_prefix("pk_") {
        (EnvironmentKeyKind::Public, rest)
    } else {
        return None;
    };
    let (env, random) = rest.split_once('_')?;
    let r#type = RuntimeEnvironmentType::ALL
        .iter()
        .copied()
        .find(|t| environment_slug(*t) == env)?;
    let well_formed = !random.is_empty()
        && random
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    well_formed.then_some((kind, r#type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_alphanumeric_has_the_length_and_alphabet_asked_for() {
        for len in [0, 1, 20, 40, 200] {
            let text = random_alphanumeric(len).unwrap();
            assert_eq!(text.len(), len);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)), "{text}");
        }
        assert_ne!(
            random_alphanumeric(40).unwrap(),
            random_alphanumeric(40).unwrap()
        );
    }

    #[test]
    fn new_keys_parse_back_to_their_kind_and_type() {
        for r#type in RuntimeEnvironmentType::ALL.iter().copied() {
            let secret = new_secret_api_key(r#type).unwrap();
            let public = new_public_api_key(r#type).unwrap();
            let (secret, public) = (secret.expose(), public.expose());
            assert!(secret.starts_with(&format!("tr_{}_", environment_slug(r#type))));
            assert_eq!(
                parse_environment_key(secret),
                Some((EnvironmentKeyKind::Secret, r#type))
            );
            assert_eq!(
                parse_environment_key(public),
                Some((EnvironmentKeyKind::Public, r#type))
            );
        }
    }

    #[test]
    fn parse_environment_key_rejects_other_shapes() {
        for key in [
            "",
            "tr_dev_",
            "tr_dev",
            "tr_test_abc",
            "tr_pat_abc",
            "pk_dev_ABC",
            "sk_dev_abc",
            "tr_dev_abc def",
        ] {
            assert_eq!(parse_environment_key(key), None, "{key}");
        }
    }

    #[test]
    fn hash_token_is_lower_case_hex_sha256() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn obfuscate_token_keeps_prefix_and_four_secret_characters() {
        assert_eq!(
            obfuscate_token("tr_pat_abcdefghijkl"),
            "tr_pat_abcd••••••••"
        );
        assert_eq!(obfuscate_token("abcdefgh"), "abcd••••••••");
        assert_eq!(obfuscate_token("tr_oat_ab"), "tr_oat_ab••••••••");
    }

    #[test]
    fn a_plain_key_debugs_as_its_preview_and_is_zeroized_on_drop() {
        fn zeroized_on_drop<T: ZeroizeOnDrop>() {}
        zeroized_on_drop::<PlainKey>();

        let keys = EnvironmentApiKeys::generate(RuntimeEnvironmentType::Production).unwrap();
        let secret = keys.secret.expose();
        let random = &secret["tr_prod_".len()..];
        assert_eq!(random.len(), API_KEY_RANDOM_LEN);
        assert_eq!(keys.secret.hash(), hash_token(secret));
        assert_eq!(keys.secret.preview(), obfuscate_token(secret));
        let debug = format!("{keys:?} {:#?}", keys.secret);
        assert!(debug.contains(&keys.secret.preview()), "{debug}");
        for text in [secret, keys.public.expose()] {
            let random = &text[text.rfind('_').unwrap() + 1..];
            // Only the preview's four characters of the random part show.
            assert!(
                !debug.contains(&random[..VISIBLE_SECRET_CHARS + 1]),
                "{debug}"
            );
        }
        let presented = PlainKey::from_presented("tr_dev_0123456789abcdefghij");
        assert_eq!(format!("{presented:?}"), "PlainKey(tr_dev_0123••••••••)");
    }
}
