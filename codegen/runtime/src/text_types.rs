//! Types whose binary format is their text: `xml`, `jsonpath` (after a version byte), `refcursor`, `pg_node_tree`.

use bytes::BufMut;

use crate::wire::newtype_wire;

/// An `xml` value or document, as the text PostgreSQL checked when it stored it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Xml(pub String);
newtype_wire!(
    Xml,
    "xml",
    [XML],
    |r| r.rest_utf8()?.to_owned(),
    |v, out| out.put_slice(v.as_bytes())
);

/// A `jsonpath` expression (`$.a[*] ? (@ > 1)`), as text; the server parses and normalises it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct JsonPath(pub String);

/// The only version of `jsonpath`'s binary format: one byte before the text.
const JSONPATH_VERSION: u8 = 1;

newtype_wire!(
    JsonPath,
    "jsonpath",
    [JSONPATH],
    |r| {
        let version = r.u8()?;
        if version != JSONPATH_VERSION {
            return Err(r.error(format_args!("unknown version {version}")));
        }
        r.rest_utf8()?.to_owned()
    },
    |v, out| {
        out.put_u8(JSONPATH_VERSION);
        out.put_slice(v.as_bytes())
    }
);

/// The name of a cursor (`refcursor`), as a PL/pgSQL function returns it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Refcursor(pub String);
newtype_wire!(
    Refcursor,
    "refcursor",
    [REFCURSOR],
    |r| r.rest_utf8()?.to_owned(),
    |v, out| out.put_slice(v.as_bytes())
);

/// A stored expression tree (`pg_node_tree`: `pg_attrdef.adbin`, `pg_index.indpred`...) in its
/// text form; readable only, PostgreSQL accepts no such value as a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PgNodeTree(pub String);
newtype_wire!(
    PgNodeTree,
    "pg_node_tree",
    [PG_NODE_TREE],
    |r| r.rest_utf8()?.to_owned(),
    |v, out| out.put_slice(v.as_bytes())
);
