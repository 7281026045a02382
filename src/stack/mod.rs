//! Prometheus and Alertmanager: managed child processes with overlay configs, or external URLs.

pub mod config;
