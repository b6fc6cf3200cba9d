//! The error of a generated enum's `FromStr` (with `emit_enum_valid_method`): text that is none of its labels.

/// Text that is not a label of the enum type `type_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLabel {
    /// The PostgreSQL type name (`book_type`).
    pub type_name: &'static str,
    /// The text given.
    pub label: String,
}

impl UnknownLabel {
    pub fn new(type_name: &'static str, label: &str) -> Self {
        UnknownLabel {
            type_name,
            label: label.to_string(),
        }
    }
}

impl std::fmt::Display for UnknownLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a label of enum type `{}`",
            self.label, self.type_name
        )
    }
}

impl std::error::Error for UnknownLabel {}
