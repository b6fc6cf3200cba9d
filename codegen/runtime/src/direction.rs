//! The sort direction a dynamic query's caller chooses (`-- sqlgen: sort`): one of the shapes
//! generated in advance, never text from the caller.

/// Ascending or descending order of a sorted query's key (and of its keyset tie-breaker).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first; a keyset page continues after its cursor (`>`).
    #[default]
    Asc,
    /// Largest first; a keyset page continues before its cursor (`<`).
    Desc,
}

impl Direction {
    /// The direction's bit in a generated shape index: 0 for `Asc`, 1 for `Desc`.
    pub const fn bit(self) -> usize {
        match self {
            Direction::Asc => 0,
            Direction::Desc => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Direction;

    #[test]
    fn ascending_by_default_and_bits_follow_shape_order() {
        assert_eq!(Direction::default(), Direction::Asc);
        assert_eq!((Direction::Asc.bit(), Direction::Desc.bit()), (0, 1));
    }
}
