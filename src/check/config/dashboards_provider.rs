//! Grafana provisioning checks across files: the dashboard provider is a file provider whose
//! container path is where the compose stack mounts the folder holding the dashboard JSON, and
//! every provisioned datasource URL names a compose service.

use crate::check::config::compose::url_host_port;
use crate::check::registry::CheckInfo;
use crate::config::compose::ComposeFile;
use crate::config::grafana::{DashboardProvisioning, ProvisionedDatasource};
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Dashboards;

/// The container path a host path is visible at in `service`, from its bind mounts
/// (`./config/grafana/provisioning:/etc/grafana/provisioning` makes
/// `./config/grafana/provisioning/dashboards` visible at `/etc/grafana/provisioning/dashboards`).
pub fn container_path(compose: &ComposeFile, service: &str, host: &str) -> Option<String> {
    let svc = compose.services.get(service)?;
    svc.volumes.iter().find_map(|v| {
        let (src, dst) = v.source_target();
        let (src, dst) = (src?, dst?);
        let src = src.trim_end_matches('/');
        let rest = host.strip_prefix(src)?;
        (rest.is_empty() || rest.starts_with('/'))
            .then(|| format!("{}{rest}", dst.trim_end_matches('/')))
    })
}

/// The provider check. `json_dir` is the host folder of the dashboard JSON relative to the
/// compose file (`./config/grafana/provisioning/dashboards`).
pub fn check_provider(
    prov: &DashboardProvisioning,
    compose: Option<&ComposeFile>,
    json_dir: &str,
) -> Check {
    let id = "dashboards.provider";
    let file_providers: Vec<_> = prov
        .providers
        .iter()
        .filter(|p| p.kind.as_deref().unwrap_or("file") == "file")
        .collect();
    let paths: Vec<String> = file_providers
        .iter()
        .filter_map(|p| p.options.as_ref().and_then(|o| o.path.clone()))
        .collect();
    if paths.is_empty() {
        return Check::fail(id, KIND, "no file dashboard provider with `options.path`");
    }
    let Some(compose) = compose else {
        return Check::pass(id, KIND, format!("file provider(s) at {paths:?}"));
    };
    match container_path(compose, "grafana", json_dir) {
        Some(c) if paths.iter().any(|p| p.trim_end_matches('/') == c) => Check::pass(
            id,
            KIND,
            format!("provider path {c} is where grafana sees {json_dir}"),
        ),
        Some(c) => Check::fail(
            id,
            KIND,
            format!("provider paths {paths:?} do not include {c}, where grafana sees {json_dir}"),
        ),
        None => Check::fail(
            id,
            KIND,
            format!("the grafana service mounts nothing that holds {json_dir}"),
        ),
    }
}

/// Every provisioned datasource URL names a compose service (or localhost).
pub fn check_datasource_urls(ds: &[ProvisionedDatasource], compose: &ComposeFile) -> Check {
    let problems: Vec<String> = ds
        .iter()
        .filter_map(|d| {
            let url = d.url.as_deref()?;
            let (host, _) = url_host_port(url)?;
            let ok = compose.services.contains_key(&host)
                || matches!(host.as_str(), "localhost" | "127.0.0.1");
            (!ok).then(|| format!("datasource `{}` url {url} names no compose service", d.name))
        })
        .collect();
    if problems.is_empty() {
        Check::pass(
            "dashboards.datasource_urls",
            KIND,
            format!("{} datasource URL(s) name compose services", ds.len()),
        )
    } else {
        Check::fail("dashboards.datasource_urls", KIND, problems.join("; "))
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "dashboards.provider",
        kind: KIND,
        proves: "a file dashboard provider points where grafana sees the dashboard JSON",
        failure: "Grafana would load no dashboard: see provisioning/dashboards/*.yaml and mounts",
        explain: "The provider's `options.path` must be the container path at which the compose \
                  file mounts the folder holding the dashboard JSON. `obsgate check` also \
                  reports an unparseable provider file under this id.\n\
                  Example failure: provider paths [\"/var/lib/grafana/dashboards\"] do not include \
                  /etc/grafana/provisioning/dashboards, where grafana sees \
                  ./config/grafana/provisioning/dashboards",
    },
    CheckInfo {
        id: "dashboards.datasource_urls",
        kind: KIND,
        proves: "every provisioned datasource URL names a compose service (or localhost)",
        failure: "a datasource points at a host the stack does not have: see datasources/*.yaml",
        explain: "Inside the compose network Grafana reaches Prometheus by service name.\n\
                  Example failure: datasource `Prometheus` url http://prometeus:9090 names no \
                  compose service",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;
    use crate::verdict::Status;

    #[test]
    fn provider_path_follows_the_mount() {
        let compose: ComposeFile = parse_yaml(
            "c.yml",
            "services:\n  grafana:\n    image: g\n    volumes: ['./config/grafana/provisioning:/etc/grafana/provisioning:ro']\n  prometheus: {image: p}\n",
        )
        .expect("compose");
        let good: DashboardProvisioning = parse_yaml(
            "d.yaml",
            "apiVersion: 1\nproviders: [{name: a, type: file, options: {path: /etc/grafana/provisioning/dashboards}}]\n",
        )
        .expect("provider");
        let dir = "./config/grafana/provisioning/dashboards";
        assert_eq!(
            check_provider(&good, Some(&compose), dir).status,
            Status::Pass
        );
        let bad: DashboardProvisioning = parse_yaml(
            "d.yaml",
            "providers: [{name: a, options: {path: /var/lib/grafana/dashboards}}]\n",
        )
        .expect("provider");
        let c = check_provider(&bad, Some(&compose), dir);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains("/etc/grafana/provisioning/dashboards"),
            "{}",
            c.message
        );
        let ds = |url: &str| ProvisionedDatasource {
            name: "P".into(),
            uid: None,
            kind: "prometheus".into(),
            url: Some(url.into()),
            is_default: true,
        };
        assert_eq!(
            check_datasource_urls(&[ds("http://prometheus:9090")], &compose).status,
            Status::Pass
        );
        assert_eq!(
            check_datasource_urls(&[ds("http://prom:9090")], &compose).status,
            Status::Fail
        );
    }
}
