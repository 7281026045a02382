//! A run's [`Session`]: the target, the stack and the observers, opened together and observed
//! together. Observing drives the load while the logs stream, then collects what the stack and
//! the receiver saw into one [`Evidence`], stopping every process it started.

use std::cell::RefCell;

use tokio::sync::{oneshot, watch};

use super::env::RunEnv;
use super::observers::{Receiver, Scrapes, capture_logs, feed_job_ends, feed_spans, jaeger_spans};
use super::stack::RunStack;
use super::target::Target;
use crate::check::signals::log_feed::LogFeed;
use crate::check::signals::trace_feed::{TraceFeed, TraceSource};
use crate::evidence::{Evidence, LoadOutcome, RunContext, ScrapeLog, StackEvidence};
use crate::exit::AppError;
use crate::expect::ExpectationSet;
use crate::load::JobTap;
use crate::observe::liveness::DeathWatch;
use crate::observe::outage::{OutageWatch, Probe};
use crate::scenario::Plan;

/// Job ends queued for the log and trace checks: at 5,000 jobs/s, 6.5 s of them, far more
/// than the checks need to keep up (each end is a few map look-ups).
const JOB_END_QUEUE: usize = 32_768;

/// The target, the stack and obsgate's own trace receiver of one run.
pub struct Session {
    receiver: Option<Receiver>,
    target: Target,
    stack: RunStack,
}

/// What the load and the stack gave, before the traces are collected.
struct Observed {
    outcome: Result<LoadOutcome, AppError>,
    scrapes: ScrapeLog,
    stack: StackEvidence,
    death: Option<crate::evidence::ComponentDeath>,
    /// Outages of probed components that came back (stated in the report).
    gaps: Vec<String>,
}

impl Session {
    /// Where this session's spans come from.
    pub fn trace_source(&self, env: &RunEnv) -> TraceSource {
        match (&self.receiver, &env.jaeger_url) {
            (_, Some(_)) => TraceSource::Jaeger,
            (Some(_), None) => TraceSource::Receiver,
            (None, None) => TraceSource::Unobserved,
        }
    }

    /// Start the receiver (the stub must know where to export before it starts), the target,
    /// then the stack scraping it. A failure stops what was already started.
    pub async fn open(plan: &Plan, exps: &ExpectationSet, env: &RunEnv) -> Result<Self, AppError> {
        // With --jaeger-url the traces are read back from Jaeger instead, and a started stub
        // exports where the OTEL_* environment says (Jaeger's collector).
        let receiver = match (&env.target, &env.jaeger_url) {
            (None, None) => Some(Receiver::start().await?),
            _ => None,
        };
        let endpoint = receiver.as_ref().map(|r| r.endpoint.clone());
        let mut target = Target::start(plan, env, endpoint).await?;
        match RunStack::open(plan, env, exps, &target).await {
            Ok(stack) => Ok(Self {
                receiver,
                target,
                stack,
            }),
            Err(e) => {
                target.stop().await;
                Err(e)
            }
        }
    }

    /// Drive the plan, stream the logs into `logs` and the spans into `traces`, observe the
    /// stack after the load, stop everything, and read traces back from Jaeger if asked.
    pub async fn observe(
        mut self,
        plan: &Plan,
        exps: &ExpectationSet,
        env: &RunEnv,
        logs: &mut LogFeed<'_>,
        traces: &mut TraceFeed<'_>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Evidence, AppError> {
        let stdout = self.target.stub.as_mut().and_then(|s| s.take_stdout());
        let (logs_done_tx, logs_done_rx) = oneshot::channel::<()>();
        let (jobs_done_tx, jobs_done_rx) = oneshot::channel::<()>();
        let (tap, job_ends) = match logs.wants_jobs() || traces.wants_jobs() {
            true => {
                let (tap, rx) = JobTap::channel(JOB_END_QUEUE);
                (Some(tap), Some(rx))
            }
            false => (None, None),
        };
        let mut receiver = self.receiver.take();
        let span_batches = receiver.as_mut().and_then(Receiver::take_spans);
        // Logs, spans and job ends are read in this task, beside the load: the checkers join
        // them as they come (bounded memory) and borrow the expectations, so they cannot move
        // into a spawned task. The readers share the feeds; each borrows one only between
        // awaits.
        let (log_feed, trace_feed) = (RefCell::new(logs), RefCell::new(traces));
        let capture = capture_logs(stdout, env.logs.as_deref(), &log_feed, logs_done_rx);
        let ends = feed_job_ends(job_ends, &log_feed, &trace_feed, jobs_done_rx);
        let spans = feed_spans(span_batches, &trace_feed);
        let main = async {
            let observed = self.load_and_stack(plan, exps, env, tap, shutdown).await;
            let _ = logs_done_tx.send(());
            let _ = jobs_done_tx.send(());
            // The target has stopped (its last batches are flushed): closing the receiver
            // ends the span queue once drained.
            let spans_lost = match receiver {
                Some(r) => r.finish().await,
                None => None,
            };
            (observed, spans_lost)
        };
        let (log_result, (), (), (observed, spans_lost)) = tokio::join!(capture, ends, spans, main);
        let outcome = observed.outcome?;
        let traces = trace_feed.into_inner();
        let trace_backend_error = match &env.jaeger_url {
            Some(j) => {
                let (spans, error) = jaeger_spans(j, &traces.sampled_trace_ids()).await;
                traces.replay(spans);
                error
            }
            None => None,
        };
        Ok(Evidence {
            context: RunContext {
                phase_faults: plan
                    .phases
                    .iter()
                    .map(|p| (p.name.clone(), p.faults.clone()))
                    .collect(),
                end_unix_nano: crate::util::unix_nanos_now(),
                own_healthy_stub: env.target.is_none() && env.stub_defects.is_empty(),
                target_url: self.target.base_url.clone(),
            },
            outcome,
            scrapes: observed.scrapes,
            trace_backend_error,
            spans_lost,
            log_capture_error: log_result.err(),
            stack: observed.stack,
            death: observed.death,
            outage_gaps: observed.gaps,
        })
    }

    /// The load, then the stack's view while the target still runs (alerts must see it
    /// recover), then stop the stack, the scrapes and the target, in that order.
    async fn load_and_stack(
        &mut self,
        plan: &Plan,
        exps: &ExpectationSet,
        env: &RunEnv,
        tap: Option<JobTap>,
        shutdown: watch::Receiver<bool>,
    ) -> Observed {
        let scrapes = Scrapes::start(&self.target.base_url);
        // The schedule stops on Ctrl-C or as soon as a process the run started dies.
        let (stop_tx, stop_rx) = watch::channel(false);
        let forward = forward_stop(shutdown, stop_tx.clone());
        let mut procs = self.stack.session.pids();
        let stub = self
            .target
            .stub
            .as_ref()
            .map(|s| s.pid())
            .filter(|p| *p != 0);
        procs.extend(stub.map(|p| ("stub".to_string(), p)));
        let mut probes = self.stack.session.probes();
        if env.target.is_some() {
            probes.push(Probe {
                component: "target".into(),
                url: format!("{}/", self.target.base_url),
            });
        }
        let outages = OutageWatch::start(probes, env.outage_limit, stop_tx.clone());
        let deaths = DeathWatch::start(procs, stop_tx);
        // Logs and traces are joined with the jobs as they end (through `tap`): no record is
        // kept for the whole run.
        let outcome = self.target.drive(plan, env, false, tap, stop_rx).await;
        let stack = match &outcome {
            Ok(o) => self.stack.observe(plan, env, exps, &self.target, o).await,
            Err(_) => StackEvidence::default(),
        };
        let outages = outages.finish().await;
        let death = deaths.finish().await.or(outages.death);
        forward.abort();
        self.stack.stop().await;
        let scrapes = scrapes.finish().await;
        // Stopping the stub flushes its last trace batches and closes its stdout.
        self.target.stop().await;
        Observed {
            outcome,
            scrapes,
            stack,
            death,
            gaps: outages.gaps,
        }
    }
}

/// Pass `shutdown` (Ctrl-C) on to `stop`, which a death may also set.
fn forward_stop(
    mut shutdown: watch::Receiver<bool>,
    stop: watch::Sender<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *shutdown.borrow_and_update() {
                let _ = stop.send(true);
                return;
            }
            if shutdown.changed().await.is_err() {
                return;
            }
        }
    })
}
