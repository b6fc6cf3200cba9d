//! A generated enum's labels: [`labels!`] gives it `ALL`, `as_str`, `Display` and, with
//! `emit_enum_valid_method`, `FromStr`, whose error is [`UnknownLabel`]: text that is none of its labels.

/// The label methods of a generated enum, from its variants and their PostgreSQL labels in the
/// order PostgreSQL sorts them: `labels!(Mood = "mood" { Sad = "sad", Happy = "happy" })` gives
/// `Mood::ALL`, `as_str` and `Display`; a trailing `FromStr` also gives `FromStr`, whose error
/// names the type (`mood`).
#[macro_export]
macro_rules! labels {
    ($ty:ident = $pg:literal { $($variant:ident = $label:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in the order PostgreSQL sorts them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The label as stored in PostgreSQL.
            pub fn as_str(&self) -> &'static str {
                match *self {
                    $(Self::$variant => $label,)*
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    ($ty:ident = $pg:literal { $($variant:ident = $label:literal),* $(,)? } FromStr) => {
        $crate::labels!($ty = $pg { $($variant = $label),* });

        impl ::std::str::FromStr for $ty {
            type Err = $crate::UnknownLabel;

            /// The value of a PostgreSQL label; any other text is an error.
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($label => ::std::result::Result::Ok(Self::$variant),)*
                    _ => ::std::result::Result::Err($crate::UnknownLabel::new($pg, s)),
                }
            }
        }
    };
}

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
