//! An external stack (e.g. the compose stack): observed through its HTTP APIs only. Routing is
//! proven by Alertmanager's `/api/v2/alerts` `receivers`, since its notifiers are real.

use crate::exit::AppError;
use crate::observe::am_api::AmClient;
use crate::observe::prom_api::PromClient;

/// URLs of a running Prometheus and Alertmanager.
#[derive(Debug, Clone)]
pub struct ExternalStack {
    /// Prometheus base URL.
    pub prometheus_url: String,
    /// Alertmanager base URL.
    pub alertmanager_url: String,
}

impl ExternalStack {
    /// Check both answer `/-/ready`; a stack that does not is exit 3.
    pub async fn connect(prometheus_url: &str, alertmanager_url: &str) -> Result<Self, AppError> {
        let p = PromClient::new(prometheus_url);
        let a = AmClient::new(alertmanager_url);
        match p.ready().await {
            Ok(true) => {}
            Ok(false) => {
                return Err(AppError::harness(format!(
                    "Prometheus at {prometheus_url} is not ready (/-/ready)"
                )));
            }
            Err(e) => {
                return Err(AppError::harness(format!(
                    "Prometheus at {prometheus_url} unreachable: {e}"
                )));
            }
        }
        match a.ready().await {
            Ok(true) => {}
            Ok(false) => {
                return Err(AppError::harness(format!(
                    "Alertmanager at {alertmanager_url} is not ready (/-/ready)"
                )));
            }
            Err(e) => {
                return Err(AppError::harness(format!(
                    "Alertmanager at {alertmanager_url} unreachable: {e}"
                )));
            }
        }
        Ok(Self {
            prometheus_url: prometheus_url.trim_end_matches('/').to_string(),
            alertmanager_url: alertmanager_url.trim_end_matches('/').to_string(),
        })
    }

    /// A Prometheus client.
    pub fn prometheus(&self) -> PromClient {
        PromClient::new(&self.prometheus_url)
    }

    /// An Alertmanager client.
    pub fn alertmanager(&self) -> AmClient {
        AmClient::new(&self.alertmanager_url)
    }
}
