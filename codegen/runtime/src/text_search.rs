//! Full-text search values: `TsVector` (`tsvector`) and `TsQuery` (`tsquery`).

use bytes::{BufMut, BytesMut};
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

use crate::wire::{put_len, BoxError, Reader};

/// A `tsvector`: distinct lexemes, each with the positions (and weights) where it occurs.
///
/// PostgreSQL sorts the lexemes and their positions; a value read back is in that order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TsVector(pub Vec<Lexeme>);

/// One lexeme of a [`TsVector`] (`'fat':2,4A`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lexeme {
    pub word: String,
    /// Empty for a lexeme without positions (`'fat'`).
    pub positions: Vec<LexemePosition>,
}

/// Where a lexeme occurs: a position from 1 to 16,383 and a weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LexemePosition {
    pub position: u16,
    pub weight: Weight,
}

/// A lexeme position's weight; `D` is the default and is not printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Weight {
    A,
    B,
    C,
    #[default]
    D,
}

// A position is 14 bits of position under 2 bits of weight (3 is A, 0 is D).
const POSITION_BITS: u16 = 0x3FFF;

impl LexemePosition {
    fn from_wire(bits: u16) -> Self {
        let weight = match bits >> 14 {
            3 => Weight::A,
            2 => Weight::B,
            1 => Weight::C,
            _ => Weight::D,
        };
        LexemePosition {
            position: bits & POSITION_BITS,
            weight,
        }
    }

    fn to_wire(self) -> Result<u16, BoxError> {
        if self.position > POSITION_BITS {
            return Err(format!("tsvector position {} is over 16383", self.position).into());
        }
        let weight: u16 = match self.weight {
            Weight::A => 3,
            Weight::B => 2,
            Weight::C => 1,
            Weight::D => 0,
        };
        Ok((weight << 14) | self.position)
    }
}

impl<'a> FromSql<'a> for TsVector {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("tsvector", raw);
        let n = r.count()?;
        let mut lexemes = Vec::with_capacity(n.min(raw.len()));
        for _ in 0..n {
            let word = r.c_string()?.to_owned();
            let count = r.u16()?;
            let positions = (0..count)
                .map(|_| r.u16().map(LexemePosition::from_wire))
                .collect::<Result<_, _>>()?;
            lexemes.push(Lexeme { word, positions });
        }
        r.finish()?;
        Ok(TsVector(lexemes))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TS_VECTOR
    }
}

impl ToSql for TsVector {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        put_len(out, self.0.len())?;
        for lexeme in &self.0 {
            put_c_string(out, &lexeme.word)?;
            let count = u16::try_from(lexeme.positions.len())
                .map_err(|_| "too many positions for one lexeme")?;
            out.put_u16(count);
            for p in &lexeme.positions {
                out.put_u16(p.to_wire()?);
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TS_VECTOR
    }

    to_sql_checked!();
}

fn put_c_string(out: &mut BytesMut, s: &str) -> Result<(), BoxError> {
    if s.contains('\0') {
        return Err("a text search word cannot contain NUL".into());
    }
    out.put_slice(s.as_bytes());
    out.put_u8(0);
    Ok(())
}

/// A `tsquery` as PostgreSQL keeps it: its items in prefix order, an operator before its
/// operands (the right operand first after a binary operator), `'a' & !'b'` being
/// `[And, Not, Operand b, Operand a]`.
///
/// The items round-trip exactly; build queries in SQL (`to_tsquery($1)`) rather than by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TsQuery(pub Vec<TsQueryItem>);

/// One item of a [`TsQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TsQueryItem {
    /// A lexeme to match; `weights` is a bit mask of the weights it matches (8 A, 4 B, 2 C, 1 D;
    /// 0 any), `prefix` is `:*`.
    Operand {
        word: String,
        weights: u8,
        prefix: bool,
    },
    /// `!`
    Not,
    /// `&`
    And,
    /// `|`
    Or,
    /// `<N>` (`<->` is distance 1).
    Phrase { distance: u16 },
}

// Item and operator codes of PostgreSQL's ts_type.h.
const ITEM_OPERAND: u8 = 1;
const ITEM_OPERATOR: u8 = 2;
const OP_NOT: u8 = 1;
const OP_AND: u8 = 2;
const OP_OR: u8 = 3;
const OP_PHRASE: u8 = 4;

impl<'a> FromSql<'a> for TsQuery {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("tsquery", raw);
        let n = r.count()?;
        let mut items = Vec::with_capacity(n.min(raw.len()));
        for _ in 0..n {
            let item = match r.u8()? {
                ITEM_OPERAND => {
                    let weights = r.u8()?;
                    let prefix = r.u8()? != 0;
                    let word = r.c_string()?.to_owned();
                    TsQueryItem::Operand {
                        word,
                        weights,
                        prefix,
                    }
                }
                ITEM_OPERATOR => match r.u8()? {
                    OP_NOT => TsQueryItem::Not,
                    OP_AND => TsQueryItem::And,
                    OP_OR => TsQueryItem::Or,
                    OP_PHRASE => TsQueryItem::Phrase { distance: r.u16()? },
                    other => return Err(r.error(format_args!("unknown operator {other}"))),
                },
                other => return Err(r.error(format_args!("unknown item type {other}"))),
            };
            items.push(item);
        }
        r.finish()?;
        Ok(TsQuery(items))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TSQUERY
    }
}

impl ToSql for TsQuery {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        put_len(out, self.0.len())?;
        for item in &self.0 {
            let operator = match item {
                TsQueryItem::Operand {
                    word,
                    weights,
                    prefix,
                } => {
                    out.put_u8(ITEM_OPERAND);
                    out.put_u8(*weights);
                    out.put_u8(u8::from(*prefix));
                    put_c_string(out, word)?;
                    continue;
                }
                TsQueryItem::Not => OP_NOT,
                TsQueryItem::And => OP_AND,
                TsQueryItem::Or => OP_OR,
                TsQueryItem::Phrase { .. } => OP_PHRASE,
            };
            out.put_u8(ITEM_OPERATOR);
            out.put_u8(operator);
            if let TsQueryItem::Phrase { distance } = item {
                out.put_u16(*distance);
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TSQUERY
    }

    to_sql_checked!();
}
