//! Rule files on a compressed clock: every alerting and recording rule's expression through
//! [`compress_expr`], its `for` and `keep_firing_for` divided by K, each group's `interval`
//! and `query_offset` too. A rule that cannot keep its meaning is refused with its file, line,
//! name and construct; every refusal of a file is reported at once.
//!
//! The file is read twice, like the overlays: through the typed model for the names and lines,
//! and as a generic value that is edited and written back, so keys the model skips survive.

use serde_json::Value;

use super::timers::Timers;
use super::{compress_duration, compress_expr};
use crate::config::line_of;
use crate::config::rules_file::{Rule, RuleFile};
use crate::evidence::RuleRewrite;

/// A compressed rule file.
#[derive(Debug, Clone)]
pub struct CompressedRules {
    /// The text to load (JSON, which Prometheus's YAML loader reads); the original at K = 1.
    pub text: String,
    /// Every rule, original beside rewrite (empty at K = 1).
    pub rewrites: Vec<RuleRewrite>,
}

/// Compresses one rule file by `t`'s K for a production scrape interval of
/// `scrape_interval_s`. Err lists every rule that cannot be compressed, one line each.
pub fn compress_rule_file(
    text: &str,
    file: &str,
    t: &mut Timers,
    scrape_interval_s: f64,
) -> Result<CompressedRules, Vec<String>> {
    if t.k() == 1.0 {
        return Ok(CompressedRules {
            text: text.to_string(),
            rewrites: Vec::new(),
        });
    }
    let typed: RuleFile = crate::config::parse_yaml(file, text).map_err(|e| vec![e.to_string()])?;
    let mut generic: Value =
        serde_saphyr::from_str(text).map_err(|e| vec![format!("{file}: {e}")])?;
    let groups = generic
        .get_mut("groups")
        .and_then(Value::as_array_mut)
        .map(|g| g.iter_mut())
        .into_iter()
        .flatten();
    let mut errors = Vec::new();
    let mut rewrites = Vec::new();
    for (g, tg) in groups.zip(&typed.groups) {
        let gname = &tg.name.value;
        let Some(obj) = g.as_object_mut() else {
            continue;
        };
        for key in ["interval", "query_offset"] {
            let what = format!("{file}:{}: group `{gname}` {key}", line_of(&tg.name));
            if let Err(e) = t.compress_key(obj, key, &what, None) {
                errors.push(e);
            }
        }
        let rules = obj.get_mut("rules").and_then(Value::as_array_mut);
        for (r, tr) in rules.into_iter().flatten().zip(&tg.rules) {
            match compress_rule(r, tr, file, t.k(), scrape_interval_s) {
                Ok(rw) => rewrites.push(rw),
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = serde_json::to_string_pretty(&generic).map_err(|e| vec![format!("{file}: {e}")])?;
    Ok(CompressedRules { text, rewrites })
}

/// One rule, edited in place; Err names the file, line, rule and construct.
fn compress_rule(
    r: &mut Value,
    tr: &Rule,
    file: &str,
    k: f64,
    scrape_interval_s: f64,
) -> Result<RuleRewrite, String> {
    let (name, is_alert) = tr.name();
    let line = line_of(&tr.expr);
    let kind = if is_alert { "alert" } else { "recording rule" };
    let at = |msg: String| format!("{file}:{line}: {kind} `{name}`: {msg}");
    let original = tr.expr.value.text();
    let rewritten = compress_expr(&original, k, scrape_interval_s)
        .map_err(|refusal| {
            // Clock functions and `@` already name the way out.
            let hint = if refusal.message.contains("`--time-scale 1`")
                || refusal.construct == "PromQL syntax"
            {
                ""
            } else {
                " (or run with `--time-scale 1`)"
            };
            at(format!("{refusal}{hint}"))
        })?
        .text;
    let mut dur = |key: &str, v: &Option<String>| -> Result<Option<(String, String)>, String> {
        let Some(v) = v else { return Ok(None) };
        let c = compress_duration(v, k).map_err(|e| at(format!("`{key}`: {e}")))?;
        if let Some(obj) = r.as_object_mut() {
            obj.insert(key.to_string(), Value::String(c.clone()));
        }
        Ok(Some((v.clone(), c)))
    };
    let for_duration = dur("for", &tr.for_duration)?;
    let keep_firing_for = dur("keep_firing_for", &tr.keep_firing_for)?;
    if let Some(obj) = r.as_object_mut() {
        obj.insert("expr".to_string(), Value::String(rewritten.clone()));
    }
    Ok(RuleRewrite {
        file: file.to_string(),
        line,
        rule: name.to_string(),
        original,
        rewritten,
        for_duration,
        keep_firing_for,
    })
}
