//! The seeded random source: splitmix64, so a seed and a query index give the same query on every machine.

/// splitmix64: tiny, fast, and good enough to pick grammar branches.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of query `index` of a run with `seed`: each query has its own stream, so one
    /// query can be regenerated alone (`--only-index`).
    pub fn for_query(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5851_f42d_4c95_7f2d);
        let mixed = r.next_u64() ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        Rng(mixed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_index_same_stream() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_query(1, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::for_query(1, 7).next_u64(),
            Rng::for_query(1, 8).next_u64()
        );
        assert_ne!(
            Rng::for_query(1, 7).next_u64(),
            Rng::for_query(2, 7).next_u64()
        );
    }
}
