//! Which firms a `fleet` run takes: shard I of N by a hash of the firm's
//! folder name that is fixed by its definition (FNV-1a 64), so a firm's
//! shard never changes between releases or machines and depends on nothing
//! but its own name and N.

use std::ffi::OsStr;

use serde::Serialize;

use super::SHARD_INDEX_ENV;
use crate::util::exit::UsageError;

/// FNV-1a, 64 bit, over `bytes`: a hash fixed by its definition, so a
/// firm's shard never changes between releases or machines.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// One shard of the firms: those whose name hashes to `index` mod `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Every firm.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// `I/N` as typed after `--shard`.
    ///
    /// # Errors
    /// [`UsageError`] when it is not two whole numbers, N is 0, or I ≥ N.
    pub fn parse(text: &str) -> Result<Shard, UsageError> {
        let numbers = text
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?)));
        let Some((index, count)) = numbers else {
            return Err(UsageError(format!(
                "--shard {text:?} is not I/N with whole numbers I and N (e.g. --shard 0/3)"
            )));
        };
        Shard::new(index, count, &format!("--shard {text}"))
    }

    /// `I` from `$JOB_COMPLETION_INDEX` (`index`, None when unset) and `N`
    /// from `--shards`.
    ///
    /// # Errors
    /// [`UsageError`] when the variable is unset or not a number below N.
    pub fn from_env(count: u64, index: Option<&str>) -> Result<Shard, UsageError> {
        let Some(text) = index else {
            return Err(UsageError(format!(
                "--shards {count} takes this pod's shard from ${SHARD_INDEX_ENV}, which is not set (a Kubernetes Indexed Job sets it); elsewhere use --shard I/{count}"
            )));
        };
        let index = text.trim().parse::<u64>().map_err(|_| {
            UsageError(format!(
                "${SHARD_INDEX_ENV} is {text:?}, not a whole number; it should be this pod's index in an Indexed Job"
            ))
        })?;
        Shard::new(
            index,
            count,
            &format!("${SHARD_INDEX_ENV}={index} with --shards {count}"),
        )
    }

    fn new(index: u64, count: u64, what: &str) -> Result<Shard, UsageError> {
        if count == 0 {
            return Err(UsageError(format!(
                "{what}: the number of shards must be at least 1"
            )));
        }
        if index >= count {
            return Err(UsageError(format!(
                "{what}: the shard index counts from 0, so it must be below {count} (0 to {}); for an Indexed Job, --shards must equal the Job's completions",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether the firm in folder `name` belongs to this shard.
    pub fn contains(&self, name: &OsStr) -> bool {
        fnv1a64(name.as_encoded_bytes()) % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shard_spellings() {
        assert_eq!(Shard::parse("2/3").ok(), Some(Shard { index: 2, count: 3 }));
        for bad in [
            "3/3", "a/b", "1/0", "1", "/3", "1/", "-1/3", " 1/3", "1/3/4",
        ] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Shard::from_env(4, Some("3")).ok(),
            Some(Shard { index: 3, count: 4 })
        );
        assert!(Shard::from_env(4, None).is_err());
        assert!(Shard::from_env(4, Some("4")).is_err());
        assert!(Shard::from_env(4, Some("x")).is_err());
        assert!(Shard::from_env(0, Some("0")).is_err());
    }

    #[test]
    fn every_firm_in_exactly_one_shard_and_spread_evenly() {
        let names: Vec<String> = (0..3000).map(|i| format!("firm-{i:05}")).collect();
        let mut sizes = [0usize; 3];
        for name in &names {
            let shards: Vec<u64> = (0..3)
                .filter(|&i| Shard { index: i, count: 3 }.contains(OsStr::new(name)))
                .collect();
            assert_eq!(shards.len(), 1, "{name}");
            sizes[shards[0] as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| (900..1100).contains(&n)), "{sizes:?}");
    }
}
