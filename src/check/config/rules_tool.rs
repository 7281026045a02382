//! The outcome of an external validator (promtool, amtool) run by the command layer, and the
//! pure check that turns it into a verdict with the tool's own message kept.

use crate::evidence::ToolRun;
use crate::verdict::Check;
use crate::verdict::Kind;

/// A check from a validator's run: pass on exit 0, fail with its message otherwise.
pub fn tool_check(id: &str, kind: Kind, what: &str, run: &ToolRun) -> Check {
    match run {
        ToolRun::Missing { tool } => Check::skip(
            id,
            kind,
            format!("{tool} is not on PATH; {what} not cross-checked (install it to enable)"),
        ),
        ToolRun::Skipped { reason } => Check::skip(id, kind, format!("{what}: {reason}")),
        ToolRun::Failed { error } => Check::error(id, kind, format!("{what}: {error}")),
        ToolRun::Ran {
            success,
            stdout,
            stderr,
        } => {
            let lines: Vec<String> = stdout
                .lines()
                .chain(stderr.lines())
                .map(str::trim_end)
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect();
            if *success {
                Check::pass(id, kind, format!("{what}: accepted"))
            } else {
                let first = lines
                    .iter()
                    .find(|l| {
                        let l = l.to_ascii_lowercase();
                        l.contains("fail") || l.contains("error")
                    })
                    .or(lines.first())
                    .cloned()
                    .unwrap_or_else(|| "rejected without a message".to_string());
                Check::fail(id, kind, format!("{what}: {first}")).with_all_evidence(lines)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    #[test]
    fn keeps_the_tools_message() {
        let ok = ToolRun::Ran {
            success: true,
            stdout: "SUCCESS: 10 rules found".into(),
            stderr: String::new(),
        };
        assert_eq!(
            tool_check("rules.promtool", Kind::Rules, "promtool", &ok).status,
            Status::Pass
        );
        let bad = ToolRun::Ran {
            success: false,
            stdout: "Checking x\n".into(),
            stderr:
                "  FAILED:\nx.yaml: 3:15: group \"g\", rule 1, \"A\": could not parse expression\n"
                    .into(),
        };
        let c = tool_check("rules.promtool", Kind::Rules, "promtool check rules", &bad);
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.contains("FAILED"), "{}", c.message);
        assert!(c.evidence.iter().any(|l| l.contains("could not parse")));
        let missing = ToolRun::Missing {
            tool: "promtool".into(),
        };
        assert_eq!(
            tool_check("rules.promtool", Kind::Rules, "x", &missing).status,
            Status::Skip
        );
    }
}
