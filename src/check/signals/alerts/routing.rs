//! `alerts.routing.<A>`: the alert reaches the expected receivers (and, on a managed stack,
//! the expected Slack channels and PagerDuty routing keys).

use std::collections::BTreeSet;

use super::timeline::{for_alert, set, split};
use super::{AlertCheckInput, AspectCtx, KIND};
use crate::check::registry::CheckInfo;
use crate::evidence::RoutingEvidence;
use crate::evidence::{Notification, NotificationStatus};
use crate::expect::alerts::AlertExpectation;
use crate::verdict::Check;

pub const ID: &str = "alerts.routing";

/// Who got the alert from the fault's phase start on.
pub(super) struct Seen<'a> {
    /// Firing notifications that mention the alert (evidence when routing is wrong).
    pub(super) notes: Vec<&'a Notification>,
    /// Receiver names.
    pub(super) names: BTreeSet<String>,
    /// Destinations (`slack:#…`, `pagerduty:…`); empty on an external stack.
    pub(super) dests: BTreeSet<String>,
}

impl Seen<'_> {
    /// When the first firing notification arrived, Unix ms.
    pub(super) fn first_at(&self) -> Option<i64> {
        self.notes.iter().map(|n| n.at_unix_ms).min()
    }
}

pub(super) fn seen<'a>(
    e: &'a AlertExpectation,
    input: &AlertCheckInput<'a>,
    start: i64,
) -> Seen<'a> {
    let obs = input.observations;
    let a = e.alert.as_str();
    let notes: Vec<&Notification> = for_alert(&obs.notifications, a)
        .filter(|n| n.status == NotificationStatus::Firing && n.at_unix_ms >= start)
        .collect();
    let (names, dests) = match input.routing {
        RoutingEvidence::Notifications => (
            notes.iter().map(|n| n.receiver.clone()).collect(),
            notes.iter().map(|n| n.destination()).collect(),
        ),
        RoutingEvidence::AlertmanagerApi => (
            obs.am_receivers.get(a).cloned().unwrap_or_default(),
            BTreeSet::new(),
        ),
    };
    Seen {
        notes,
        names,
        dests,
    }
}

pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let (e, a, seen) = (ctx.e, ctx.alert(), &ctx.seen);
    let id = ctx.id(ID);
    if e.receivers.is_empty() {
        out.push(Check::skip(id, KIND, format!("{a}: no receivers expected")));
        return;
    }
    let (exp_names, exp_dest) = split(e.receivers.iter().cloned());
    let dest_checked = ctx.input.routing == RoutingEvidence::Notifications;
    let mut problems = Vec::new();
    if !exp_names.is_empty() && exp_names != seen.names {
        problems.push(format!(
            "receivers {} (expected {})",
            set(&seen.names),
            set(&exp_names)
        ));
    }
    if dest_checked && !exp_dest.is_empty() && exp_dest != seen.dests {
        problems.push(format!(
            "destinations {} (expected {})",
            set(&seen.dests),
            set(&exp_dest)
        ));
    }
    let how = if dest_checked {
        "notifications"
    } else {
        "Alertmanager's routing (channels and routing keys not observable on an external stack)"
    };
    out.push(if problems.is_empty() {
        Check::pass(
            id,
            KIND,
            format!(
                "{a} delivered to {} ({how})",
                set(&seen
                    .names
                    .union(if dest_checked {
                        &seen.dests
                    } else {
                        &exp_names
                    })
                    .cloned()
                    .collect())
            ),
        )
    } else {
        Check::fail(id, KIND, format!("{a} went to {}", problems.join("; "))).with_evidence(
            seen.notes.iter().map(|n| {
                format!(
                    "{} {} {:?} {:?}",
                    n.at_unix_ms,
                    n.destination(),
                    n.receiver,
                    n.alertnames
                )
            }),
        )
    });
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.routing.<alert>",
    kind: KIND,
    proves: "the alert reached the expected receivers (and Slack channels, PagerDuty keys)",
    failure: "the notification went elsewhere or nowhere: see alertmanager.yml's routes",
    explain: "On a managed stack obsgate's fake receivers record every notification, with \
              Slack channels and PagerDuty routing keys; on an external stack only \
              Alertmanager's receiver names are seen. Skipped when no receiver is expected.\n\
              Example failure: RenderFailures went to receivers slack-sla (expected critical); \
              destinations slack:#sla (expected slack:#critical, pagerduty:pk)",
}];
