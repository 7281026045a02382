//! Documentation checks: the README links the runbooks folder; every alert has a runbook
//! `docs/runbooks/<Alert>.md` that exists, is the one its `runbook_url` links, and shows how to
//! confirm the alert with a query. Pure: the caller reads the files.

use std::collections::BTreeMap;

use crate::check::config::rules::runbook_file;
use crate::check::registry::CheckInfo;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Docs;

/// The README check: it exists and links `docs/runbooks`.
pub fn check_readme(readme: Option<&str>) -> Check {
    match readme {
        None => Check::fail("docs.readme", KIND, "README.md does not exist"),
        Some(t) => Check::from_bool(
            "docs.readme",
            KIND,
            t.contains("docs/runbooks"),
            "README.md must link the runbooks folder (docs/runbooks/)",
        ),
    }
}

/// One check per alert: `alerts` maps alert name → its `runbook_url` (if any); `runbooks` maps
/// runbook file name → its text.
pub fn check_runbooks(
    alerts: &BTreeMap<String, Option<String>>,
    runbooks: &BTreeMap<String, String>,
) -> Vec<Check> {
    alerts
        .iter()
        .map(|(alert, url)| {
            let id = format!("docs.runbook.{alert}");
            // The runbook is the file its runbook_url links (several alerts may share one, as
            // the tiers of an SLO do); without a link, the one named after the alert.
            let linked = url.as_deref().and_then(runbook_file);
            let want = linked.clone().unwrap_or_else(|| format!("{alert}.md"));
            let mut problems = Vec::new();
            match runbooks.get(&want) {
                None => problems.push(format!("docs/runbooks/{want} does not exist")),
                Some(text) => {
                    if !text.contains("```promql") {
                        problems.push(format!(
                            "docs/runbooks/{want} has no ```promql block to confirm the alert"
                        ));
                    }
                }
            }
            match (url.as_deref(), &linked) {
                (None, _) => problems.push(format!("alert `{alert}` has no runbook_url")),
                (Some(_), Some(_)) => {}
                (Some(u), None) => problems.push(format!(
                    "alert `{alert}`'s runbook_url `{u}` does not link a runbook in docs/runbooks/ (expected e.g. docs/runbooks/{want})"
                )),
            }
            if problems.is_empty() {
                Check::pass(
                    id,
                    KIND,
                    format!(
                        "docs/runbooks/{want} exists, is linked from `{alert}` and has a query"
                    ),
                )
            } else {
                Check::fail(id, KIND, problems.join("; "))
            }
        })
        .collect()
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "docs.readme",
        kind: KIND,
        proves: "README.md exists and links the runbooks folder (docs/runbooks/)",
        failure: "on-call cannot find the runbooks from the README: add the link",
        explain: "The README beside the docs folder must mention docs/runbooks.\n\
                  Example failure: README.md must link the runbooks folder (docs/runbooks/)",
    },
    CheckInfo {
        id: "docs.runbook.<alert>",
        kind: KIND,
        proves: "the alert's runbook exists, is the one its runbook_url links, has a query",
        failure: "the runbook is missing, unlinked or has no ```promql block to confirm the alert",
        explain: "Every alerting rule needs docs/runbooks/<Alert>.md, linked from its \
                  runbook_url annotation, with a ```promql block showing how to confirm it.\n\
                  Example failure: docs/runbooks/RenderFailures.md does not exist; alert \
                  `RenderFailures` has no runbook_url",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    #[test]
    fn readme_and_runbooks() {
        assert_eq!(
            check_readme(Some("see docs/runbooks/")).status,
            Status::Pass
        );
        assert_eq!(check_readme(Some("nothing")).status, Status::Fail);
        assert_eq!(check_readme(None).status, Status::Fail);
        let alerts: BTreeMap<String, Option<String>> = [
            (
                "A".to_string(),
                Some("https://x/blob/main/docs/runbooks/A.md".to_string()),
            ),
            ("B".to_string(), Some("https://wiki.example/B".to_string())),
            ("C".to_string(), None),
            // Two alerts may share a runbook (the tiers of one SLO do).
            ("D".to_string(), Some("docs/runbooks/A.md".to_string())),
            ("E".to_string(), Some("docs/runbooks/Gone.md".to_string())),
        ]
        .into();
        let books: BTreeMap<String, String> = [
            ("A.md".to_string(), "```promql\nup\n```".to_string()),
            ("B.md".to_string(), "no query".to_string()),
        ]
        .into();
        let c = check_runbooks(&alerts, &books);
        assert_eq!(c[0].status, Status::Pass);
        assert_eq!(c[1].status, Status::Fail);
        assert!(
            c[1].message
                .contains("does not link a runbook in docs/runbooks/"),
            "{}",
            c[1].message
        );
        assert!(c[1].message.contains("no ```promql"), "{}", c[1].message);
        assert!(
            c[2].message.contains("C.md does not exist"),
            "{}",
            c[2].message
        );
        assert_eq!(c[3].status, Status::Pass, "{}", c[3].message);
        assert!(
            c[4].message.contains("Gone.md does not exist"),
            "{}",
            c[4].message
        );
    }
}
