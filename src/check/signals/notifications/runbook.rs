//! `notifications.runbook.<A>`: every page (a PagerDuty trigger, or any Slack or PagerDuty
//! notification of an alert whose `severity` label is `critical`) offers a runbook link.

use super::{KIND, who};
use crate::check::registry::CheckInfo;
use crate::evidence::{AlertObservations, Notification, NotificationKind, NotificationStatus};
use crate::verdict::Check;

pub const ID: &str = "notifications.runbook";

/// Whether `target` can be a runbook: an http(s) URL with a host that is not Alertmanager's
/// or Prometheus's own page (`/#/alerts`, `/graph`: the default title link, client URL and
/// generator URL), or a repository path whose file exists.
pub fn runbook_target(target: &str, obs: &AlertObservations) -> bool {
    let rest = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            let own_ui = r.contains("/#/alerts") || r.contains("/graph");
            !host.is_empty() && !own_ui
        }
        None => obs.link_files.get(target).copied().unwrap_or(false),
    }
}

/// Whether `n` offers a runbook link.
pub fn has_runbook(n: &Notification, obs: &AlertObservations) -> bool {
    n.link_targets().iter().any(|t| runbook_target(t, obs))
}

/// Whether `n` is a page: firing, not a webhook, and a PagerDuty trigger or a critical alert.
fn is_page(n: &Notification, critical: bool) -> bool {
    n.status == NotificationStatus::Firing
        && n.kind != NotificationKind::Webhook
        && (critical || n.kind == NotificationKind::Pagerduty)
}

pub(super) fn check(alert: &str, notes: &[&Notification], obs: &AlertObservations) -> Check {
    let id = format!("{ID}.{alert}");
    let critical = obs
        .labels
        .get(alert)
        .and_then(|l| l.get("severity"))
        .is_some_and(|s| s == "critical");
    let pages: Vec<&&Notification> = notes.iter().filter(|n| is_page(n, critical)).collect();
    if pages.is_empty() {
        return Check::skip(
            id,
            KIND,
            format!("{alert} sent no page (no PagerDuty trigger, severity not critical)"),
        );
    }
    let missing: Vec<String> = pages
        .iter()
        .filter(|n| !has_runbook(n, obs))
        .map(|n| {
            let targets = n.link_targets();
            format!(
                "{alert}: {} title \"{}\" has no runbook link (links and URLs: {})",
                who(n),
                n.rendered.title.chars().take(120).collect::<String>(),
                if targets.is_empty() {
                    "none".to_string()
                } else {
                    targets.join(", ")
                }
            )
        })
        .collect();
    match missing.first() {
        None => Check::pass(
            id,
            KIND,
            format!("{alert}: all {} page(s) carry a runbook link", pages.len()),
        ),
        Some(first) => Check::fail(
            id,
            KIND,
            format!("{first} ({} of {} page(s))", missing.len(), pages.len()),
        )
        .with_evidence(missing.iter().cloned()),
    }
}

pub(super) const INFO: CheckInfo = CheckInfo {
    id: "notifications.runbook.<alert>",
    kind: KIND,
    proves: "every page of the alert (PagerDuty trigger, or any Slack/PagerDuty message of a \
             critical alert) offers a runbook link",
    failure: "the on-call person gets paged without a runbook: add a Runbook button or link \
              (or the runbook_url in the text) to the receiver's template",
    explain: "A link (Slack title_link or button, PagerDuty link or client_url) or a URL in \
              the text, fields or details counts when it is an http(s) URL with a host that \
              is not Alertmanager's or Prometheus's own page (/#/alerts, /graph), or a path \
              to a file that exists in the repository (docs/runbooks/X.md). URLs are not \
              fetched. Skipped for an alert that sent no page.\n\
              Example failure: PipelineHighErrorRate: receiver `critical` \
              (pagerduty:video-pipeline-critical, firing) title \"PipelineHighErrorRate: ...\" \
              has no runbook link (links and URLs: http://127.0.0.1:9093/#/alerts?receiver=critical)",
};
