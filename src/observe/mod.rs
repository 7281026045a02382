//! I/O only: scrape `/metrics`, receive OTLP traces, capture logs, receive notifications, poll
//! Prometheus/Alertmanager/Jaeger APIs. Produces evidence values; never judges them (that is
//! [`crate::check`]'s job).
pub mod alert_watch;
pub mod am_api;
pub mod exposition;
pub mod health;
pub mod jaeger;
pub mod liveness;
pub mod logs;
pub mod metric_sources;
pub mod metric_sources_prom;
pub mod otlp;
pub mod outage;
pub mod paced;
pub mod prom_api;
pub mod receivers;
pub mod receivers_parse;
pub mod receivers_render;
pub mod recorded;
pub mod scrape;
pub mod slo_counts;
pub mod templates;
pub mod tools;
