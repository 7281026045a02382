//! `alerts.notification.<A>`: the alert's notifications say what its `notification:`
//! expectation asks: every firing Slack message matches `slack.title` / `slack.text`, every
//! PagerDuty trigger `pagerduty.summary` / `severity`; `runbook_link: required` needs a runbook
//! link in every firing message, `resolved_message: required` a resolved message after the
//! alert resolved.

use super::timeline::for_alert;
use super::{AspectCtx, KIND};
use crate::check::registry::CheckInfo;
use crate::check::signals::notifications::runbook::has_runbook;
use crate::evidence::{Notification, NotificationKind, NotificationStatus, RoutingEvidence};
use crate::expect::alerts::{NotificationExpectation, Requirement};
use crate::expect::matchers::StrMatcher;
use crate::verdict::Check;

pub const ID: &str = "alerts.notification";

/// `text`, cut to 200 chars, newlines shown as `\n`.
fn quote(text: &str) -> String {
    let mut q: String = text.chars().take(200).collect();
    if q.len() < text.len() {
        q.push('…');
    }
    q.replace('\n', "\\n")
}

/// A problem when `m` is set and `value` does not match it.
fn field(
    a: &str,
    n: &Notification,
    name: &str,
    m: Option<&StrMatcher>,
    value: &str,
) -> Option<String> {
    let m = m?;
    (!m.matches(value)).then(|| {
        format!(
            "{a}: receiver `{}` ({}) {name} \"{}\" is not {}",
            n.receiver,
            n.destination(),
            quote(value),
            m.describe()
        )
    })
}

/// Every mismatch of the firing messages against the matchers and the runbook requirement.
fn firing_problems(
    ctx: &AspectCtx<'_>,
    x: &NotificationExpectation,
    firing: &[&Notification],
) -> Vec<String> {
    let a = ctx.alert();
    let mut out = Vec::new();
    let slack: Vec<&&Notification> = firing
        .iter()
        .filter(|n| n.kind == NotificationKind::Slack)
        .collect();
    let pd: Vec<&&Notification> = firing
        .iter()
        .filter(|n| n.kind == NotificationKind::Pagerduty)
        .collect();
    if (x.slack_title.is_some() || x.slack_text.is_some()) && slack.is_empty() {
        out.push(format!("{a}: no firing Slack message to match"));
    }
    if (x.pagerduty_summary.is_some() || x.pagerduty_severity.is_some()) && pd.is_empty() {
        out.push(format!("{a}: no PagerDuty trigger to match"));
    }
    for n in slack {
        out.extend(field(
            a,
            n,
            "slack.title",
            x.slack_title.as_ref(),
            &n.rendered.title,
        ));
        out.extend(field(
            a,
            n,
            "slack.text",
            x.slack_text.as_ref(),
            &n.rendered.text,
        ));
    }
    for n in pd {
        out.extend(field(
            a,
            n,
            "pagerduty.summary",
            x.pagerduty_summary.as_ref(),
            &n.rendered.title,
        ));
        let sev = n.rendered.severity.as_deref().unwrap_or("");
        out.extend(field(
            a,
            n,
            "pagerduty.severity",
            x.pagerduty_severity.as_ref(),
            sev,
        ));
    }
    if x.runbook_link == Requirement::Required {
        for n in firing.iter().filter(|n| !has_runbook(n, ctx.obs())) {
            out.push(format!(
                "{a}: receiver `{}` ({}) firing message \"{}\" has no runbook link",
                n.receiver,
                n.destination(),
                quote(&n.rendered.title)
            ));
        }
    }
    out
}

/// The resolved-message requirement.
fn resolved_problem(ctx: &AspectCtx<'_>) -> Option<String> {
    let a = ctx.alert();
    let Some(fired) = ctx.fired_at else {
        return Some(format!("{a} never fired, so no resolved message was sent"));
    };
    let Some(cleared) = ctx.cleared_at else {
        return Some(format!(
            "{a} still active at the end of the run: no resolved message was due"
        ));
    };
    let got = for_alert(&ctx.obs().notifications, a)
        .any(|n| n.status == NotificationStatus::Resolved && n.at_unix_ms > fired);
    (!got).then(|| {
        format!(
            "{a} resolved {}s into the run but no receiver got a resolved message",
            (cleared - ctx.input.run_start_unix_ms) / 1000
        )
    })
}

pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let Some(x) = &ctx.e.notification else {
        return;
    };
    let (a, id) = (ctx.alert(), ctx.id(ID));
    if ctx.input.routing != RoutingEvidence::Notifications {
        out.push(Check::skip(
            id,
            KIND,
            format!("{a}: notification contents are not observable on an external stack"),
        ));
        return;
    }
    let firing: Vec<&Notification> = for_alert(&ctx.obs().notifications, a)
        .filter(|n| n.status == NotificationStatus::Firing && n.kind != NotificationKind::Webhook)
        .collect();
    let mut problems = firing_problems(ctx, x, &firing);
    if x.resolved_message == Requirement::Required {
        problems.extend(resolved_problem(ctx));
    }
    out.push(match problems.first() {
        None => Check::pass(
            id,
            KIND,
            format!(
                "{a}: {} firing message(s) say what the expectation asks",
                firing.len()
            ),
        ),
        Some(p) => Check::fail(id, KIND, format!("{p} ({} problem(s))", problems.len()))
            .with_evidence(problems.iter().cloned()),
    });
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.notification.<alert>",
    kind: KIND,
    proves: "the alert's Slack messages and PagerDuty triggers match its `notification:` \
             expectation, carry a runbook link and are followed by a resolved message when required",
    failure: "the receiver's template renders something else: see the quoted field and the \
              receiver named",
    explain: "Judged when the expectation has a notification: block, on every firing Slack \
              message (title, text) and PagerDuty trigger (summary, severity) of the alert; a \
              plain string matches exactly, {regex: ...} is anchored. runbook_link: required \
              needs a runbook link (as notifications.runbook judges it) in every firing \
              message; resolved_message: required a resolved message after the alert fired \
              and resolved. Skipped on an external stack.\n\
              Example failure: PipelineHighErrorRate: receiver `critical` (slack:#critical) \
              slack.title \"[FIRING] PipelineHighErrorRat\" is not matching \
              /\\[FIRING(:[0-9]+)?\\] PipelineHighErrorRate.*/ (1 problem(s))",
}];
