//! Per-client limits of the SMTP listener: how many connections a client address holds, and
//! how many messages it may send a minute (a token bucket per address). Kept in memory, per
//! node: a client that spreads over several nodes gets each node's share.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Addresses tracked before idle ones (no connection, bucket full again) are forgotten.
const PRUNE_ABOVE: usize = 4096;

#[derive(Debug)]
struct Client {
    connections: usize,
    tokens: f64,
    refilled_at: Instant,
}

#[derive(Debug)]
struct State {
    clients: HashMap<IpAddr, Client>,
    connections: usize,
}

/// The limits shared by every session of one listener.
#[derive(Debug, Clone)]
pub struct ClientLimits {
    state: Arc<Mutex<State>>,
    per_minute: f64,
    connections_per_client: usize,
    max_connections: usize,
}

/// Why a connection is turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    TooManyFromClient,
    TooManyInAll,
}

/// A held connection; dropping it gives the slot back.
#[derive(Debug)]
pub struct ConnectionSlot {
    limits: ClientLimits,
    client: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut state = self.limits.lock();
        state.connections = state.connections.saturating_sub(1);
        if let Some(client) = state.clients.get_mut(&self.client) {
            client.connections = client.connections.saturating_sub(1);
        }
    }
}

impl ClientLimits {
    pub fn new(per_minute: u32, connections_per_client: usize, max_connections: usize) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                clients: HashMap::new(),
                connections: 0,
            })),
            per_minute: f64::from(per_minute.max(1)),
            connections_per_client,
            max_connections,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves counts that are still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn refill(&self, client: &mut Client, now: Instant) {
        let elapsed = now.duration_since(client.refilled_at).as_secs_f64();
        client.tokens = (client.tokens + elapsed * self.per_minute / 60.0).min(self.per_minute);
        client.refilled_at = now;
    }

    /// A connection slot for `client`, unless it (or the listener) holds too many already.
    pub fn connect(&self, client: IpAddr) -> Result<ConnectionSlot, Refused> {
        let now = Instant::now();
        let mut state = self.lock();
        if state.connections >= self.max_connections {
            return Err(Refused::TooManyInAll);
        }
        if state.clients.len() > PRUNE_ABOVE {
            let per_minute = self.per_minute;
            state.clients.retain(|_, c| {
                let full = c.tokens
                    + now.duration_since(c.refilled_at).as_secs_f64() * per_minute / 60.0
                    >= per_minute;
                c.connections > 0 || !full
            });
        }
        let entry = state.clients.entry(client).or_insert(Client {
            connections: 0,
            tokens: self.per_minute,
            refilled_at: now,
        });
        if entry.connections >= self.connections_per_client {
            return Err(Refused::TooManyFromClient);
        }
        entry.connections += 1;
        state.connections += 1;
        Ok(ConnectionSlot {
            limits: self.clone(),
            client,
        })
    }

    /// Takes one message's token for `client`; false when its bucket is empty.
    pub fn take_message(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        let Some(mut entry) = state.clients.remove(&client) else {
            return false;
        };
        self.refill(&mut entry, now);
        let taken = entry.tokens >= 1.0;
        if taken {
            entry.tokens -= 1.0;
        }
        state.clients.insert(client, entry);
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_limited_per_client_and_in_all() {
        let limits = ClientLimits::new(60, 2, 3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = limits.connect(a).unwrap();
        let _second = limits.connect(a).unwrap();
        assert_eq!(limits.connect(a).unwrap_err(), Refused::TooManyFromClient);
        let _third = limits.connect(b).unwrap();
        assert_eq!(limits.connect(b).unwrap_err(), Refused::TooManyInAll);
        drop(first);
        assert!(limits.connect(a).is_ok());
    }

    #[test]
    fn each_client_sends_its_minute_s_worth_then_waits() {
        let limits = ClientLimits::new(3, 10, 10);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let _a = limits.connect(a).unwrap();
        let _b = limits.connect(b).unwrap();
        assert!((0..3).all(|_| limits.take_message(a)));
        assert!(!limits.take_message(a));
        assert!(limits.take_message(b), "another client has its own bucket");
    }
}
