//! API keys of runtime environments (`tr_dev_...`, `pk_dev_...`) and the random strings all keys and tokens are made of.

use crate::db::models::RuntimeEnvironmentType;

/// The failure of the operating system's random number generator.
pub use getrandom::Error as EntropyError;

/// The characters of the random part of keys and tokens: lower-case letters and
/// digits, so that a key survives being typed, pasted into a URL or a shell.
const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of the random part of an environment API key: 20 characters of 36,
/// about 103 bits.
pub const API_KEY_RANDOM_LEN: usize = 20;

/// `len` characters drawn uniformly from `[a-z0-9]` with the operating system's
/// generator.
pub fn random_alphanumeric(len: usize) -> Result<String, EntropyError> {
    // 252 = 7 * 36: bytes at or above it are dropped so that every character
    // is equally likely.
    const LIMIT: u8 = 252;
    let mut out = String::with_capacity(len);
    let mut buffer = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buffer)?;
        for byte in buffer {
            if byte < LIMIT && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(byte % 36)]));
            }
        }
    }
    Ok(out)
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
pub fn new_secret_api_key(r#type: RuntimeEnvironmentType) -> Result<String, EntropyError> {
    Ok(format!(
        "tr_{}_{}",
        environment_slug(r#type),
        random_alphanumeric(API_KEY_RANDOM_LEN)?
    ))
}

/// A new public key for an environment of this type: `pk_<env>_` and 20 random
/// characters.
pub fn new_public_api_key(r#type: RuntimeEnvironmentType) -> Result<String, EntropyError> {
    Ok(format!(
        "pk_{}_{}",
        environment_slug(r#type),
        random_alphanumeric(API_KEY_RANDOM_LEN)?
    ))
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
            assert!(secret.starts_with(&format!("tr_{}_", environment_slug(r#type))));
            assert_eq!(
                parse_environment_key(&secret),
                Some((EnvironmentKeyKind::Secret, r#type))
            );
            assert_eq!(
                parse_environment_key(&public),
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
}
