//! `Interval` and the re-exported cidr types, round-tripped through a real server.

use std::str::FromStr;

use sqlgen_runtime::cidr::{IpCidr, IpInet};
use sqlgen_runtime::{Client, GenericClient, Interval};

const SCHEMA: &str = "CREATE TABLE networks (id int PRIMARY KEY, net cidr NOT NULL, host inet, lease interval NOT NULL)";
const INSERT: &str = "INSERT INTO networks (id, net, host, lease) VALUES ($1, $2, $3, $4)";
const SELECT: &str = "SELECT net, host, lease FROM networks WHERE id = $1";
const INTERVAL_TEXT: &str = "SELECT $1::interval::text";
const CIDR_TEXT: &str = "SELECT $1::cidr::text";

async fn client() -> (testsupport::TestDb, Client) {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    (db, client)
}

async fn text_of<T>(client: &Client, sql: &'static str, value: &T) -> String
where
    T: sqlgen_runtime::postgres_types::ToSql + Sync,
{
    let stmt = client.prepare_cached(sql).await.unwrap();
    let row = client.query_opt(&stmt, &[value]).await.unwrap().unwrap();
    row.get(0)
}

#[tokio::test]
async fn interval_is_read_as_the_server_stores_it() {
    let (_db, client) = client().await;
    let cases = [
        (
            "1 mon 2 days 00:00:03.000004",
            Interval::new(1, 2, 3_000_004),
        ),
        (
            "-1 years -2 mons +3 days -00:00:00.5",
            Interval::new(-14, 3, -500_000),
        ),
        ("00:00:00", Interval::default()),
        ("30 days", Interval::new(0, 30, 0)),
        ("720:00:00", Interval::new(0, 0, 720 * 3_600_000_000)),
    ];
    for (text, expected) in cases {
        let row = (*client)
            .query_one("SELECT $1::text::interval", &[&text])
            .await
            .unwrap();
        assert_eq!(row.get::<_, Interval>(0), expected, "{text}");
    }
}

#[tokio::test]
async fn interval_is_written_in_the_servers_field_order() {
    let (_db, client) = client().await;
    assert_eq!(
        text_of(&client, INTERVAL_TEXT, &Interval::new(1, 2, 3_000_004)).await,
        "1 mon 2 days 00:00:03.000004"
    );
    assert_eq!(
        text_of(&client, INTERVAL_TEXT, &Interval::new(-14, 3, -500_000)).await,
        "-1 years -2 mons +3 days -00:00:00.5"
    );
    assert_eq!(
        text_of(&client, INTERVAL_TEXT, &Interval::new(0, 0, 0)).await,
        "00:00:00"
    );
}

#[tokio::test]
async fn cidr_is_read_and_written() {
    let (_db, client) = client().await;
    for text in [
        "10.0.0.0/8",
        "192.168.1.0/24",
        "192.168.1.7/32",
        "2001:db8::/32",
        "::1/128",
    ] {
        let cidr = IpCidr::from_str(text).unwrap();
        let written = text_of(&client, CIDR_TEXT, &cidr).await;
        assert_eq!(written, text);
        let row = (*client)
            .query_one("SELECT $1::text::cidr", &[&text])
            .await
            .unwrap();
        assert_eq!(row.get::<_, IpCidr>(0), cidr, "{text}");
    }
}

#[tokio::test]
async fn a_row_with_cidr_inet_and_interval_round_trips() {
    let (_db, client) = client().await;
    let net = IpCidr::from_str("172.16.0.0/12").unwrap();
    let host = IpInet::from_str("172.16.4.5/12").unwrap();
    let lease = Interval::new(0, 7, 12 * 3_600_000_000);

    let insert = client.prepare_cached(INSERT).await.unwrap();
    let inserted = client
        .execute(&insert, &[&1_i32, &net, &host, &lease])
        .await
        .unwrap();
    assert_eq!(inserted, 1);
    let nullable_host: Option<IpInet> = None;
    client
        .execute(
            &insert,
            &[&2_i32, &net, &nullable_host, &Interval::default()],
        )
        .await
        .unwrap();

    let select = client.prepare_cached(SELECT).await.unwrap();
    let row = client.query_opt(&select, &[&1_i32]).await.unwrap().unwrap();
    assert_eq!(row.get::<_, IpCidr>("net"), net);
    assert_eq!(row.get::<_, Option<IpInet>>("host"), Some(host));
    assert_eq!(row.get::<_, Interval>("lease"), lease);
    let row = client.query_opt(&select, &[&2_i32]).await.unwrap().unwrap();
    assert_eq!(row.get::<_, Option<IpInet>>("host"), None);
}
