//! The fleet's inbox loop: free slots shared round-robin among the connections that
//! have deliveries ready, each within its own bound.

use std::collections::HashMap;

use futures::StreamExt as _;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::Fleet;
use crate::connection::ConnectionId;
use crate::engine::{Engine, EngineError};
use crate::store::InboxItem;

/// Claims running at once in one round (each is one store query).
const PARALLEL_CLAIMS: usize = 8;

/// What the loop tracks between rounds.
#[derive(Default)]
struct Slots {
    /// Deliveries in progress per connection.
    in_flight: HashMap<ConnectionId, usize>,
    /// Ready deliveries per connection as the store last counted them, plus what the
    /// intakes stored since, less what was claimed since: a freed slot is filled from
    /// these without counting again (the count reads every unprocessed delivery, so
    /// it is made only every tick and on the plain inbox signal).
    left: HashMap<ConnectionId, u64>,
    /// Where the last round stopped: the next starts after it, so no connection is
    /// always served first.
    after: Option<ConnectionId>,
    /// Which connection each delivery's task serves.
    owners: HashMap<tokio::task::Id, ConnectionId>,
}

impl Slots {
    /// A delivery's task ended: free its connection's slot. Returns whether that
    /// connection has deliveries left to claim.
    fn finished(&mut self, done: Result<(tokio::task::Id, ()), tokio::task::JoinError>) -> bool {
        let task = match &done {
            Ok((task, ())) => *task,
            Err(error) => {
                tracing::error!(%error, "an inbox delivery's task failed");
                error.id()
            }
        };
        let Some(id) = self.owners.remove(&task) else {
            return false;
        };
        if let Some(count) = self.in_flight.get_mut(&id) {
            *count = count.saturating_sub(1);
        }
        self.left.get(&id).is_some_and(|left| *left > 0)
    }
}

impl Fleet {
    /// Keep up to `concurrency` deliveries in progress, shared fairly; see the module.
    pub(super) async fn inbox_loop(
        &self,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), EngineError> {
        let signal = self.inbox_signal();
        let arrivals = self.inner.arrivals.clone();
        // One clock for the whole loop: a sleep made anew each turn would never end
        // while deliveries complete more often than a tick, and the counts would go stale.
        let mut tick = tokio::time::interval(self.inner.engine_config.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut tasks = JoinSet::new();
        let mut slots = Slots::default();
        // Whether to count the ready deliveries again (something may have arrived),
        // and whether the last count still has some to claim.
        let (mut recount, mut maybe_more) = (true, true);
        loop {
            let stopping = *stop.borrow();
            if stopping && tasks.is_empty() {
                return Ok(());
            }
            let free = self.inner.config.concurrency.saturating_sub(tasks.len());
            if !stopping && (recount || maybe_more) && free > 0 {
                maybe_more = false;
                let round = self.claim_round(free, &mut slots, recount).await;
                recount = false;
                match round {
                    Ok(claimed) => {
                        for (id, engine, items, full) in claimed {
                            maybe_more |= full;
                            for item in items {
                                *slots.in_flight.entry(id.clone()).or_default() += 1;
                                let task = tasks.spawn(engine.clone().handle_item(item));
                                slots.owners.insert(task.id(), id.clone());
                            }
                        }
                    }
                    Err(error) => tracing::error!(%error, "reading the inbox failed"),
                }
            }
            tokio::select! {
                Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    maybe_more |= slots.finished(done);
                    // Every other delivery done meanwhile too: one round then refills
                    // all their slots (claims in parallel), where a round per
                    // completion would make the loop's store round trips the pace.
                    while let Some(done) = tasks.try_join_next_with_id() {
                        maybe_more |= slots.finished(done);
                    }
                }
                _ = signal.notified(), if !stopping => recount = true,
                _ = arrivals.wake.notified(), if !stopping => {
                    for (scope, count) in arrivals.take() {
                        if let Ok(id) = ConnectionId::new(scope) {
                            *slots.left.entry(id).or_default() += count;
                            maybe_more = true;
                        }
                    }
                }
                _ = tick.tick(), if !stopping => recount = true,
                _ = stop.changed(), if !stopping => {}
            }
        }
    }

    /// One round: which connections have deliveries ready (counted again when
    /// `recount`), how many slots each gets, and the claims. Returns per connection its
    /// engine, the items and whether it got all it asked for (so it may have more).
    async fn claim_round(
        &self,
        free: usize,
        slots: &mut Slots,
        recount: bool,
    ) -> Result<Vec<(ConnectionId, Engine, Vec<InboxItem>, bool)>, EngineError> {
        if recount {
            let ready = self
                .inner
                .stores
                .inbox
                .inbox_ready_by_scope(self.now_ms())
                .await?;
            slots.left = ready
                .into_iter()
                .filter_map(|(id, count)| Some((ConnectionId::new(id).ok()?, count)))
                .collect();
        }
        let mut wanting = Vec::new();
        for (id, &count) in &slots.left {
            if count == 0 {
                continue;
            }
            let Some(record) = self.active(id.as_str()) else {
                continue;
            };
            let busy = slots.in_flight.get(&record.id).copied().unwrap_or(0);
            let room = self.bound(&record).saturating_sub(busy);
            if room > 0 {
                wanting.push((
                    record,
                    room.min(usize::try_from(count).unwrap_or(usize::MAX)),
                ));
            }
        }
        wanting.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let wants: Vec<(&ConnectionId, usize)> = wanting
            .iter()
            .map(|(record, room)| (&record.id, *room))
            .collect();
        let (shares, last) = share_round_robin(&wants, free, slots.after.as_ref());
        if last.is_some() {
            slots.after = last;
        }
        let claims = wanting
            .into_iter()
            .zip(shares)
            .filter(|(_, share)| *share > 0)
            .map(|((record, _), share)| async move {
                let engine = self.engine(&record).await?;
                match engine.claim_inbox(share).await {
                    Ok(items) => Some((record.id, engine, items, share)),
                    Err(error) => {
                        tracing::error!(connection = %record.id, %error, "claiming deliveries failed");
                        None
                    }
                }
            });
        let claimed: Vec<_> = futures::stream::iter(claims)
            .buffer_unordered(PARALLEL_CLAIMS)
            .filter_map(|claimed| async move { claimed })
            .collect()
            .await;
        Ok(claimed
            .into_iter()
            .map(|(id, engine, items, share)| {
                let full = items.len() == share;
                if let Some(left) = slots.left.get_mut(&id) {
                    // Fewer than asked: none are left (another replica took them).
                    *left = if full {
                        left.saturating_sub(items.len() as u64)
                    } else {
                        0
                    };
                }
                (id, engine, items, full)
            })
            .collect())
    }
}

/// Share `free` slots among `wants` (each connection, in id order, with the most it
/// can take now), one slot at a time round-robin starting after the connection
/// `after`, so every connection with work gets a slot before any gets a second.
/// Returns each one's share (in `wants`' order) and the last connection served, where
/// the next round starts.
fn share_round_robin(
    wants: &[(&ConnectionId, usize)],
    free: usize,
    after: Option<&ConnectionId>,
) -> (Vec<usize>, Option<ConnectionId>) {
    let start = after.map_or(0, |after| wants.partition_point(|(id, _)| *id <= after));
    let order: Vec<usize> = (start..wants.len()).chain(0..start).collect();
    let mut shares = vec![0usize; wants.len()];
    let mut remaining = free;
    let mut last = None;
    while remaining > 0 {
        let mut served = false;
        for &i in &order {
            if remaining == 0 {
                break;
            }
            if shares[i] < wants[i].1 {
                shares[i] += 1;
                remaining -= 1;
                served = true;
                last = Some(i);
            }
        }
        if !served {
            break;
        }
    }
    (shares, last.map(|i| wants[i].0.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> ConnectionId {
        ConnectionId::new(text).unwrap()
    }

    #[test]
    fn every_connection_with_work_gets_a_slot_before_any_gets_two() {
        let (a, b, c) = (id("a"), id("b"), id("c"));
        let wants = [(&a, 100), (&b, 1), (&c, 3)];
        let (shares, last) = share_round_robin(&wants, 4, None);
        assert_eq!(shares, vec![2, 1, 1]);
        assert_eq!(last, Some(a.clone()));
        // Plenty of slots: each takes what it can, no more.
        let (shares, _) = share_round_robin(&wants, 64, None);
        assert_eq!(shares, vec![60, 1, 3]);
    }

    #[test]
    fn a_round_starts_after_the_last_one_served() {
        let (a, b, c) = (id("a"), id("b"), id("c"));
        let wants = [(&a, 5), (&b, 5), (&c, 5)];
        let (shares, last) = share_round_robin(&wants, 1, Some(&a));
        assert_eq!(shares, vec![0, 1, 0]);
        assert_eq!(last, Some(b.clone()));
        let (shares, last) = share_round_robin(&wants, 1, last.as_ref());
        assert_eq!(shares, vec![0, 0, 1]);
        let (shares, _) = share_round_robin(&wants, 1, last.as_ref());
        assert_eq!(shares, vec![1, 0, 0]);
    }
}
