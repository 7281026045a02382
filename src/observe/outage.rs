//! Watching the components a run did not start (an external Prometheus or Alertmanager, a
//! `--target`): each is probed over HTTP every second. One that fails every probe for the
//! outage limit is treated like a dead child: the schedule stops and the death is evidence. One
//! that comes back within the limit (a restart) is survived, and the gap is kept so the report
//! can state it.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::evidence::ComponentDeath;

/// How often each endpoint is probed.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How long one probe may take: a third of the outage limit, between 1 and 5 s, so that a
/// front end slowed by the load is not taken for a dead one.
fn probe_timeout(limit: Duration) -> Duration {
    (limit / 3).clamp(Duration::from_secs(1), Duration::from_secs(5))
}

/// One endpoint to probe: its component name and the URL whose any HTTP answer means "up".
#[derive(Debug, Clone)]
pub struct Probe {
    pub component: String,
    pub url: String,
}

/// What the watch saw: the outage that stopped the run, if one did, and the gaps survived.
#[derive(Debug, Default)]
pub struct Outages {
    pub death: Option<ComponentDeath>,
    /// "prometheus at URL did not answer for 4.0 s from 07:44:12 UTC, then came back".
    pub gaps: Vec<String>,
}

/// Where one endpoint stands.
#[derive(Debug, Default)]
struct Down {
    since: Option<(Instant, i64)>,
    last_error: String,
}

/// A background watch over `probes`.
pub struct OutageWatch {
    task: tokio::task::JoinHandle<Outages>,
    done: watch::Sender<bool>,
}

impl OutageWatch {
    /// Probe every endpoint each second; after `limit` of failed probes, send `true` on `stop`.
    pub fn start(probes: Vec<Probe>, limit: Duration, stop: watch::Sender<bool>) -> Self {
        let (done, done_rx) = watch::channel(false);
        let task = tokio::spawn(watch_all(probes, limit, stop, done_rx));
        Self { task, done }
    }

    /// Stop probing (before the run stops the stack); what was seen.
    pub async fn finish(self) -> Outages {
        let _ = self.done.send(true);
        self.task.await.unwrap_or_default()
    }
}

async fn watch_all(
    probes: Vec<Probe>,
    limit: Duration,
    stop: watch::Sender<bool>,
    mut done: watch::Receiver<bool>,
) -> Outages {
    let mut out = Outages::default();
    if probes.is_empty() {
        return out;
    }
    let client = reqwest::Client::builder()
        .timeout(probe_timeout(limit))
        .build()
        .unwrap_or_default();
    let mut state: Vec<Down> = probes.iter().map(|_| Down::default()).collect();
    loop {
        for (p, d) in probes.iter().zip(&mut state) {
            let answer = client.get(&p.url).send().await.map(|_| ());
            if let Some(death) = step(p, d, answer.map_err(|e| chain(&e)), limit, &mut out) {
                let _ = stop.send(true);
                out.death = Some(death);
                return out;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(PROBE_EVERY) => {}
            _ = done.changed() => return out,
        }
    }
}

/// Fold one probe's answer into `d`: a death once it has been down for `limit`, a gap in `out`
/// when it comes back.
fn step(
    p: &Probe,
    d: &mut Down,
    answer: Result<(), String>,
    limit: Duration,
    out: &mut Outages,
) -> Option<ComponentDeath> {
    let now = Instant::now();
    match (answer, d.since) {
        (Ok(()), None) => None,
        (Ok(()), Some((at, at_ms))) => {
            out.gaps.push(format!(
                "{} at {} did not answer for {:.1} s from {} (last error: {}), then came back; observations in that gap may be missing",
                p.component,
                p.url,
                (now - at).as_secs_f64(),
                utc(at_ms),
                d.last_error
            ));
            d.since = None;
            None
        }
        (Err(e), _) => {
            d.last_error = e;
            let (at, at_ms) = *d
                .since
                .get_or_insert((now, chrono::Utc::now().timestamp_millis()));
            (now - at >= limit).then(|| ComponentDeath {
                component: p.component.clone(),
                how: format!(
                    "stopped answering (every probe of {} failed for {} s; last error: {})",
                    p.url,
                    limit.as_secs_f64(),
                    d.last_error
                ),
                at_unix_ms: at_ms,
            })
        }
    }
}

/// An error with its causes ("error sending request ...: connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%H:%M:%S UTC").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe() -> Probe {
        Probe {
            component: "prometheus".into(),
            url: "http://127.0.0.1:9/-/healthy".into(),
        }
    }

    #[test]
    fn a_short_gap_is_survived_and_stated() {
        let (p, mut d, mut out) = (probe(), Down::default(), Outages::default());
        let limit = Duration::from_secs(10);
        assert!(step(&p, &mut d, Err("refused".into()), limit, &mut out).is_none());
        assert!(step(&p, &mut d, Ok(()), limit, &mut out).is_none());
        assert_eq!(out.gaps.len(), 1);
        assert!(
            out.gaps[0]
                .starts_with("prometheus at http://127.0.0.1:9/-/healthy did not answer for"),
            "{:?}",
            out.gaps
        );
        assert!(
            out.gaps[0].contains("last error: refused"),
            "{:?}",
            out.gaps
        );
    }

    #[test]
    fn an_outage_of_the_limit_is_a_death_dated_from_its_start() {
        let (p, mut d, mut out) = (probe(), Down::default(), Outages::default());
        assert!(
            step(
                &p,
                &mut d,
                Err("refused".into()),
                Duration::from_secs(3600),
                &mut out
            )
            .is_none()
        );
        let started = d.since.map(|(_, ms)| ms);
        let death = step(
            &p,
            &mut d,
            Err("timed out".into()),
            Duration::ZERO,
            &mut out,
        )
        .expect("down for the limit");
        assert_eq!(Some(death.at_unix_ms), started);
        assert!(
            death
                .how
                .starts_with("stopped answering (every probe of http://127.0.0.1:9")
        );
        assert!(
            death.how.ends_with("last error: timed out)"),
            "{}",
            death.how
        );
    }

    #[tokio::test]
    async fn an_endpoint_nobody_answers_stops_the_run() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let (tx, mut rx) = watch::channel(false);
        let p = Probe {
            component: "alertmanager".into(),
            url: format!("http://127.0.0.1:{port}/-/healthy"),
        };
        let w = OutageWatch::start(vec![p], Duration::from_millis(1500), tx);
        let stopped = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|s| *s)).await;
        assert!(stopped.is_ok_and(|r| r.is_ok()));
        let seen = w.finish().await;
        let death = seen.death.expect("a death");
        assert_eq!(death.component, "alertmanager");
        assert!(
            death.how.to_lowercase().contains("refused"),
            "{}",
            death.how
        );
    }
}
