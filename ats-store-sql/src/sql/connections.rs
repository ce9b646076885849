//! The connection tables (`connections`, `connection_secrets`, `connection_outages`)
//! over a SQL pool, written once for every dialect like the rest of the store.

use ats_bridge::connection::ConnectionState;

use super::Dialect;
use super::queries::placeholders;
use super::scope::in_range;

/// The connection statements in one dialect.
#[derive(Debug)]
pub(crate) struct ConnectionQueries {
    pub(crate) get: String,
    pub(crate) get_for_update: String,
    pub(crate) list: String,
    pub(crate) insert: String,
    pub(crate) replace: String,
    pub(crate) set_config: String,
    pub(crate) set_state: String,
    pub(crate) bump: String,
    pub(crate) secrets: String,
    pub(crate) secret_for_update: String,
    pub(crate) put_secret: String,
    pub(crate) delete_secret: String,
    pub(crate) delete_secrets: String,
    pub(crate) delete_inbox: String,
    pub(crate) delete_cursors: String,
    pub(crate) delete_job_states: String,
    pub(crate) strip_ledger: String,
    pub(crate) strip_screenings: String,
    pub(crate) delete_ledger: String,
    pub(crate) delete_screenings: String,
    pub(crate) put_outage: String,
    pub(crate) delete_outage: String,
    pub(crate) delete_outages: String,
    pub(crate) outages_of: String,
    pub(crate) outages: String,
}

/// A new `updated_at_ms` from the bound `now_ms` (bound twice): now, or one past the
/// old value if the clock did not move, so every change is a new version.
const BUMP: &str = "updated_at_ms = CASE WHEN ? > updated_at_ms THEN ? ELSE updated_at_ms + 1 END";

impl ConnectionQueries {
    pub(crate) fn new<D: Dialect>() -> Self {
        let sql = |text: String| placeholders::<D>(&text);
        // A connection's rows: their names start with its scope (two parameters).
        let scoped = in_range::<D>;
        let columns = "id, config, state, state_reason, created_at_ms, updated_at_ms";
        let secret_columns = "name, key_id, sealed, expires_at_ms";
        let outage_columns = "connection, credential, since_ms, last_refusal_ms, refusals, reason";
        // Later of two values, in both dialects (SQLite's `max` is PostgreSQL's
        // `GREATEST`).
        let later = |column: &str| {
            format!(
                "{column} = CASE WHEN excluded.{column} > connection_outages.{column} \
                 THEN excluded.{column} ELSE connection_outages.{column} END"
            )
        };
        Self {
            get: sql(format!("SELECT {columns} FROM connections WHERE id = ?")),
            get_for_update: sql(format!(
                "SELECT {columns} FROM connections WHERE id = ?{}",
                D::FOR_UPDATE
            )),
            list: sql(format!("SELECT {columns} FROM connections ORDER BY id")),
            insert: sql(format!(
                "INSERT INTO connections ({columns}) VALUES (?, ?, ?, ?, ?, ?)"
            )),
            replace: sql(
                "UPDATE connections SET config = ?, state = ?, state_reason = ?, \
                 created_at_ms = ?, updated_at_ms = ? WHERE id = ?"
                    .to_owned(),
            ),
            set_config: sql(format!(
                "UPDATE connections SET config = ?, {BUMP} WHERE id = ?"
            )),
            set_state: sql(format!(
                "UPDATE connections SET state = ?, state_reason = ?, {BUMP} WHERE id = ?"
            )),
            bump: sql(format!("UPDATE connections SET {BUMP} WHERE id = ?")),
            secrets: sql(format!(
                "SELECT {secret_columns} FROM connection_secrets WHERE connection = ? ORDER BY name"
            )),
            secret_for_update: sql(format!(
                "SELECT {secret_columns} FROM connection_secrets WHERE connection = ? AND name = ?{}",
                D::FOR_UPDATE
            )),
            put_secret: sql("INSERT INTO connection_secrets \
                 (connection, name, key_id, sealed, expires_at_ms, updated_at_ms) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (connection, name) DO UPDATE SET key_id = excluded.key_id, \
                 sealed = excluded.sealed, expires_at_ms = excluded.expires_at_ms, \
                 updated_at_ms = excluded.updated_at_ms"
                .to_owned()),
            delete_secret: sql(
                "DELETE FROM connection_secrets WHERE connection = ? AND name = ?".to_owned(),
            ),
            delete_secrets: sql("DELETE FROM connection_secrets WHERE connection = ?".to_owned()),
            delete_inbox: sql(format!("DELETE FROM inbox WHERE {}", scoped("source"))),
            delete_cursors: sql(format!("DELETE FROM cursors WHERE {}", scoped("name"))),
            delete_job_states: sql(format!("DELETE FROM job_states WHERE {}", scoped("ats"))),
            strip_ledger: sql(format!(
                "UPDATE ledger SET last_error = NULL WHERE {}",
                scoped("ats")
            )),
            strip_screenings: sql(format!(
                "UPDATE screenings SET last_error = NULL WHERE {}",
                scoped("ats")
            )),
            delete_ledger: sql(format!("DELETE FROM ledger WHERE {}", scoped("ats"))),
            delete_screenings: sql(format!("DELETE FROM screenings WHERE {}", scoped("ats"))),
            // Only for a live connection: a removed one's engine may still be finishing
            // a call, and its tombstone must not collect outages.
            put_outage: sql(format!(
                "INSERT INTO connection_outages ({outage_columns}) \
                 SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS \
                 (SELECT 1 FROM connections WHERE id = ? AND state <> '{removed}') \
                 ON CONFLICT (connection, credential) DO UPDATE SET \
                 since_ms = CASE WHEN excluded.since_ms < connection_outages.since_ms \
                 THEN excluded.since_ms ELSE connection_outages.since_ms END, \
                 reason = CASE WHEN excluded.last_refusal_ms >= connection_outages.last_refusal_ms \
                 THEN excluded.reason ELSE connection_outages.reason END, \
                 {}, {}",
                later("last_refusal_ms"),
                later("refusals"),
                removed = ConnectionState::Removed.as_str(),
            )),
            delete_outage: sql(
                "DELETE FROM connection_outages WHERE connection = ? AND credential = ?".to_owned(),
            ),
            delete_outages: sql("DELETE FROM connection_outages WHERE connection = ?".to_owned()),
            outages_of: sql(format!(
                "SELECT {outage_columns} FROM connection_outages WHERE connection = ? \
                 ORDER BY credential{}",
                D::BYTE_ORDER
            )),
            outages: sql(format!(
                "SELECT {outage_columns} FROM connection_outages \
                 ORDER BY connection{order}, credential{order}",
                order = D::BYTE_ORDER
            )),
        }
    }
}

/// Implement [`Connections`](ats_bridge::connection::Connections) for `$store` (a
/// struct with a `pool: sqlx::Pool<$db>` field) in dialect `$dialect`.
macro_rules! sql_connections {
    ($store:ty, $db:ty, $dialect:ty) => {
        mod sql_connections_impl {
            use std::sync::LazyLock;

            use async_trait::async_trait;
            use sqlx::{Database, Row};

            use super::*;
            use ats_bridge::connection::{
                ConnectionConfig, ConnectionId, ConnectionRecord, ConnectionState, Connections,
                LedgerErasure, Removal, Sealed, SecretEntry, SecretLock, StoredOutage,
            };
            use ats_bridge::store::{StoreError, StoreResult};
            use $crate::sql::{
                ConnectionQueries, Dialect, Scope, db, is_unique_violation, run_detached,
            };

            type Tx = sqlx::Transaction<'static, $db>;
            type DbRow = <$db as Database>::Row;

            fn queries() -> &'static ConnectionQueries {
                static QUERIES: LazyLock<ConnectionQueries> =
                    LazyLock::new(ConnectionQueries::new::<$dialect>);
                &QUERIES
            }

            fn read_record(row: &DbRow) -> StoreResult<ConnectionRecord> {
                let id: String = row.try_get("id").map_err(db)?;
                let id = ConnectionId::new(id)
                    .map_err(|e| StoreError::Backend(format!("stored connection id: {e}")))?;
                let config: String = row.try_get("config").map_err(db)?;
                let config: ConnectionConfig = serde_json::from_str(&config).map_err(|e| {
                    StoreError::Backend(format!("connection {id}: stored settings: {e}"))
                })?;
                let state: String = row.try_get("state").map_err(db)?;
                let state = ConnectionState::parse(&state).ok_or_else(|| {
                    StoreError::Backend(format!("connection {id}: unknown state {state:?}"))
                })?;
                let mut record = ConnectionRecord::new(
                    id,
                    config,
                    state,
                    row.try_get("created_at_ms").map_err(db)?,
                );
                record.state_reason = row.try_get("state_reason").map_err(db)?;
                record.updated_at_ms = row.try_get("updated_at_ms").map_err(db)?;
                Ok(record)
            }

            fn read_secret(row: &DbRow) -> StoreResult<SecretEntry> {
                Ok(SecretEntry {
                    name: row.try_get("name").map_err(db)?,
                    sealed: Sealed {
                        key_id: row.try_get("key_id").map_err(db)?,
                        bytes: row.try_get("sealed").map_err(db)?,
                    },
                    expires_at_ms: row.try_get("expires_at_ms").map_err(db)?,
                })
            }

            fn read_outage(row: &DbRow) -> StoreResult<StoredOutage> {
                let connection: String = row.try_get("connection").map_err(db)?;
                let refusals: i64 = row.try_get("refusals").map_err(db)?;
                Ok(StoredOutage {
                    connection: ConnectionId::new(connection)
                        .map_err(|e| StoreError::Backend(format!("stored connection id: {e}")))?,
                    credential: row.try_get("credential").map_err(db)?,
                    since_ms: row.try_get("since_ms").map_err(db)?,
                    last_refusal_ms: row.try_get("last_refusal_ms").map_err(db)?,
                    refusals: $crate::sql::count(refusals),
                    reason: row.try_get("reason").map_err(db)?,
                })
            }

            fn config_json(config: &ConnectionConfig) -> StoreResult<String> {
                serde_json::to_string(config)
                    .map_err(|e| StoreError::Backend(format!("connection settings: {e}")))
            }

            fn exists(id: &ConnectionId) -> StoreError {
                StoreError::Conflict(format!("connection {id} exists"))
            }

            fn not_found(id: &ConnectionId) -> StoreError {
                StoreError::NotFound(format!("connection {id}"))
            }

            async fn begin(pool: &sqlx::Pool<$db>) -> StoreResult<Tx> {
                pool.begin_with(<$dialect as Dialect>::BEGIN_WRITE)
                    .await
                    .map_err(db)
            }

            /// The record of `id`, locked until the transaction ends.
            async fn locked(tx: &mut Tx, id: &ConnectionId) -> StoreResult<ConnectionRecord> {
                let row = sqlx::query(&queries().get_for_update)
                    .bind(id.as_str())
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db)?
                    .ok_or_else(|| not_found(id))?;
                read_record(&row)
            }

            async fn put_secret(
                tx: &mut Tx,
                id: &ConnectionId,
                entry: &SecretEntry,
                now_ms: i64,
            ) -> StoreResult<()> {
                sqlx::query(&queries().put_secret)
                    .bind(id.as_str())
                    .bind(&entry.name)
                    .bind(&entry.sealed.key_id)
                    .bind(&entry.sealed.bytes)
                    .bind(entry.expires_at_ms)
                    .bind(now_ms)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?;
                Ok(())
            }

            async fn set_state(
                tx: &mut Tx,
                id: &ConnectionId,
                state: ConnectionState,
                reason: Option<&str>,
                now_ms: i64,
            ) -> StoreResult<()> {
                if locked(tx, id).await?.state == ConnectionState::Removed {
                    return Err(StoreError::Conflict(format!("connection {id} is removed")));
                }
                sqlx::query(&queries().set_state)
                    .bind(state.as_str())
                    .bind(reason)
                    .bind(now_ms)
                    .bind(now_ms)
                    .bind(id.as_str())
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?;
                Ok(())
            }

            /// Delete (or, for `strip`, update) the rows a statement scopes to `prefix`.
            async fn scoped(tx: &mut Tx, sql: &str, prefix: &str) -> StoreResult<u64> {
                let Scope::Range { from, to } = Scope::starting_with(prefix)? else {
                    return Err(StoreError::Backend(format!(
                        "no connection scope: {prefix:?}"
                    )));
                };
                Ok(sqlx::query(sql)
                    .bind(from)
                    .bind(to)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?
                    .rows_affected())
            }

            #[async_trait]
            impl Connections for $store {
                async fn connection_insert(
                    &self,
                    record: &ConnectionRecord,
                    secrets: &[SecretEntry],
                ) -> StoreResult<()> {
                    let (pool, record, secrets) =
                        (self.pool.clone(), record.clone(), secrets.to_vec());
                    run_detached(async move {
                        let mut tx = begin(&pool).await?;
                        let config = config_json(&record.config)?;
                        let existing = sqlx::query(&queries().get_for_update)
                            .bind(record.id.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db)?;
                        let sql = match existing.as_ref().map(read_record).transpose()? {
                            Some(old) if old.state != ConnectionState::Removed => {
                                return Err(exists(&record.id));
                            }
                            Some(_) => &queries().replace,
                            None => &queries().insert,
                        };
                        let query = sqlx::query(sql);
                        let query = if existing.is_none() {
                            query.bind(record.id.as_str())
                        } else {
                            query
                        };
                        let query = query
                            .bind(config)
                            .bind(record.state.as_str())
                            .bind(record.state_reason.clone())
                            .bind(record.created_at_ms)
                            .bind(record.updated_at_ms);
                        let query = if existing.is_some() {
                            query.bind(record.id.as_str())
                        } else {
                            query
                        };
                        query.execute(&mut *tx).await.map_err(|e| {
                            // Another replica's insert of the same id committed
                            // between the look-up above and this insert (PostgreSQL:
                            // the look-up locks no row that does not exist yet).
                            if is_unique_violation(&e) {
                                exists(&record.id)
                            } else {
                                db(e)
                            }
                        })?;
                        for sql in [&queries().delete_secrets, &queries().delete_outages] {
                            sqlx::query(sql)
                                .bind(record.id.as_str())
                                .execute(&mut *tx)
                                .await
                                .map_err(db)?;
                        }
                        for entry in &secrets {
                            put_secret(&mut tx, &record.id, entry, record.updated_at_ms).await?;
                        }
                        tx.commit().await.map_err(db)
                    })
                    .await
                }

                async fn connection_get(
                    &self,
                    id: &ConnectionId,
                ) -> StoreResult<Option<ConnectionRecord>> {
                    sqlx::query(&queries().get)
                        .bind(id.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?
                        .as_ref()
                        .map(read_record)
                        .transpose()
                }

                async fn connection_list(&self) -> StoreResult<Vec<ConnectionRecord>> {
                    sqlx::query(&queries().list)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?
                        .iter()
                        .map(read_record)
                        .collect()
                }

                async fn connection_set_config(
                    &self,
                    id: &ConnectionId,
                    config: &ConnectionConfig,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let changed = sqlx::query(&queries().set_config)
                        .bind(config_json(config)?)
                        .bind(now_ms)
                        .bind(now_ms)
                        .bind(id.as_str())
                        .execute(&self.pool)
                        .await
                        .map_err(db)?
                        .rows_affected();
                    if changed == 0 {
                        return Err(not_found(id));
                    }
                    Ok(())
                }

                async fn connection_set_state(
                    &self,
                    id: &ConnectionId,
                    state: ConnectionState,
                    reason: Option<&str>,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let (pool, id, reason) =
                        (self.pool.clone(), id.clone(), reason.map(str::to_owned));
                    run_detached(async move {
                        let mut tx = begin(&pool).await?;
                        set_state(&mut tx, &id, state, reason.as_deref(), now_ms).await?;
                        tx.commit().await.map_err(db)
                    })
                    .await
                }

                async fn connection_secrets(
                    &self,
                    id: &ConnectionId,
                ) -> StoreResult<Vec<SecretEntry>> {
                    sqlx::query(&queries().secrets)
                        .bind(id.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?
                        .iter()
                        .map(read_secret)
                        .collect()
                }

                async fn connection_put_secrets(
                    &self,
                    id: &ConnectionId,
                    put: &[SecretEntry],
                    delete: &[String],
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let (pool, id, put, delete) =
                        (self.pool.clone(), id.clone(), put.to_vec(), delete.to_vec());
                    run_detached(async move {
                        let mut tx = begin(&pool).await?;
                        locked(&mut tx, &id).await?;
                        for name in &delete {
                            sqlx::query(&queries().delete_secret)
                                .bind(id.as_str())
                                .bind(name)
                                .execute(&mut *tx)
                                .await
                                .map_err(db)?;
                        }
                        for entry in &put {
                            put_secret(&mut tx, &id, entry, now_ms).await?;
                        }
                        sqlx::query(&queries().bump)
                            .bind(now_ms)
                            .bind(now_ms)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                        tx.commit().await.map_err(db)
                    })
                    .await
                }

                async fn connection_remove(
                    &self,
                    id: &ConnectionId,
                    ledger: LedgerErasure,
                    now_ms: i64,
                ) -> StoreResult<Removal> {
                    let (pool, id) = (self.pool.clone(), id.clone());
                    run_detached(async move {
                        let mut tx = begin(&pool).await?;
                        locked(&mut tx, &id).await?;
                        let prefix = id.scope_prefix();
                        let q = queries();
                        let mut removal = Removal::default();
                        removal.secrets = sqlx::query(&q.delete_secrets)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?
                            .rows_affected();
                        sqlx::query(&q.delete_outages)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                        removal.inbox = scoped(&mut tx, &q.delete_inbox, &prefix).await?;
                        removal.cursors = scoped(&mut tx, &q.delete_cursors, &prefix).await?
                            + scoped(&mut tx, &q.delete_job_states, &prefix).await?;
                        removal.ledger_rows = match ledger {
                            LedgerErasure::Erase => {
                                scoped(&mut tx, &q.delete_ledger, &prefix).await?
                                    + scoped(&mut tx, &q.delete_screenings, &prefix).await?
                            }
                            LedgerErasure::KeepIds => {
                                scoped(&mut tx, &q.strip_ledger, &prefix).await?
                                    + scoped(&mut tx, &q.strip_screenings, &prefix).await?
                            }
                        };
                        sqlx::query(&q.set_state)
                            .bind(ConnectionState::Removed.as_str())
                            .bind(None::<String>)
                            .bind(now_ms)
                            .bind(now_ms)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                        tx.commit().await.map_err(db)?;
                        Ok(removal)
                    })
                    .await
                }

                async fn secret_lock(
                    &self,
                    id: &ConnectionId,
                    name: &str,
                ) -> StoreResult<Box<dyn SecretLock>> {
                    let mut tx = begin(&self.pool).await?;
                    let current = sqlx::query(&queries().secret_for_update)
                        .bind(id.as_str())
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?
                        .as_ref()
                        .map(read_secret)
                        .transpose()?;
                    Ok(Box::new(SqlSecretLock {
                        tx,
                        id: id.clone(),
                        current,
                    }))
                }

                async fn credential_outage_put(&self, outage: &StoredOutage) -> StoreResult<()> {
                    let written = sqlx::query(&queries().put_outage)
                        .bind(outage.connection.as_str())
                        .bind(&outage.credential)
                        .bind(outage.since_ms)
                        .bind(outage.last_refusal_ms)
                        .bind(i64::from(outage.refusals))
                        .bind(&outage.reason)
                        .bind(outage.connection.as_str())
                        .execute(&self.pool)
                        .await
                        .map_err(db)?
                        .rows_affected();
                    if written == 0 {
                        return Err(not_found(&outage.connection));
                    }
                    Ok(())
                }

                async fn credential_outage_end(
                    &self,
                    id: &ConnectionId,
                    credential: Option<&str>,
                ) -> StoreResult<u64> {
                    let query = match credential {
                        Some(credential) => sqlx::query(&queries().delete_outage)
                            .bind(id.as_str())
                            .bind(credential),
                        None => sqlx::query(&queries().delete_outages).bind(id.as_str()),
                    };
                    Ok(query.execute(&self.pool).await.map_err(db)?.rows_affected())
                }

                async fn credential_outages(
                    &self,
                    id: Option<&ConnectionId>,
                ) -> StoreResult<Vec<StoredOutage>> {
                    let query = match id {
                        Some(id) => sqlx::query(&queries().outages_of).bind(id.as_str()),
                        None => sqlx::query(&queries().outages),
                    };
                    query
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?
                        .iter()
                        .map(read_outage)
                        .collect()
                }
            }

            /// A secret's row locked in an open transaction (PostgreSQL: the row lock;
            /// SQLite: the write lock of `BEGIN IMMEDIATE`). Dropped unfinished, the
            /// transaction rolls back and the lock is released.
            struct SqlSecretLock {
                tx: Tx,
                id: ConnectionId,
                current: Option<SecretEntry>,
            }

            #[async_trait]
            impl SecretLock for SqlSecretLock {
                fn current(&self) -> Option<&SecretEntry> {
                    self.current.as_ref()
                }

                async fn replace(
                    mut self: Box<Self>,
                    entry: SecretEntry,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    put_secret(&mut self.tx, &self.id, &entry, now_ms).await?;
                    self.tx.commit().await.map_err(db)
                }

                async fn set_state(
                    mut self: Box<Self>,
                    state: ConnectionState,
                    reason: &str,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    set_state(&mut self.tx, &self.id, state, Some(reason), now_ms).await?;
                    self.tx.commit().await.map_err(db)
                }

                async fn release(self: Box<Self>) -> StoreResult<()> {
                    self.tx.rollback().await.map_err(db)
                }
            }
        }
    };
}

pub(crate) use sql_connections;
