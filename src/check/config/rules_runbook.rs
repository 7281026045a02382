//! `rules.runbook.<rule>`: where an alert's `runbook_url` leads.
//! - none: one warning (the page gives no next step);
//! - an http(s) URL: accepted as it is (obsgate does not fetch it), unless it points into this
//!   repository's `docs/runbooks/` while that folder is read: then the file must exist;
//! - a relative path: it must name a file, from the rule file's folder or the working folder.

use crate::check::config::rules::{RulesPolicy, runbook_file};
use crate::check::registry::CheckInfo;
use crate::config::files::has_scheme;
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Rules;

/// The check of one alert's `runbook_url`.
pub fn runbook_check(key: &str, name: &str, url: Option<&String>, policy: &RulesPolicy) -> Check {
    let id = format!("rules.runbook.{key}");
    let Some(url) = url.map(|u| u.trim()).filter(|u| !u.is_empty()) else {
        return Check::warn(
            id,
            KIND,
            format!("`{name}` has no runbook_url annotation: the page gives no next step"),
        );
    };
    if let (Some(runbooks), Some(f)) = (&policy.runbooks, runbook_file(url)) {
        return in_repository(id, name, url, &f, runbooks);
    }
    if is_web(url) {
        return Check::pass(
            id,
            KIND,
            format!("`{name}`: runbook_url `{url}` is a web link (not fetched)"),
        );
    }
    if has_scheme(url) {
        return Check::warn(
            id,
            KIND,
            format!("`{name}`: runbook_url `{url}` is neither an http(s) URL nor a path"),
        );
    }
    match policy.local_links.get(url) {
        Some(true) => Check::pass(id, KIND, format!("`{name}`: runbook `{url}` exists")),
        _ => Check::fail(
            id,
            KIND,
            format!(
                "`{name}`: runbook_url `{url}` is a relative path that names no file (from the \
                 rule file's folder or the working folder)"
            ),
        ),
    }
}

fn in_repository(
    id: String,
    name: &str,
    url: &str,
    file: &str,
    runbooks: &std::collections::BTreeSet<String>,
) -> Check {
    if runbooks.contains(file) {
        return Check::pass(
            id,
            KIND,
            format!("`{name}`: runbook docs/runbooks/{file} exists"),
        );
    }
    let hint = crate::util::nearest(file, runbooks.iter().map(String::as_str))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Check::fail(
        id,
        KIND,
        format!(
            "`{name}`: runbook_url `{url}` names docs/runbooks/{file}, which does not exist{hint}"
        ),
    )
}

fn is_web(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "rules.runbook.<rule>",
    kind: KIND,
    proves: "the alert's runbook_url leads somewhere: a web link, or a file that exists",
    failure: "a relative runbook path, or a link into docs/runbooks/, names no file: fix it",
    explain: "No runbook_url is a warning. An http(s) URL is accepted as it is (not fetched), \
              except one into this repository's docs/runbooks/ while that folder is read, which \
              must name an existing file (without #anchor). A relative path must name a file, \
              from the rule file's folder or the working folder.\n\
              Example failure: `RenderFailures`: runbook_url `.../docs/runbooks/RenderFailure.md` \
              names docs/runbooks/RenderFailure.md, which does not exist; did you mean \
              `RenderFailures.md`?",
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::config::rules_metrics::KnownMetrics;
    use crate::verdict::Status;

    fn policy(runbooks: Option<&[&str]>) -> RulesPolicy {
        let mut p = RulesPolicy::shipped(
            KnownMetrics::contract_plus(Vec::<String>::new()),
            runbooks.map(|r| r.iter().map(|s| s.to_string()).collect()),
        );
        p.local_links.insert("runbooks/ok.md".into(), true);
        p.local_links.insert("runbooks/gone.md".into(), false);
        p
    }

    fn status(url: Option<&str>, p: &RulesPolicy) -> (Status, String) {
        let url = url.map(str::to_string);
        let c = runbook_check("A", "A", url.as_ref(), p);
        (c.status, c.message)
    }

    #[test]
    fn each_kind_of_link() {
        let ours = policy(Some(&["A.md", "RenderFailures.md"]));
        let alone = policy(None);
        assert_eq!(status(None, &alone).0, Status::Warn);
        let ext = "https://runbooks.prometheus-operator.dev/runbooks/general/targetdown";
        assert_eq!(status(Some(ext), &alone).0, Status::Pass);
        assert_eq!(status(Some(ext), &ours).0, Status::Pass);
        assert_eq!(
            status(Some("https://x/docs/runbooks/A.md#y"), &ours).0,
            Status::Pass
        );
        let (st, msg) = status(Some("https://x/docs/runbooks/RenderFailure.md"), &ours);
        assert_eq!(st, Status::Fail);
        assert!(msg.contains("did you mean `RenderFailures.md`"), "{msg}");
        assert_eq!(status(Some("runbooks/ok.md"), &alone).0, Status::Pass);
        let (st, msg) = status(Some("runbooks/gone.md"), &alone);
        assert_eq!(st, Status::Fail);
        assert!(msg.contains("runbooks/gone.md"), "{msg}");
        assert_eq!(status(Some("mailto:oncall@x"), &alone).0, Status::Warn);
    }
}
