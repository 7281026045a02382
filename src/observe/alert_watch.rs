//! The alert watcher: polls Prometheus `/api/v1/alerts` and Alertmanager `/api/v2/alerts` every
//! second and records each alert's state changes (pending, firing, resolved, inhibited) with
//! wall times, plus the receivers Alertmanager routed it to. With the fake receivers'
//! notifications this becomes [`AlertObservations`], the evidence the alert checks judge.
//! Bounded: at most [`MAX_CHANGES`] changes and [`MAX_ERRORS`] poll errors are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::am_api::{AmAlert, AmClient};
use super::prom_api::{PromAlert, PromClient};

use crate::evidence::Notification;
use crate::evidence::{AlertObservations, AlertState, AlertStateChange};

/// Most state changes kept.
pub const MAX_CHANGES: usize = 50_000;
/// Most poll errors kept.
pub const MAX_ERRORS: usize = 50;

fn key(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_ms(rfc3339: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339?)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// The watcher's memory between polls (pure, so it is unit-tested without a server).
#[derive(Debug, Default)]
pub struct WatchState {
    prom: BTreeMap<String, (AlertState, BTreeMap<String, String>)>,
    inhibited: BTreeSet<String>,
    /// What has been observed so far.
    pub obs: AlertObservations,
}

impl WatchState {
    fn push(&mut self, c: AlertStateChange) {
        if self.obs.changes.len() < MAX_CHANGES {
            self.obs.changes.push(c);
        } else {
            self.obs.truncated = true;
        }
    }

    /// Fold one Prometheus poll taken at `at_unix_ms` into the state.
    pub fn on_prometheus(&mut self, alerts: &[PromAlert], at_unix_ms: i64) {
        let mut seen = BTreeSet::new();
        for a in alerts {
            let k = key(&a.labels);
            seen.insert(k.clone());
            let name = a.name().to_string();
            self.obs
                .labels
                .entry(name.clone())
                .or_insert_with(|| a.labels.clone());
            self.obs
                .annotations
                .entry(name.clone())
                .or_insert_with(|| a.annotations.clone());
            let state = if a.state == "firing" {
                AlertState::Firing
            } else {
                AlertState::Pending
            };
            let prev = self.prom.get(&k).map(|(s, _)| *s);
            if prev.is_none() {
                // The pending time is Prometheus's own `activeAt` (poll-independent).
                let pending_at = parse_ms(a.active_at.as_deref())
                    .unwrap_or(at_unix_ms)
                    .min(at_unix_ms);
                self.push(AlertStateChange {
                    at_unix_ms: pending_at,
                    alertname: name.clone(),
                    labels: a.labels.clone(),
                    state: AlertState::Pending,
                });
            }
            if state == AlertState::Firing && prev != Some(AlertState::Firing) {
                self.push(AlertStateChange {
                    at_unix_ms,
                    alertname: name,
                    labels: a.labels.clone(),
                    state,
                });
            }
            self.prom.insert(k, (state, a.labels.clone()));
        }
        let gone: Vec<String> = self
            .prom
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        for k in gone {
            if let Some((_, labels)) = self.prom.remove(&k) {
                let alertname = labels.get("alertname").cloned().unwrap_or_default();
                self.push(AlertStateChange {
                    at_unix_ms,
                    alertname,
                    labels,
                    state: AlertState::Resolved,
                });
            }
        }
    }

    /// Fold one Alertmanager poll into the state (receivers and inhibition).
    pub fn on_alertmanager(&mut self, alerts: &[AmAlert], at_unix_ms: i64) {
        let mut now_inhibited = BTreeSet::new();
        for a in alerts {
            let name = a.name().to_string();
            self.obs
                .am_receivers
                .entry(name)
                .or_default()
                .extend(a.receivers.iter().cloned());
            if !a.inhibited_by.is_empty() {
                now_inhibited.insert(key(&a.labels));
                if !self.inhibited.contains(&key(&a.labels)) {
                    self.push(AlertStateChange {
                        at_unix_ms,
                        alertname: a.name().to_string(),
                        labels: a.labels.clone(),
                        state: AlertState::Inhibited,
                    });
                }
            }
        }
        let ended: Vec<String> = self.inhibited.difference(&now_inhibited).cloned().collect();
        for k in ended {
            let labels = self
                .prom
                .get(&k)
                .map(|(_, l)| l.clone())
                .unwrap_or_default();
            let alertname = labels.get("alertname").cloned().unwrap_or_default();
            self.push(AlertStateChange {
                at_unix_ms,
                alertname,
                labels,
                state: AlertState::Uninhibited,
            });
        }
        self.inhibited = now_inhibited;
    }

    fn error(&mut self, e: String) {
        if self.obs.poll_errors.len() < MAX_ERRORS {
            self.obs.poll_errors.push(e);
        }
    }
}

/// A running watcher; [`AlertWatcher::finish`] stops it and returns the observations.
#[derive(Debug)]
pub struct AlertWatcher {
    state: Arc<Mutex<WatchState>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl AlertWatcher {
    /// Start polling `prom` (and `am` when given) every `every`.
    pub fn start(prom: PromClient, am: Option<AmClient>, every: Duration) -> Self {
        let state: Arc<Mutex<WatchState>> = Arc::default();
        state.lock().obs.watched_from_unix_ms = Some(chrono::Utc::now().timestamp_millis());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut last = false;
            while !last {
                // On stop, poll once more so the final state (e.g. a just-resolved alert) is seen.
                tokio::select! {
                    _ = &mut rx => last = true,
                    _ = tick.tick() => {}
                }
                let now = chrono::Utc::now().timestamp_millis();
                match prom.alerts().await {
                    Ok(a) => st.lock().on_prometheus(&a, now),
                    Err(e) => st.lock().error(e),
                }
                if let Some(am) = &am {
                    match am.alerts().await {
                        Ok(a) => st.lock().on_alertmanager(&a, now),
                        Err(e) => st.lock().error(e),
                    }
                }
            }
        });
        Self {
            state,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// A copy of what has been observed so far (for progress lines).
    pub fn snapshot(&self) -> AlertObservations {
        self.state.lock().obs.clone()
    }

    /// Stop polling and return the observations, with the fake receivers' notifications.
    pub async fn finish(mut self, notifications: Vec<Notification>) -> AlertObservations {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        let mut obs = std::mem::take(&mut self.state.lock().obs);
        obs.changes.sort_by_key(|c| c.at_unix_ms);
        obs.notifications = notifications;
        obs.watched_until_unix_ms = Some(chrono::Utc::now().timestamp_millis());
        obs
    }
}

impl Drop for AlertWatcher {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(name: &str, state: &str, active: &str) -> PromAlert {
        PromAlert {
            labels: [("alertname".to_string(), name.to_string())].into(),
            annotations: BTreeMap::new(),
            state: state.to_string(),
            active_at: Some(active.to_string()),
        }
    }

    #[test]
    fn pending_firing_resolved_with_active_at() {
        let mut w = WatchState::default();
        let t0 = 1_700_000_000_000;
        w.on_prometheus(&[alert("A", "pending", "2023-11-14T22:13:19Z")], t0);
        w.on_prometheus(&[alert("A", "pending", "2023-11-14T22:13:19Z")], t0 + 1000);
        w.on_prometheus(&[alert("A", "firing", "2023-11-14T22:13:19Z")], t0 + 2000);
        w.on_prometheus(&[], t0 + 3000);
        let s: Vec<_> = w
            .obs
            .changes
            .iter()
            .map(|c| (c.state, c.at_unix_ms - t0))
            .collect();
        assert_eq!(
            s,
            [
                (AlertState::Pending, -1000),
                (AlertState::Firing, 2000),
                (AlertState::Resolved, 3000)
            ]
        );
    }

    #[test]
    fn first_seen_firing_still_records_pending_and_inhibition() {
        let mut w = WatchState::default();
        w.on_prometheus(&[alert("B", "firing", "bad time")], 50);
        let am = AmAlert {
            labels: [("alertname".to_string(), "B".to_string())].into(),
            annotations: BTreeMap::new(),
            receivers: vec!["critical".into()],
            state: "suppressed".into(),
            inhibited_by: vec!["x".into()],
            silenced_by: vec![],
        };
        w.on_alertmanager(std::slice::from_ref(&am), 60);
        w.on_alertmanager(&[], 70);
        let s: Vec<_> = w.obs.changes.iter().map(|c| c.state).collect();
        assert_eq!(
            s,
            [
                AlertState::Pending,
                AlertState::Firing,
                AlertState::Inhibited,
                AlertState::Uninhibited
            ]
        );
        assert!(
            w.obs
                .am_receivers
                .get("B")
                .is_some_and(|r| r.contains("critical"))
        );
    }
}
