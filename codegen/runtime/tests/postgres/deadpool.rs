//! `GenericClient` on deadpool-postgres objects, through deadpool's own statement cache.
#![cfg(feature = "deadpool")]

use sqlgen_runtime::{Error, GenericClient};

use crate::server_view::prepared_names;

const COUNT: &str = "SELECT count(*) FROM items";
const INSERT: &str = "INSERT INTO items (id) VALUES ($1)";

async fn count_items(client: &impl GenericClient) -> Result<i64, Error> {
    let stmt = client.prepare_cached(COUNT).await?;
    let row = client.query_opt(&stmt, &[]).await?.ok_or(Error::NotFound)?;
    Ok(row.get(0))
}

async fn insert_item(client: &impl GenericClient, id: i32) -> Result<u64, Error> {
    let stmt = client.prepare_cached(INSERT).await?;
    Ok(client.execute(&stmt, &[&id]).await?)
}

#[tokio::test]
async fn pooled_objects_wrappers_and_transactions_prepare_once() {
    let db = testsupport::fresh_db_from_sql(&["CREATE TABLE items (id int PRIMARY KEY)"]).await;
    let pool = db.pool();
    let mut object = pool.get().await.unwrap();

    insert_item(&object, 1).await.unwrap();
    assert_eq!(count_items(&object).await.unwrap(), 1);
    // The wrapper inside the object is a client of its own right.
    let wrapper: &deadpool_postgres::ClientWrapper = &object;
    insert_item(wrapper, 2).await.unwrap();
    assert_eq!(count_items(wrapper).await.unwrap(), 2);

    let tx = object.transaction().await.unwrap();
    insert_item(&tx, 3).await.unwrap();
    let rows = GenericClient::query(&tx, &tx.prepare_cached(COUNT).await.unwrap(), &[])
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, i64>(0), 3);
    tx.rollback().await.unwrap();

    assert_eq!(count_items(&object).await.unwrap(), 2);
    assert_eq!(object.statement_cache.size(), 2);
    assert_eq!(prepared_names(&object, INSERT).await.len(), 1);
    assert_eq!(prepared_names(&object, COUNT).await.len(), 1);
}
