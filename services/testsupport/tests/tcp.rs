//! `listen_on_tcp`: the throwaway server also listens on 127.0.0.1, and only with its password.
//! Its own test binary, so that the call comes before this process's server starts.

use testsupport::tokio_postgres::config::Host;
use testsupport::tokio_postgres::NoTls;

#[tokio::test]
async fn the_server_listens_on_tcp_with_a_password() {
    testsupport::listen_on_tcp();
    let db = testsupport::fresh_db().await;
    let unix_socket_url = std::env::var("DATABASE_URL").is_ok_and(|url| {
        url.parse::<testsupport::tokio_postgres::Config>()
            .is_ok_and(|c| c.get_hosts().iter().any(|h| !matches!(h, Host::Tcp(_))))
    });
    if unix_socket_url {
        // A DATABASE_URL over a unix socket says nothing of TCP: none is offered.
        assert!(db.tcp_config().is_none());
        return;
    }
    let config = db.tcp_config().expect("a TCP address");
    assert!(config.get_hosts().iter().all(|h| matches!(h, Host::Tcp(_))));
    let client = db.tcp_client().await;
    // The same database, reached over TCP.
    let row = client
        .query_one(
            "SELECT current_database(), inet_server_addr() IS NOT NULL, count(*) FROM users",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), db.name);
    assert!(row.get::<_, bool>(1), "connected over a unix socket");
    assert_eq!(row.get::<_, i64>(2), 0);
    if std::env::var("DATABASE_URL").is_err() {
        // The throwaway server: TCP without the password is refused.
        let mut wrong = config.clone();
        wrong.password("not-the-password");
        let refused = wrong.connect(NoTls).await;
        let error = refused.err().expect("a wrong password is refused");
        assert!(
            error.to_string().contains("password") || format!("{error:?}").contains("28P01"),
            "{error:?}"
        );
    }
}
