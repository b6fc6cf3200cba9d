//! Every query of sqlc's examples, run against a real PostgreSQL built from the example's own schema
//! (the copy `build.rs` generated from).

use sqlc_check::{authors, batch, booktest, jets, ondeck};
use sqlgen_runtime::{Client, Error};
use std::path::Path;

/// A fresh database from the example's schema (a file or a folder of migrations), with the
/// statement-caching client.
async fn db(example: &str, schema: &str) -> (testsupport::TestDb, Client) {
    let dir = Path::new(sqlc_check::COPIES).join(example).join(schema);
    let db = testsupport::fresh_db_from_dir(dir).await;
    let client = Client::new(db.client().await);
    (db, client)
}

#[tokio::test]
async fn authors_create_get_list_delete() {
    use authors::Queries as _;
    let (_db, client) = db("authors", "postgresql/schema.sql").await;
    let brian = client
        .create_author(
            "Brian Kernighan",
            Some("Co-author of The C Programming Language"),
        )
        .await
        .unwrap();
    let anon = client.create_author("Anonymous", None).await.unwrap();
    assert_eq!(brian.name, "Brian Kernighan");
    assert_eq!(
        brian.bio.as_deref(),
        Some("Co-author of The C Programming Language")
    );
    assert_eq!(anon.bio, None);
    assert_ne!(brian.id, anon.id);

    assert_eq!(client.get_author(brian.id).await.unwrap(), brian);
    // ORDER BY name.
    assert_eq!(
        client.list_authors().await.unwrap(),
        vec![anon.clone(), brian.clone()]
    );

    client.delete_author(anon.id).await.unwrap();
    assert!(matches!(
        client.get_author(anon.id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(client.list_authors().await.unwrap(), vec![brian]);
}

#[tokio::test]
async fn booktest_books_by_title_year_tags_updates_and_say_hello() {
    use booktest::models::BookType;
    use booktest::query::{CreateBookParams, UpdateBookISBNParams};
    use booktest::Queries as _;
    let (_db, client) = db("booktest", "postgresql/schema.sql").await;
    let author = client.create_author("Unknown Master").await.unwrap();
    assert_eq!(client.get_author(author.author_id).await.unwrap(), author);

    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let tags = |t: &[&str]| -> Vec<String> { t.iter().map(|s| s.to_string()).collect() };
    let (t1, t2, t3) = (
        tags(&["cool", "unique"]),
        tags(&["cool", "other"]),
        tags(&["other"]),
    );
    let mut books = Vec::new();
    for (isbn, title, year, book_type, tags) in [
        ("1", "my book title", 2016, BookType::Fiction, &t1),
        ("2", "the second book", 2016, BookType::Fiction, &t2),
        ("3", "the third book", 2001, BookType::Nonfiction, &t3),
    ] {
        books.push(
            client
                .create_book(&CreateBookParams {
                    author_id: author.author_id,
                    isbn,
                    book_type,
                    title,
                    year,
                    available: now,
                    tags,
                })
                .await
                .unwrap(),
        );
    }
    assert_eq!(books[2].book_type, BookType::Nonfiction);
    assert_eq!(books[0].available, now);
    assert_eq!(client.get_book(books[1].book_id).await.unwrap(), books[1]);

    client
        .update_book("changed second title", &t2, books[1].book_id)
        .await
        .unwrap();
    let by_title = client
        .books_by_title_year("changed second title", 2016)
        .await
        .unwrap();
    assert_eq!(by_title.len(), 1);
    assert_eq!(by_title[0].book_id, books[1].book_id);
    assert!(client
        .books_by_title_year("the second book", 2016)
        .await
        .unwrap()
        .is_empty());

    client
        .update_book_isbn(&UpdateBookISBNParams {
            title: "never ever gonna finish, a quatrain",
            tags: &tags(&["cool", "unique", "awesome"]),
            book_id: books[0].book_id,
            isbn: "NEW ISBN",
        })
        .await
        .unwrap();
    let first = client.get_book(books[0].book_id).await.unwrap();
    assert_eq!(first.isbn, "NEW ISBN");
    assert_eq!(first.tags, tags(&["cool", "unique", "awesome"]));

    // `tags && $1`: books sharing any tag, with the author's name through the LEFT JOIN.
    let mut cool = client.books_by_tags(&tags(&["cool"])).await.unwrap();
    cool.sort_by_key(|r| r.book_id);
    let ids: Vec<i32> = cool.iter().map(|r| r.book_id).collect();
    assert_eq!(ids, [books[0].book_id, books[1].book_id]);
    assert_eq!(cool[0].name.as_deref(), Some("Unknown Master"));
    assert_eq!(cool[1].title, "changed second title");
    assert!(client
        .books_by_tags(&tags(&["nothing"]))
        .await
        .unwrap()
        .is_empty());

    client.delete_book(books[2].book_id).await.unwrap();
    assert!(matches!(
        client.get_book(books[2].book_id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        client.say_hello("world").await.unwrap().as_deref(),
        Some("hello world")
    );
}

#[tokio::test]
async fn ondeck_cities_and_venues() {
    use ondeck::models::Status;
    use ondeck::venue::CreateVenueParams;
    use ondeck::Queries as _;
    let (_db, client) = db("ondeck", "postgresql/schema").await;
    let sf = client
        .create_city("San Francisco", "san-francisco")
        .await
        .unwrap();
    let berlin = client.create_city("Berlin", "berlin").await.unwrap();
    assert_eq!(sf.slug, "san-francisco");
    assert_eq!(client.get_city("berlin").await.unwrap(), berlin);
    assert_eq!(
        client.list_cities().await.unwrap(),
        vec![berlin.clone(), sf.clone()]
    );
    client
        .update_city_name("berlin", "Berlin, Germany")
        .await
        .unwrap();
    assert_eq!(
        client.get_city("berlin").await.unwrap().name,
        "Berlin, Germany"
    );

    let statuses = [Status::OpEn, Status::CloSed];
    let tags = vec!["rock".to_string(), "pop".to_string()];
    let id = client
        .create_venue(&CreateVenueParams {
            slug: "the-fillmore",
            name: "The Fillmore",
            city: "san-francisco",
            spotify_playlist: "spotify:uri",
            status: Status::OpEn,
            statuses: Some(&statuses),
            tags: Some(&tags),
        })
        .await
        .unwrap();
    let other = client
        .create_venue(&CreateVenueParams {
            slug: "amoeba",
            name: "Amoeba",
            city: "san-francisco",
            spotify_playlist: "spotify:amoeba",
            status: Status::CloSed,
            statuses: None,
            tags: None,
        })
        .await
        .unwrap();
    client
        .create_venue(&CreateVenueParams {
            slug: "berghain",
            name: "Berghain",
            city: "berlin",
            spotify_playlist: "",
            status: Status::OpEn,
            statuses: None,
            tags: None,
        })
        .await
        .unwrap();

    let venue = client
        .get_venue("the-fillmore", "san-francisco")
        .await
        .unwrap();
    assert_eq!(venue.id, id);
    assert_eq!(venue.status, Status::OpEn);
    assert_eq!(venue.statuses.as_deref(), Some(&statuses[..]));
    assert_eq!(venue.tags, Some(tags.clone()));
    assert_eq!(venue.songkick_id, None);
    // `created_at` is NOW() (a `timestamp`, so in the server's time zone): only its presence is known.
    assert!(venue.created_at.year() >= 2024);
    assert!(matches!(
        client.get_venue("the-fillmore", "berlin").await,
        Err(Error::NotFound)
    ));

    // ORDER BY name.
    let listed: Vec<i32> = client
        .list_venues("san-francisco")
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(listed, [other, id]);

    assert_eq!(
        client
            .update_venue_name("the-fillmore", "The Fillmore SF")
            .await
            .unwrap(),
        id
    );
    let counts: Vec<(String, i64)> = client
        .venue_count_by_city()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.city, r.count))
        .collect();
    assert_eq!(
        counts,
        [("berlin".to_string(), 1), ("san-francisco".to_string(), 2)]
    );

    client.delete_venue("amoeba").await.unwrap();
    assert!(matches!(
        client.get_venue("amoeba", "san-francisco").await,
        Err(Error::NotFound)
    ));
    // The enum's JSON is its PostgreSQL label (`emit_json_tags: true`).
    assert_eq!(serde_json::to_string(&venue.status).unwrap(), "\"op!en\"");
}

#[tokio::test]
async fn jets_count_list_delete_pilots() {
    use jets::Queries as _;
    let (_db, client) = db("jets", "postgresql/schema.sql").await;
    assert_eq!(client.count_pilots().await.unwrap(), 0);
    // The example has no insert query: rows go in with plain SQL.
    client
        .batch_execute(
            "INSERT INTO pilots (id, name) SELECT i, 'pilot ' || i FROM generate_series(1, 7) i",
        )
        .await
        .unwrap();
    assert_eq!(client.count_pilots().await.unwrap(), 7);
    // LIMIT 5.
    let listed = client.list_pilots().await.unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|p| p.name == format!("pilot {}", p.id)));

    client.delete_pilot(3).await.unwrap();
    assert_eq!(client.count_pilots().await.unwrap(), 6);
    client.delete_pilot(3).await.unwrap();
    assert_eq!(client.count_pilots().await.unwrap(), 6);
}

/// `overrides`: newtypes round-trip through PostgreSQL as columns, domain values and parameters;
/// the naming options of the same config.
#[tokio::test]
async fn overrides_round_trip_newtypes() {
    use sqlc_check::money::{Cents, Sku};
    use sqlc_check::overrides::Queries as _;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let (_db, client) = db("overrides", "schema.sql").await;
    // The domain's CHECK is PostgreSQL's: a negative amount is refused.
    assert!(client
        .create_product("bad", &Cents(-1), None)
        .await
        .is_err());

    let lamp = client
        .create_product("LAMP-1", &Cents(1999), None)
        .await
        .unwrap();
    assert_eq!(lamp.sku, Sku("LAMP-1".into()));
    assert_eq!(lamp.price, Cents(1999));
    assert_eq!(lamp.sale_price, None);
    client
        .set_sale_price("LAMP-1", Some(&Cents(1500)))
        .await
        .unwrap();
    let lamp = client.get_product("LAMP-1").await.unwrap();
    assert_eq!(lamp.sale_price, Some(Cents(1500)));

    // timestamptz keeps microseconds: a time with whole microseconds comes back equal.
    let t0 = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
    let t1 = t0 + Duration::from_secs(60);
    let first = client
        .create_order(lamp.id, &Cents(3000), &t0)
        .await
        .unwrap();
    let second = client
        .create_order(lamp.id, &Cents(1500), &t1)
        .await
        .unwrap();
    assert_eq!(first.total_cents, Cents(3000));
    assert_eq!(first.refund_cents, None);
    assert_eq!(first.ordered_at, t0);

    let since = client.orders_placed_since(&t0).await.unwrap();
    let got: Vec<(i32, Sku, Cents, SystemTime)> = since
        .into_iter()
        .map(|r| (r.id, r.sku, r.total_cents, r.ordered_at))
        .collect();
    assert_eq!(
        got,
        [
            (first.id, Sku("LAMP-1".into()), Cents(3000), t0),
            (second.id, Sku("LAMP-1".into()), Cents(1500), t1),
        ]
    );
    assert_eq!(client.orders_placed_since(&t1).await.unwrap().len(), 1);
    // A parameter compared with an overridden column takes the override too.
    assert_eq!(client.orders_over(&Cents(2000)).await.unwrap(), [first.id]);

    // `rename: {placed_at: ordered_at}`, `emit_derives: [Eq, Hash]`, and FromStr on the enum.
    use sqlc_check::overrides::models::OrderStatus;
    assert_eq!(first.status, OrderStatus::Placed);
    let shipped = client.ship_order(first.id).await.unwrap();
    assert_eq!(shipped, "shipped".parse::<OrderStatus>().unwrap());
    let err = "lost".parse::<OrderStatus>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "`lost` is not a label of enum type `order_status`"
    );
    let distinct: std::collections::HashSet<_> = [first.clone(), first, second].into();
    assert_eq!(distinct.len(), 2);
}

/// `batch`: `:batchone`, `:batchmany` and `:batchexec` take one item per execution and give one
/// result per item, a failing item failing alone.
#[tokio::test]
async fn batch_creates_reads_updates_and_deletes_books_in_batches() {
    use batch::models::BookType;
    use batch::query::{CreateBookParams, UpdateBookParams};
    use batch::Queries as _;
    let (_db, client) = db("batch", "postgresql/schema.sql").await;
    let author = client.create_author("Unknown Master").await.unwrap();
    assert_eq!(author.biography, None);
    assert_eq!(client.get_author(author.author_id).await.unwrap(), author);
    client
        .batch_execute(&format!(
            "UPDATE authors SET biography = '{{\"born\": 1900}}' WHERE author_id = {}",
            author.author_id
        ))
        .await
        .unwrap();

    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let tags = |t: &[&str]| -> Vec<String> { t.iter().map(|s| s.to_string()).collect() };
    let (t1, t2) = (tags(&["cool", "unique"]), tags(&["other"]));
    let book = |isbn, title, year, tags| CreateBookParams {
        author_id: author.author_id,
        isbn,
        book_type: BookType::Fiction,
        title,
        year,
        available: now,
        tags,
    };
    let created = client
        .create_book(&[
            book("1", "my book title", 2016, &t1),
            book("2", "the second book", 2016, &t2),
            book("3", "the third book", 2001, &t2),
            // The same ISBN again: this item fails alone (UNIQUE), the others are stored.
            book("3", "a duplicate", 2001, &t2),
        ])
        .await
        .unwrap();
    assert_eq!(created.len(), 4);
    assert!(created[3].is_err());
    let books: Vec<batch::models::Book> = created.into_iter().take(3).map(Result::unwrap).collect();
    assert_eq!(books[0].title, "my book title");
    assert_eq!(books[2].year, 2001);
    assert_eq!(books[1].available, now);

    // One result per year, in order: two books in 2016, one in 2001, none in 1999.
    let by_year = client.books_by_year(&[2016, 2001, 1999]).await.unwrap();
    let counts: Vec<usize> = by_year.iter().map(|r| r.as_ref().unwrap().len()).collect();
    assert_eq!(counts, [2, 1, 0]);

    let renamed = client
        .update_book(&[
            UpdateBookParams {
                title: "changed title",
                tags: &t2,
                book_id: books[0].book_id,
            },
            UpdateBookParams {
                title: "another change",
                tags: &t1,
                book_id: books[1].book_id,
            },
        ])
        .await
        .unwrap();
    assert!(renamed.iter().all(Result::is_ok));
    let in_2016 = client.books_by_year(&[2016]).await.unwrap();
    let mut titles: Vec<String> = in_2016[0]
        .as_ref()
        .unwrap()
        .iter()
        .map(|b| b.title.clone())
        .collect();
    titles.sort();
    assert_eq!(titles, ["another change", "changed title"]);

    // `:batchone` reports a missing row per item.
    let bios = client
        .get_biography(&[author.author_id, author.author_id + 1000])
        .await
        .unwrap();
    assert_eq!(
        bios[0].as_ref().unwrap(),
        &Some(serde_json::json!({"born": 1900}))
    );
    assert!(bios[1].as_ref().is_err_and(|e| e.is_not_found()));

    // The three spellings of the same DELETE, then the :execresult one on what is left.
    assert!(client.delete_book(&[books[0].book_id]).await.unwrap()[0].is_ok());
    assert!(client
        .delete_book_named_func(&[books[1].book_id])
        .await
        .unwrap()[0]
        .is_ok());
    assert!(client
        .delete_book_named_sign(&[books[2].book_id, books[2].book_id])
        .await
        .unwrap()
        .iter()
        .all(Result::is_ok));
    assert_eq!(
        client
            .delete_book_exec_result(books[2].book_id)
            .await
            .unwrap(),
        0
    );
    let left = client.books_by_year(&[2016, 2001]).await.unwrap();
    assert!(left.iter().all(|r| r.as_ref().unwrap().is_empty()));
}
