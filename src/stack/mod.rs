//! Prometheus and Alertmanager: managed child processes with overlay configs, or external URLs.
//! The stack's own timing (intervals, `for`, `group_wait`) is read here for the alert bounds.
pub mod clock;
pub mod external;
pub mod generated;
pub mod managed;
pub mod overlay;
mod overlay_templates;
pub mod ports;
pub mod process;
pub mod session;
