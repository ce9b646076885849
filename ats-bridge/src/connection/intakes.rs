//! One webhook intake per connection, built on first use from the stored connection
//! and rebuilt when it changes; what `/webhooks/{connection}/{source}` routes to.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use tokio::sync::Notify;

use super::adapters::AdapterBuilder;
use super::{ConnectionError, ConnectionId, ConnectionManager, ConnectionRecord, ConnectionState};
use crate::intake::{DeliveryListener, Intake};
use crate::store::Stores;

/// Builds the intake of one connection. [`AdapterIntakes`] builds it from the stored
/// secrets; implement this to wire intakes differently (other adapters, limits).
#[async_trait]
pub trait IntakeFactory: Send + Sync + fmt::Debug {
    /// The intake of `record`, storing deliveries under the connection's scope
    /// ([`crate::intake::IntakeBuilder::connection`]).
    async fn intake(&self, record: &ConnectionRecord) -> Result<Arc<Intake>, ConnectionError>;
}

/// The default [`IntakeFactory`]: the connection's ATS adapters (each verifying with
/// its own webhook secrets) and its Willo URL token.
#[derive(Debug, Clone)]
pub struct AdapterIntakes {
    manager: ConnectionManager,
    adapters: AdapterBuilder,
    stores: Stores,
    listener: Option<Arc<dyn DeliveryListener>>,
}

impl AdapterIntakes {
    /// Intakes storing into `stores`' inbox, with adapters from `adapters`.
    pub fn new(manager: ConnectionManager, adapters: AdapterBuilder, stores: Stores) -> Self {
        Self {
            manager,
            adapters,
            stores,
            listener: None,
        }
    }

    /// Wake the engine with `notify` after each stored delivery.
    pub fn notify(self, notify: Arc<Notify>) -> Self {
        self.listener(notify)
    }

    /// Tell `listener` of each stored delivery: for a fleet,
    /// [`super::Fleet::arrivals`], which wakes it for that connection alone.
    pub fn listener(mut self, listener: Arc<dyn DeliveryListener>) -> Self {
        self.listener = Some(listener);
        self
    }
}

#[async_trait]
impl IntakeFactory for AdapterIntakes {
    async fn intake(&self, record: &ConnectionRecord) -> Result<Arc<Intake>, ConnectionError> {
        let secrets = self.manager.secrets(&record.id).await?;
        let mut builder = Intake::builder(self.stores.clone()).connection(&record.id);
        for ats in self.adapters.build(record, &secrets)? {
            builder = builder.ats(ats);
        }
        if let Some(token) = secrets.willo_webhook_token {
            builder = builder.willo_token(token);
        }
        if let Some(listener) = &self.listener {
            builder = builder.listener(listener.clone());
        }
        let intake = builder
            .build()
            .map_err(|e| ConnectionError::Invalid(e.to_string()))?;
        Ok(Arc::new(intake))
    }
}

/// The intakes of every connection, by id: built on first use, rebuilt when the
/// connection changed since (its `updated_at_ms`), none for an unknown or removed
/// connection. Paused connections and those needing credentials still receive:
/// deliveries are kept for when they resume.
#[derive(Debug)]
pub struct ConnectionIntakes {
    manager: ConnectionManager,
    factory: Arc<dyn IntakeFactory>,
    cache: RwLock<HashMap<ConnectionId, (i64, Arc<Intake>)>>,
}

impl ConnectionIntakes {
    /// Intakes of `manager`'s connections, built by `factory`.
    pub fn new(manager: ConnectionManager, factory: Arc<dyn IntakeFactory>) -> Self {
        Self {
            manager,
            factory,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The intake of the connection named `id` in a URL; `None` when the text is not
    /// an id or names no live connection. One indexed store read per call (changes
    /// made by another replica apply at once).
    pub async fn get(&self, id: &str) -> Result<Option<Arc<Intake>>, ConnectionError> {
        let Ok(id) = ConnectionId::new(id) else {
            return Ok(None);
        };
        let record = match self.manager.store().connection_get(&id).await? {
            Some(record) if record.state != ConnectionState::Removed => record,
            _ => {
                self.write().remove(&id);
                return Ok(None);
            }
        };
        if let Some((version, intake)) = self.read().get(&id)
            && *version == record.updated_at_ms
        {
            return Ok(Some(intake.clone()));
        }
        let intake = self.factory.intake(&record).await?;
        self.write()
            .insert(id, (record.updated_at_ms, intake.clone()));
        Ok(Some(intake))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<ConnectionId, (i64, Arc<Intake>)>> {
        self.cache.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<ConnectionId, (i64, Arc<Intake>)>> {
        self.cache.write().unwrap_or_else(PoisonError::into_inner)
    }
}
