//! The store traits over a SQL pool, written once for every dialect.

/// Implement [`Ledger`](ats_bridge::store::Ledger), [`Inbox`](ats_bridge::store::Inbox) and
/// [`ReconcilerState`](ats_bridge::store::ReconcilerState) for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field) in dialect `$dialect`, plus `migrate_in`, which
/// applies the dialect's pending migrations inside a transaction.
///
/// Invoked once per backend module; see the parent module for why this is a macro.
macro_rules! sql_store {
    ($store:ty, $db:ty, $dialect:ty) => {
        mod sql_impl {
            use std::collections::BTreeMap;
            use std::sync::LazyLock;

            use async_trait::async_trait;
            use sqlx::{Database, Row};

            use super::*;
            use ats_bridge::model::{
                ApplicationId, ApplicationRef, AtsName, CandidateId, JobId, JobState,
                ParticipantKey,
            };
            use ats_bridge::store::backend::{LedgerBackend, LedgerChange, LedgerTx};
            use ats_bridge::store::{
                Fence, Inbox, InboxBacklog, InboxItem, Lease, LedgerKey, LedgerRow, NewDelivery,
                ReconcilerState, RowState, STATUS_FAILED_LIMIT, ScreeningKey, ScreeningRow,
                StatusReport, StoreError, StoreResult,
            };
            use $crate::sql::{
                Dialect, Queries, Scope, Scoped, count, db, fence_value, limit_value, parse_state,
                read_fence, run_detached,
            };

            type Tx = sqlx::Transaction<'static, $db>;

            /// A write transaction, as the ledger's rules see it, and whether claims
            /// take their time from the database.
            struct WriteTx(Tx, bool);
            type DbRow = <$db as Database>::Row;
            type Query<'q> = sqlx::query::Query<'q, $db, <$db as Database>::Arguments<'q>>;

            fn queries() -> &'static Queries {
                static QUERIES: LazyLock<Queries> = LazyLock::new(Queries::new::<$dialect>);
                &QUERIES
            }

            fn read_row(row: &DbRow) -> StoreResult<LedgerRow> {
                let failed_from: Option<String> = row.try_get("failed_from").map_err(db)?;
                Ok(LedgerRow {
                    key: LedgerKey::new(
                        row.try_get::<String, _>("ats").map_err(db)?,
                        row.try_get::<String, _>("application").map_err(db)?,
                        row.try_get::<String, _>("interview").map_err(db)?,
                    ),
                    candidate: CandidateId::new(row.try_get::<String, _>("candidate").map_err(db)?),
                    job: JobId::new(row.try_get::<String, _>("job").map_err(db)?),
                    state: parse_state(row.try_get("state").map_err(db)?)?,
                    failed_from: failed_from.as_deref().map(parse_state).transpose()?,
                    participant: row
                        .try_get::<Option<String>, _>("participant")
                        .map_err(db)?
                        .map(ParticipantKey::new),
                    attempts: count(row.try_get("attempts").map_err(db)?),
                    next_attempt_at_ms: row.try_get("next_attempt_at_ms").map_err(db)?,
                    last_error: row.try_get("last_error").map_err(db)?,
                    lease_owner: row.try_get("lease_owner").map_err(db)?,
                    lease_until_ms: row.try_get("lease_until_ms").map_err(db)?,
                    fence: read_fence(row.try_get("fence").map_err(db)?),
                    synced_outcome: row.try_get("synced_outcome").map_err(db)?,
                    results_fingerprint: row.try_get("results_fingerprint").map_err(db)?,
                    results_note_id: row.try_get("results_note_id").map_err(db)?,
                    recheck_at_ms: row.try_get("recheck_at_ms").map_err(db)?,
                    rechecks: count(row.try_get("rechecks").map_err(db)?),
                    warning: row.try_get("warning").map_err(db)?,
                    created_at_ms: row.try_get("created_at_ms").map_err(db)?,
                    updated_at_ms: row.try_get("updated_at_ms").map_err(db)?,
                })
            }

            fn read_rows(rows: &[DbRow]) -> StoreResult<Vec<LedgerRow>> {
                rows.iter().map(read_row).collect()
            }

            fn read_inbox_item(row: &DbRow) -> StoreResult<InboxItem> {
                Ok(InboxItem {
                    id: row.try_get("id").map_err(db)?,
                    source: row.try_get("source").map_err(db)?,
                    dedupe_key: row.try_get("dedupe_key").map_err(db)?,
                    event: row.try_get("event").map_err(db)?,
                    payload: row.try_get("payload").map_err(db)?,
                    attempts: count(row.try_get("attempts").map_err(db)?),
                    fence: read_fence(row.try_get("fence").map_err(db)?),
                })
            }

            fn read_screening(row: &DbRow) -> StoreResult<ScreeningRow> {
                let application: Option<String> = row.try_get("created_application").map_err(db)?;
                let candidate: Option<String> = row.try_get("created_candidate").map_err(db)?;
                let created_job: Option<String> = row.try_get("created_job").map_err(db)?;
                let created = match (application, candidate, created_job) {
                    (Some(application), Some(candidate), Some(job)) => Some(ApplicationRef {
                        application: application.into(),
                        candidate: candidate.into(),
                        job: job.into(),
                    }),
                    _ => None,
                };
                Ok(ScreeningRow {
                    key: ScreeningKey::new(
                        row.try_get::<String, _>("ats").map_err(db)?,
                        row.try_get::<String, _>("interview").map_err(db)?,
                        row.try_get::<String, _>("participant").map_err(db)?,
                    ),
                    job: JobId::new(row.try_get::<String, _>("job").map_err(db)?),
                    created,
                    attempts: count(row.try_get("attempts").map_err(db)?),
                    last_error: row.try_get("last_error").map_err(db)?,
                    lease_owner: row.try_get("lease_owner").map_err(db)?,
                    lease_until_ms: row.try_get("lease_until_ms").map_err(db)?,
                    fence: read_fence(row.try_get("fence").map_err(db)?),
                    created_at_ms: row.try_get("created_at_ms").map_err(db)?,
                    updated_at_ms: row.try_get("updated_at_ms").map_err(db)?,
                })
            }

            fn bind_screening_key<'q>(query: Query<'q>, key: &'q ScreeningKey) -> Query<'q> {
                query
                    .bind(key.ats.as_str())
                    .bind(key.interview.as_str())
                    .bind(key.participant.as_str())
            }

            /// Bind the columns after the key, in `queries::SCREENING_DATA_COLUMNS` order.
            fn bind_screening_data<'q>(query: Query<'q>, row: &'q ScreeningRow) -> Query<'q> {
                let created = row.created.as_ref();
                query
                    .bind(row.job.as_str())
                    .bind(created.map(|c| c.application.as_str()))
                    .bind(created.map(|c| c.candidate.as_str()))
                    .bind(created.map(|c| c.job.as_str()))
                    .bind(i64::from(row.attempts))
                    .bind(row.last_error.as_deref())
                    .bind(row.lease_owner.as_deref())
                    .bind(row.lease_until_ms)
                    .bind(fence_value(row.fence))
                    .bind(row.created_at_ms)
                    .bind(row.updated_at_ms)
            }

            /// Bind the bounds of `scope`'s range, if it has one (see `Scoped`).
            fn bind_scope<'q>(query: Query<'q>, scope: &'q Scope) -> Query<'q> {
                match scope {
                    Scope::All => query,
                    Scope::Range { from, to } => query.bind(from.as_str()).bind(to.as_str()),
                }
            }

            /// Counts per connection, from a statement answering `scope` and `n` with
            /// `binds` parameters, each `now_ms`.
            async fn counts_by_scope(
                pool: &sqlx::Pool<$db>,
                sql: &str,
                now_ms: i64,
                binds: usize,
            ) -> StoreResult<BTreeMap<String, u64>> {
                let mut query = sqlx::query(sql);
                for _ in 0..binds {
                    query = query.bind(now_ms);
                }
                let mut counts = BTreeMap::new();
                for row in query.fetch_all(pool).await.map_err(db)? {
                    let n = row.try_get::<i64, _>("n").map_err(db)?;
                    counts.insert(
                        row.try_get::<String, _>("scope").map_err(db)?,
                        u64::try_from(n).unwrap_or(0),
                    );
                }
                Ok(counts)
            }

            fn bind_key<'q>(query: Query<'q>, key: &'q LedgerKey) -> Query<'q> {
                query
                    .bind(key.ats.as_str())
                    .bind(key.application.as_str())
                    .bind(key.interview.as_str())
            }

            /// Bind the columns after the key, in `queries::DATA_COLUMNS` order.
            fn bind_data<'q>(query: Query<'q>, row: &'q LedgerRow) -> Query<'q> {
                query
                    .bind(row.candidate.as_str())
                    .bind(row.job.as_str())
                    .bind(row.state.as_str())
                    .bind(row.failed_from.map(RowState::as_str))
                    .bind(row.participant.as_ref().map(|p| p.as_str()))
                    .bind(i64::from(row.attempts))
                    .bind(row.next_attempt_at_ms)
                    .bind(row.last_error.as_deref())
                    .bind(row.lease_owner.as_deref())
                    .bind(row.lease_until_ms)
                    .bind(fence_value(row.fence))
                    .bind(row.synced_outcome.as_deref())
                    .bind(row.results_fingerprint.as_deref())
                    .bind(row.results_note_id.as_deref())
                    .bind(row.recheck_at_ms)
                    .bind(i64::from(row.rechecks))
                    .bind(row.warning.as_deref())
                    .bind(row.created_at_ms)
                    .bind(row.updated_at_ms)
            }

            impl $store {
                /// Run an inbox update whose statement ends `WHERE id = ? AND fence = ?`
                /// (its other parameters bound in `query`); refused when it changes
                /// nothing.
                async fn settle_inbox(
                    &self,
                    query: Query<'_>,
                    id: i64,
                    fence: Fence,
                ) -> StoreResult<()> {
                    let result = query
                        .bind(id)
                        .bind(fence_value(fence))
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    if result.rows_affected() == 0 {
                        return Err(self.inbox_refusal(id, fence).await);
                    }
                    Ok(())
                }

                /// Why an inbox update under `fence` changed nothing: the item is
                /// gone, or another worker claimed it since.
                async fn inbox_refusal(&self, id: i64, fence: Fence) -> StoreError {
                    let current = sqlx::query(&queries().inbox_fence)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await;
                    match current {
                        Ok(Some(row)) => match row.try_get::<i64, _>("fence") {
                            Ok(current) => StoreError::Fenced(format!(
                                "inbox item {id} is held under fence {}, not {fence}",
                                read_fence(current)
                            )),
                            Err(e) => db(e),
                        },
                        Ok(None) => StoreError::NotFound(format!("inbox item {id}")),
                        Err(e) => db(e),
                    }
                }
            }

            /// Apply the migrations `schema_version` (which must exist) does not list
            /// yet, inside `tx`.
            pub(super) async fn migrate_in(tx: &mut Tx) -> StoreResult<()> {
                let current: Option<i64> = sqlx::query(&queries().schema_version)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(db)?
                    .try_get(0)
                    .map_err(db)?;
                for (version, sql) in <$dialect as Dialect>::MIGRATIONS {
                    if current.is_some_and(|current| current >= *version) {
                        continue;
                    }
                    sqlx::raw_sql(sql).execute(&mut **tx).await.map_err(db)?;
                    sqlx::query(&queries().record_version)
                        .bind(version)
                        .execute(&mut **tx)
                        .await
                        .map_err(db)?;
                }
                Ok(())
            }

            impl LedgerTx for WriteTx {
                async fn clock_ms(&mut self, caller_ms: i64) -> StoreResult<i64> {
                    let Some(sql) = queries().clock_ms.as_ref().filter(|_| self.1) else {
                        return Ok(caller_ms);
                    };
                    sqlx::query(sql)
                        .fetch_one(&mut *self.0)
                        .await
                        .map_err(db)?
                        .try_get(0)
                        .map_err(db)
                }

                async fn insert_screening_if_absent(
                    &mut self,
                    row: &ScreeningRow,
                ) -> StoreResult<bool> {
                    let query =
                        bind_screening_key(sqlx::query(&queries().screening_insert), &row.key);
                    let done = bind_screening_data(query, row)
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn load_screening_for_update(
                    &mut self,
                    key: &ScreeningKey,
                ) -> StoreResult<Option<ScreeningRow>> {
                    let row = bind_screening_key(sqlx::query(&queries().screening_for_update), key)
                        .fetch_optional(&mut *self.0)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(read_screening).transpose()
                }

                async fn save_screening(&mut self, row: &ScreeningRow) -> StoreResult<()> {
                    let query = bind_screening_data(sqlx::query(&queries().screening_update), row);
                    bind_screening_key(query, &row.key)
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn lock_person(
                    &mut self,
                    key: &LedgerKey,
                    candidate: &CandidateId,
                ) -> StoreResult<()> {
                    let Some(sql) = &queries().lock_person else {
                        return Ok(());
                    };
                    // The unit separator keeps ("a", "b:c") and ("a:b", "c") apart.
                    let person = format!("{}\u{1f}{}\u{1f}{}", key.ats, candidate, key.interview);
                    sqlx::query(sql)
                        .bind(person)
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn insert_if_absent(&mut self, row: &LedgerRow) -> StoreResult<bool> {
                    let query = bind_key(sqlx::query(&queries().insert_if_absent), &row.key);
                    let done = bind_data(query, row)
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn load_for_update(
                    &mut self,
                    key: &LedgerKey,
                ) -> StoreResult<Option<LedgerRow>> {
                    let row = bind_key(sqlx::query(&queries().row_for_update), key)
                        .fetch_optional(&mut *self.0)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(read_row).transpose()
                }

                async fn siblings(
                    &mut self,
                    key: &LedgerKey,
                    candidate: &CandidateId,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let rows = sqlx::query(&queries().siblings)
                        .bind(key.ats.as_str())
                        .bind(candidate.as_str())
                        .bind(key.interview.as_str())
                        .bind(key.application.as_str())
                        .fetch_all(&mut *self.0)
                        .await
                        .map_err(db)?;
                    read_rows(&rows)
                }

                async fn candidate_rows_for_update(
                    &mut self,
                    ats: &AtsName,
                    candidate: &CandidateId,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let rows = sqlx::query(&queries().candidate_rows_for_update)
                        .bind(ats.as_str())
                        .bind(candidate.as_str())
                        .fetch_all(&mut *self.0)
                        .await
                        .map_err(db)?;
                    read_rows(&rows)
                }

                async fn save(&mut self, row: &LedgerRow) -> StoreResult<()> {
                    let query = bind_data(sqlx::query(&queries().update_row), row);
                    bind_key(query, &row.key)
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn forget_deliveries(
                    &mut self,
                    participant: &ParticipantKey,
                    ats: &AtsName,
                    candidate: &CandidateId,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(&queries().forget_deliveries)
                        .bind(participant.as_str().as_bytes())
                        .bind(now_ms)
                        .bind(participant.as_str())
                        .bind(ats.as_str())
                        .bind(candidate.as_str())
                        .execute(&mut *self.0)
                        .await
                        .map_err(db)?;
                    Ok(())
                }
            }

            impl $store {
                /// The rows of `scope` the statement (in `scope`'s form) selects by
                /// integer parameters.
                async fn select(
                    &self,
                    sql: &Scoped,
                    scope: &Scope,
                    binds: &[i64],
                ) -> StoreResult<Vec<LedgerRow>> {
                    let mut query = bind_scope(sqlx::query(sql.sql(scope)), scope);
                    for value in binds {
                        query = query.bind(*value);
                    }
                    read_rows(&query.fetch_all(&self.pool).await.map_err(db)?)
                }

                /// [`Ledger::rows_due`](ats_bridge::store::Ledger::rows_due) of `scope`.
                async fn due(
                    &self,
                    scope: &Scope,
                    now_ms: i64,
                    limit: usize,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let binds = [now_ms, now_ms, now_ms, now_ms, limit_value(limit)];
                    self.select(&queries().rows_due, scope, &binds).await
                }

                /// [`Ledger::stale_invites`](ats_bridge::store::Ledger::stale_invites)
                /// of `scope`.
                async fn stale(
                    &self,
                    scope: &Scope,
                    invited_before_ms: i64,
                    limit: usize,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let binds = [invited_before_ms, limit_value(limit)];
                    self.select(&queries().stale_invites, scope, &binds).await
                }

                /// [`Ledger::status`](ats_bridge::store::Ledger::status) of `scope`.
                async fn status_of(&self, scope: &Scope) -> StoreResult<StatusReport> {
                    let sql = queries().status_counts.sql(scope);
                    let counts = bind_scope(sqlx::query(sql), scope)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                    let mut report = StatusReport::default();
                    for row in &counts {
                        let state = parse_state(row.try_get("state").map_err(db)?)?;
                        let n = u64::try_from(row.try_get::<i64, _>("n").map_err(db)?).unwrap_or(0);
                        *report.by_state.entry(state).or_default() += n;
                        let job = (
                            AtsName::new(row.try_get::<String, _>("ats").map_err(db)?),
                            JobId::new(row.try_get::<String, _>("job").map_err(db)?),
                        );
                        *report
                            .by_job
                            .entry(job)
                            .or_insert_with(BTreeMap::new)
                            .entry(state)
                            .or_default() += n;
                    }
                    let newest = [limit_value(STATUS_FAILED_LIMIT)];
                    report.failed = self.select(&queries().failed_rows, scope, &newest).await?;
                    report.warned = self.select(&queries().warned_rows, scope, &newest).await?;
                    report.waiting = self.select(&queries().waiting_rows, scope, &newest).await?;
                    Ok(report)
                }

                /// The rows `sql` selects by two text parameters.
                async fn select_pair(
                    &self,
                    sql: &str,
                    first: &str,
                    second: &str,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let rows = sqlx::query(sql)
                        .bind(first)
                        .bind(second)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                    read_rows(&rows)
                }

                async fn select_by_participant(
                    &self,
                    sql: &str,
                    participant: &ParticipantKey,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let rows = sqlx::query(sql)
                        .bind(participant.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                    read_rows(&rows)
                }
            }

            impl LedgerBackend for $store {
                /// A write transaction on a task of its own, committed only if the
                /// change succeeds.
                async fn transact<T: Send + 'static>(
                    &self,
                    change: LedgerChange<T>,
                ) -> StoreResult<T> {
                    let (pool, database_clock) = (self.pool.clone(), self.database_clock());
                    run_detached(async move {
                        let begin = pool.begin_with(<$dialect as Dialect>::BEGIN_WRITE);
                        let mut tx = WriteTx(begin.await.map_err(db)?, database_clock);
                        let out = change.apply(&mut tx).await?;
                        tx.0.commit().await.map_err(db)?;
                        Ok(out)
                    })
                    .await
                }

                async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
                    let row = bind_key(sqlx::query(&queries().row), key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(read_row).transpose()
                }

                async fn rows_by_participant(
                    &self,
                    participant: &ParticipantKey,
                ) -> StoreResult<Vec<LedgerRow>> {
                    self.select_by_participant(&queries().rows_by_participant, participant)
                        .await
                }

                async fn rows_of_candidate(
                    &self,
                    ats: &AtsName,
                    candidate: &CandidateId,
                ) -> StoreResult<Vec<LedgerRow>> {
                    self.select_pair(
                        &queries().rows_of_candidate,
                        ats.as_str(),
                        candidate.as_str(),
                    )
                    .await
                }

                async fn rows_of_application(
                    &self,
                    ats: &AtsName,
                    application: &ApplicationId,
                ) -> StoreResult<Vec<LedgerRow>> {
                    let application = application.as_str();
                    self.select_pair(&queries().rows_of_application, ats.as_str(), application)
                        .await
                }

                async fn find_by_participant(
                    &self,
                    participant: &ParticipantKey,
                ) -> StoreResult<Option<LedgerRow>> {
                    let rows = self
                        .select_by_participant(&queries().find_by_participant, participant)
                        .await?;
                    Ok(rows.into_iter().next())
                }

                async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
                    self.due(&Scope::All, now_ms, limit).await
                }

                async fn stale_invites(
                    &self,
                    invited_before_ms: i64,
                    limit: usize,
                ) -> StoreResult<Vec<LedgerRow>> {
                    self.stale(&Scope::All, invited_before_ms, limit).await
                }

                async fn status(&self) -> StoreResult<StatusReport> {
                    self.status_of(&Scope::All).await
                }

                async fn rows_due_scoped(
                    &self,
                    scope: &str,
                    now_ms: i64,
                    limit: usize,
                ) -> StoreResult<Vec<LedgerRow>> {
                    self.due(&Scope::starting_with(scope)?, now_ms, limit).await
                }

                async fn rows_due_by_scope(
                    &self,
                    now_ms: i64,
                ) -> StoreResult<BTreeMap<String, u64>> {
                    counts_by_scope(&self.pool, &queries().rows_due_by_scope, now_ms, 4).await
                }

                async fn stale_invites_scoped(
                    &self,
                    scope: &str,
                    invited_before_ms: i64,
                    limit: usize,
                ) -> StoreResult<Vec<LedgerRow>> {
                    self.stale(&Scope::starting_with(scope)?, invited_before_ms, limit)
                        .await
                }

                async fn status_scoped(&self, scope: &str) -> StoreResult<StatusReport> {
                    self.status_of(&Scope::starting_with(scope)?).await
                }

                async fn screening(&self, key: &ScreeningKey) -> StoreResult<Option<ScreeningRow>> {
                    let row = bind_screening_key(sqlx::query(&queries().screening), key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(read_screening).transpose()
                }
            }

            #[async_trait]
            impl Inbox for $store {
                async fn inbox_insert(
                    &self,
                    delivery: &NewDelivery<'_>,
                    now_ms: i64,
                ) -> StoreResult<bool> {
                    let result = sqlx::query(&queries().inbox_insert)
                        .bind(delivery.source)
                        .bind(delivery.dedupe_key)
                        .bind(delivery.event)
                        .bind(delivery.payload)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(result.rows_affected() == 1)
                }

                async fn inbox_claim(
                    &self,
                    lease: &Lease,
                    limit: usize,
                ) -> StoreResult<Vec<InboxItem>> {
                    self.claim_inbox(&Scope::All, lease, limit).await
                }

                async fn inbox_claim_scoped(
                    &self,
                    scope: &str,
                    lease: &Lease,
                    limit: usize,
                ) -> StoreResult<Vec<InboxItem>> {
                    self.claim_inbox(&Scope::starting_with(scope)?, lease, limit)
                        .await
                }

                async fn inbox_ready_by_scope(
                    &self,
                    now_ms: i64,
                ) -> StoreResult<BTreeMap<String, u64>> {
                    counts_by_scope(&self.pool, &queries().inbox_ready_by_scope, now_ms, 2).await
                }

                async fn inbox_backlog_scoped(&self, scope: &str) -> StoreResult<InboxBacklog> {
                    self.backlog(&Scope::starting_with(scope)?).await
                }

                async fn inbox_done(&self, id: i64, fence: Fence, now_ms: i64) -> StoreResult<()> {
                    let query = sqlx::query(&queries().inbox_done).bind(now_ms);
                    self.settle_inbox(query, id, fence).await
                }

                async fn inbox_retry(
                    &self,
                    id: i64,
                    fence: Fence,
                    error: &str,
                    next_attempt_at_ms: i64,
                ) -> StoreResult<()> {
                    let query = sqlx::query(&queries().inbox_retry)
                        .bind(error)
                        .bind(next_attempt_at_ms);
                    self.settle_inbox(query, id, fence).await
                }

                async fn inbox_park(
                    &self,
                    id: i64,
                    fence: Fence,
                    error: &str,
                    next_attempt_at_ms: i64,
                ) -> StoreResult<()> {
                    let query = sqlx::query(&queries().inbox_park)
                        .bind(error)
                        .bind(next_attempt_at_ms);
                    self.settle_inbox(query, id, fence).await
                }

                async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64> {
                    let result = sqlx::query(&queries().inbox_prune)
                        .bind(processed_before_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(result.rows_affected())
                }

                async fn inbox_backlog(&self) -> StoreResult<InboxBacklog> {
                    self.backlog(&Scope::All).await
                }
            }

            impl $store {
                /// [`Inbox::inbox_claim`] of the deliveries of `scope`.
                async fn claim_inbox(
                    &self,
                    scope: &Scope,
                    lease: &Lease,
                    limit: usize,
                ) -> StoreResult<Vec<InboxItem>> {
                    // Leases at the database's clock where it has one (like the
                    // ledger's claims): a replica whose clock runs ahead must not see
                    // another's live lease as expired.
                    let at_database_clock = queries()
                        .inbox_claim_at_database_clock
                        .as_ref()
                        .filter(|_| self.database_clock());
                    let (worker, now) = (lease.worker.as_str(), lease.now_ms);
                    let query = match at_database_clock {
                        Some(sql) => {
                            let query = sqlx::query(sql.sql(scope))
                                .bind(worker)
                                .bind(lease.lease_ms);
                            bind_scope(query, scope).bind(now)
                        }
                        None => {
                            let query = sqlx::query(queries().inbox_claim.sql(scope))
                                .bind(worker)
                                .bind(now)
                                .bind(lease.lease_ms);
                            bind_scope(query, scope).bind(now).bind(now)
                        }
                    };
                    let rows = query
                        .bind(limit_value(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                    let mut items = rows
                        .iter()
                        .map(read_inbox_item)
                        .collect::<StoreResult<Vec<_>>>()?;
                    // `RETURNING` promises no order.
                    items.sort_by_key(|item| item.id);
                    Ok(items)
                }

                /// [`Inbox::inbox_backlog`] of the deliveries of `scope`.
                async fn backlog(&self, scope: &Scope) -> StoreResult<InboxBacklog> {
                    let sql = queries().inbox_backlog.sql(scope);
                    let row = bind_scope(sqlx::query(sql), scope)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db)?;
                    let pending = row.try_get::<i64, _>("n").map_err(db)?;
                    let oldest = row.try_get::<Option<i64>, _>("oldest").map_err(db)?;
                    Ok(InboxBacklog::new(
                        u64::try_from(pending).unwrap_or(0),
                        oldest,
                    ))
                }
            }

            #[async_trait]
            impl ReconcilerState for $store {
                async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>> {
                    let row = sqlx::query(&queries().cursor_get)
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(row
                        .map(|row| row.try_get("value"))
                        .transpose()
                        .map_err(db)?)
                }

                async fn cursor_set(
                    &self,
                    name: &str,
                    value: &str,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(&queries().cursor_set)
                        .bind(name)
                        .bind(value)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn job_state(
                    &self,
                    ats: &AtsName,
                    job: &JobId,
                ) -> StoreResult<Option<JobState>> {
                    let row = sqlx::query(&queries().job_state_get)
                        .bind(ats.as_str())
                        .bind(job.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                    let state: Option<String> = row
                        .map(|row| row.try_get("state"))
                        .transpose()
                        .map_err(db)?;
                    Ok(state.as_deref().map(JobState::from))
                }

                async fn set_job_state(
                    &self,
                    ats: &AtsName,
                    job: &JobId,
                    state: &JobState,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(&queries().job_state_set)
                        .bind(ats.as_str())
                        .bind(job.as_str())
                        .bind(state.as_str())
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn history_start(&self, now_ms: i64) -> StoreResult<i64> {
                    sqlx::query(&queries().history_start_insert)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    sqlx::query(&queries().history_start_get)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db)?
                        .try_get("value")
                        .map_err(db)
                }

                async fn restart_history(&self, now_ms: i64) -> StoreResult<()> {
                    sqlx::query(&queries().history_start_set)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await
                        .map_err(db)?;
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use sql_store;
