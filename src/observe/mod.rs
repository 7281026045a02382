//! I/O only: scrape `/metrics`, receive OTLP traces, capture logs, receive notifications, poll
//! Prometheus/Alertmanager/Jaeger APIs. Produces evidence values; never judges them (that is
//! [`crate::check`]'s job).
pub mod exposition;
pub mod jaeger;
pub mod logs;
pub mod model;
pub mod otlp;
pub mod scrape;
