//! `notifications.rendering.<A>`: no rendered field of any of the alert's notifications holds a
//! template defect: `<no value>` (a missing label or annotation), `%!` (a Go format error) or
//! `{{` (template text sent unrendered).

use super::{KIND, around, who};
use crate::check::registry::CheckInfo;
use crate::evidence::Notification;
use crate::verdict::Check;

pub const ID: &str = "notifications.rendering";
/// What a rendered field must not contain.
const DEFECTS: &[&str] = &["<no value>", "%!", "{{"];

pub(super) fn check(alert: &str, notes: &[&Notification]) -> Check {
    let id = format!("{ID}.{alert}");
    let mut found = Vec::new();
    for n in notes {
        for (field, text) in n.rendered_texts() {
            for d in DEFECTS {
                if let Some(at) = text.find(d) {
                    found.push(format!(
                        "{alert}: {} field `{field}` renders `{d}`: \"{}\"",
                        who(n),
                        around(text, at, d.len())
                    ));
                }
            }
        }
    }
    match found.first() {
        None => Check::pass(
            id,
            KIND,
            format!(
                "{alert}: {} notification(s) rendered without `<no value>`, `%!` or `{{{{`",
                notes.len()
            ),
        ),
        Some(first) => Check::fail(
            id,
            KIND,
            format!("{first} ({} defect(s) in all)", found.len()),
        )
        .with_evidence(found.iter().cloned()),
    }
}

pub(super) const INFO: CheckInfo = CheckInfo {
    id: "notifications.rendering.<alert>",
    kind: KIND,
    proves: "every notification of the alert rendered its templates fully: no `<no value>`, \
             `%!` or `{{` in a title, text, field, link, summary, severity, source or detail",
    failure: "a template reads a label or annotation the alert lacks, or a format verb is \
              wrong: see the quoted text and the receiver's template",
    explain: "Always run on a managed stack, over every firing and resolved notification the \
              fake receivers got for the alert.\n\
              Example failure: PipelineHighErrorRate: receiver `critical` (slack:#critical, \
              firing) field `title` renders `<no value>`: \"[FIRING:1] PipelineHighErrorRate \
              on <no value>\"",
};
