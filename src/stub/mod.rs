//! The system under test: a fake video pipeline (queue → db.insert → agent.call ×N → render →
//! qa.gate → db.update) that emits the seed's 12 metrics, JSON logs and OTLP traces, driven by
//! a fault profile. `app(state) -> Router` plus `run(listener, shutdown)`.
pub mod faults;
