//! Applying the policy file's exceptions ([`crate::config::policy::Policy`]) to the static
//! checks: a matching check is turned off (reported as `skip`, with the reason) or given
//! another severity, and its message says which exception did it and why. Pure.

use crate::config::policy::{Exception, Policy, Severity};
use crate::verdict::{Check, Status};

/// Apply every exception; the last one matching a check decides. Errors (a check that could
/// not run) are never changed: an exception is about findings, not about lost observations.
pub fn apply_policy(checks: Vec<Check>, policy: &Policy) -> Vec<Check> {
    checks
        .into_iter()
        .map(
            |c| match policy.exceptions.iter().rev().find(|e| matches(e, &c)) {
                Some(e) if c.status != Status::Error => applied(c, e),
                _ => c,
            },
        )
        .collect()
}

fn applied(mut c: Check, e: &Exception) -> Check {
    let why = format!("{}: {}", e.origin, e.reason);
    match e.severity {
        Severity::Off => {
            c.message = format!(
                "disabled by {why} (was {}: {})",
                c.status.as_str(),
                c.message
            );
            c.status = Status::Skip;
        }
        Severity::Warn | Severity::Fail if matches!(c.status, Status::Fail | Status::Warn) => {
            let to = if e.severity == Severity::Warn {
                Status::Warn
            } else {
                Status::Fail
            };
            if to != c.status {
                c.message = format!("{} [{} by {why}]", c.message, to.as_str());
                c.status = to;
            }
        }
        _ => {}
    }
    c
}

fn matches(e: &Exception, c: &Check) -> bool {
    if !id_matches(&e.check, &c.id) {
        return false;
    }
    if e.files.is_empty() {
        return true;
    }
    let Some(file) = c.file.as_deref() else {
        return false;
    };
    // `file (data.x.json)` is a dashboard inside a ConfigMap: match the file.
    let file = file.split(" (data.").next().unwrap_or(file);
    let name = std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trimmed = file.strip_prefix("./").unwrap_or(file);
    e.files
        .iter()
        .any(|p| p.matches(trimmed) || (!p.as_str().contains('/') && p.matches(&name)))
}

/// `*` matches any run of characters; everything else is literal.
fn id_matches(pattern: &str, id: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == id;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Kind;

    fn exception(check: &str, files: &[&str], severity: Severity) -> Exception {
        Exception {
            check: check.into(),
            files: files
                .iter()
                .map(|f| glob::Pattern::new(f).expect("glob"))
                .collect(),
            severity,
            reason: "legacy, migrating".into(),
            origin: "obsgate.yaml:3".into(),
        }
    }

    #[test]
    fn ids_match_with_stars() {
        assert!(id_matches("dashboards.model.*", "dashboards.model.x"));
        assert!(id_matches(
            "rules.*.KubeAPIDown",
            "rules.runbook.KubeAPIDown"
        ));
        assert!(id_matches("*", "a"));
        assert!(!id_matches("rules.*.A", "rules.runbook.B"));
        assert!(!id_matches("rules.labels", "rules.labels.A"));
    }

    #[test]
    fn off_warn_and_fail_by_file() {
        let fail = Check::fail("dashboards.datasource.old", Kind::Dashboards, "x")
            .about_file("dash/legacy/old.json");
        let other = Check::fail("dashboards.datasource.new", Kind::Dashboards, "y")
            .about_file("dash/new.json");
        let warn = Check::warn("rules.runbook.A", Kind::Rules, "no runbook");
        let err = Check::error("rules.promtool", Kind::Rules, "crashed");
        let policy = Policy {
            exceptions: vec![
                exception("dashboards.*", &["dash/legacy/*.json"], Severity::Off),
                exception("rules.runbook.*", &[], Severity::Fail),
                exception("*", &["nothing/*"], Severity::Off),
                exception("rules.promtool", &[], Severity::Off),
            ],
        };
        let out = apply_policy(vec![fail, other, warn, err], &policy);
        assert_eq!(out[0].status, Status::Skip);
        assert!(
            out[0]
                .message
                .contains("disabled by obsgate.yaml:3: legacy, migrating (was fail: x)")
        );
        assert_eq!(out[1].status, Status::Fail, "another file");
        assert_eq!(out[2].status, Status::Fail);
        assert!(
            out[2].message.contains("[fail by obsgate.yaml:3"),
            "{}",
            out[2].message
        );
        assert_eq!(out[3].status, Status::Error, "errors are never changed");
    }
}
