//! `compose.templates`: Alertmanager resolves its `templates:` globs relative to its config
//! file inside the container: each must land on a path mounted into the alertmanager service,
//! or every field that calls a template fails to render and notifications are not sent. Pure.

use super::compose::{KIND, args_of, flag_value, verdict};
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::compose::ComposeFile;
use crate::verdict::Check;

/// The check over the alertmanager service's volumes and the config's `templates` globs.
pub(crate) fn templates_check(c: &ComposeFile, am: &AlertmanagerConfig) -> Check {
    let id = "compose.templates";
    let Some(svc) = c.services.get("alertmanager") else {
        return Check::fail(id, KIND, "no `alertmanager` service");
    };
    let config = flag_value(&args_of(svc), "--config.file")
        .unwrap_or_else(|| "/etc/alertmanager/alertmanager.yml".into());
    let dir = config.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    let targets: Vec<String> = svc
        .volumes
        .iter()
        .filter_map(|v| v.source_target().1)
        .collect();
    let problems: Vec<String> = am
        .templates
        .iter()
        .filter_map(|g| {
            let path = if g.starts_with('/') {
                g.clone()
            } else {
                format!("{dir}/{g}")
            };
            // The folder the glob reads (its part before the first wildcard).
            let fixed = path
                .split_once(['*', '?', '['])
                .map_or(path.as_str(), |(head, _)| head);
            let folder = fixed.rsplit_once('/').map_or(fixed, |(d, _)| d);
            let mounted = targets.iter().any(|t| {
                let t = t.trim_end_matches('/');
                folder == t || folder.starts_with(&format!("{t}/")) || path == t
            });
            (!mounted).then(|| {
                format!(
                    "templates `{g}` resolve to {path} in the alertmanager container, which no \
                     volume provides (mount the templates folder at {folder})"
                )
            })
        })
        .collect();
    verdict(
        id,
        format!(
            "{} template glob(s) mounted where alertmanager looks",
            am.templates.len()
        ),
        problems,
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "compose.templates",
    kind: KIND,
    proves: "every `templates` glob of alertmanager.yml lands on a path mounted into the \
             alertmanager container",
    failure: "Alertmanager would not find its templates and could not render notifications: \
              see `templates` and the alertmanager volumes",
    explain: "Alertmanager resolves `templates` globs relative to its config file inside the \
              container (--config.file, default /etc/alertmanager/alertmanager.yml); the folder \
              each glob reads must fall under a volume target of the alertmanager service.\n\
              Example failure: templates `templates/*.tmpl` resolve to \
              /etc/alertmanager/templates/*.tmpl in the alertmanager container, which no volume \
              provides (mount the templates folder at /etc/alertmanager/templates)",
}];
