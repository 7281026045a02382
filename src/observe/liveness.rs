//! Watching the processes a run started (the stub, Prometheus, Alertmanager): each is polled
//! every 200 ms through `/proc/<pid>/stat`, without reaping it (its owner still stops it), so a
//! process that died is seen within one poll, with its exit status when the kernel keeps it
//! (a zombie's `exit_code` field). The first death stops the schedule and is kept as evidence.

use std::time::Duration;

use tokio::sync::watch;

use crate::evidence::ComponentDeath;

/// How often every watched process is looked at.
const POLL: Duration = Duration::from_millis(200);

/// What `/proc` says of one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    /// Gone or a zombie, with how it ended when known.
    Dead(String),
}

/// How a `waitpid` status ended a process.
pub fn describe_status(status: i64) -> String {
    let signal = status & 0x7f;
    if signal != 0 {
        format!("exited by signal {signal}")
    } else {
        format!("exited with status {}", (status >> 8) & 0xff)
    }
}

/// The state of `pid` from the text of its `/proc/<pid>/stat` (None: no such process).
pub fn parse_stat(stat: Option<&str>) -> Liveness {
    let Some(stat) = stat else {
        return Liveness::Dead("exited".into());
    };
    // The command name is in parentheses and may hold spaces: fields start after the last `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    match fields.first() {
        Some(&"Z") | Some(&"X") | Some(&"x") => {
            // Field 52 (exit_code) is the 50th after the state's own position 3.
            let status = fields.get(49).and_then(|s| s.parse::<i64>().ok());
            Liveness::Dead(status.map_or_else(|| "exited".into(), describe_status))
        }
        _ => Liveness::Alive,
    }
}

/// The state of a running process.
pub fn liveness(pid: u32) -> Liveness {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
    parse_stat(text.as_deref())
}

/// A background watch over named processes.
pub struct DeathWatch {
    task: tokio::task::JoinHandle<Option<ComponentDeath>>,
    done: watch::Sender<bool>,
}

impl DeathWatch {
    /// Watch `procs` (name, pid); on the first death, send `true` on `stop`.
    pub fn start(procs: Vec<(String, u32)>, stop: watch::Sender<bool>) -> Self {
        let (done, mut done_rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                for (name, pid) in &procs {
                    if let Liveness::Dead(how) = liveness(*pid) {
                        let _ = stop.send(true);
                        return Some(ComponentDeath {
                            component: name.clone(),
                            how,
                            at_unix_ms: chrono::Utc::now().timestamp_millis(),
                        });
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = done_rx.changed() => return None,
                }
            }
        });
        Self { task, done }
    }

    /// Stop watching (before the run stops its processes itself); the death seen, if any.
    pub async fn finish(self) -> Option<ComponentDeath> {
        let _ = self.done.send(true);
        self.task.await.ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_running_zombie_and_gone() {
        assert_eq!(
            parse_stat(Some("42 (prometheus) S 1 42 42 0 -1")),
            Liveness::Alive
        );
        let mut zombie = "7 (prom etheus) Z".to_string();
        for _ in 0..48 {
            zombie.push_str(" 0");
        }
        zombie.push_str(" 9");
        assert_eq!(
            parse_stat(Some(&zombie)),
            Liveness::Dead("exited by signal 9".into())
        );
        assert_eq!(describe_status(256), "exited with status 1");
        assert_eq!(parse_stat(None), Liveness::Dead("exited".into()));
    }

    #[tokio::test]
    async fn a_killed_child_is_seen_and_stops_the_run() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep");
        let (tx, mut rx) = watch::channel(false);
        let w = DeathWatch::start(vec![("sleeper".into(), child.id())], tx);
        assert_eq!(liveness(child.id()), Liveness::Alive);
        let _ = child.kill();
        tokio::time::timeout(Duration::from_secs(5), rx.changed())
            .await
            .expect("seen within 5 s")
            .expect("sender alive");
        let death = w.finish().await.expect("a death");
        assert_eq!(death.component, "sleeper");
        assert_eq!(death.how, "exited by signal 9");
        let _ = child.wait();
    }
}
