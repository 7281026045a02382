//! Template substitution for dashboard queries: dashboard variables (`$var`, `${var}`,
//! `${var:fmt}`, `[[var]]`) and Grafana's built-ins (`$__rate_interval`, `$__interval`,
//! `$__range`, ...) are replaced by representative values so the PromQL can be parsed and run.

use std::collections::BTreeMap;

use regex::Regex;

use crate::config::dashboard::Variable;

/// Representative values of Grafana's built-in variables (a 1 h range, 1 m steps).
pub fn builtin(name: &str) -> Option<&'static str> {
    Some(match name {
        "__rate_interval" | "__interval" => "1m",
        "__interval_ms" => "60000",
        "__range" => "1h",
        "__range_s" => "3600",
        "__range_ms" => "3600000",
        "__from" | "__to" => "1700000000000",
        "__name" | "__org" | "__user" | "__dashboard" | "__org_name" => "x",
        n if n.starts_with("__auto_interval") => "1m",
        _ => return None,
    })
}

/// The value a variable stands for when a query is checked or run.
pub fn variable_value(v: &Variable) -> String {
    let is_all = |s: &str| s == "$__all" || s.eq_ignore_ascii_case("all");
    let first_real = || {
        v.options
            .iter()
            .find(|o| !is_all(o) && !o.is_empty())
            .cloned()
    };
    match v.kind.as_str() {
        "constant" | "textbox" => v
            .current
            .first()
            .filter(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| v.query.clone()),
        "interval" => v
            .current
            .first()
            .filter(|c| !c.is_empty() && !c.starts_with('$') && *c != "auto")
            .cloned()
            .or_else(|| {
                v.query
                    .split(',')
                    .map(str::trim)
                    .find(|s| !s.is_empty() && *s != "auto")
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "1m".into()),
        _ => match v.current.first() {
            Some(c) if is_all(c) => v.all_value.clone().unwrap_or_else(|| ".*".into()),
            Some(c) if !c.is_empty() => c.clone(),
            _ => first_real().unwrap_or_else(|| "x".into()),
        },
    }
}

/// `${name}` / `${name:fmt}` / `[[name]]` / `[[name:fmt]]` / `$name`; compiled once (an
/// immutable pattern, not state).
static VAR_RE: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
    Regex::new(
        r"\$\{([A-Za-z0-9_.]+)(?::[^}]*)?\}|\[\[([A-Za-z0-9_.]+)(?::[^\]]*)?\]\]|\$([A-Za-z_][A-Za-z0-9_]*)",
    )
    .ok()
});

/// Replace every variable reference. Unknown names are returned (the query is still
/// substituted, with `x`, so other problems can be found too).
pub fn substitute(expr: &str, vars: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let Some(re) = VAR_RE.as_ref() else {
        return (expr.to_string(), Vec::new());
    };
    let mut unknown = Vec::new();
    let out = re.replace_all(expr, |c: &regex::Captures<'_>| {
        let name = c
            .get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        if let Some(v) = vars.get(name) {
            v.clone()
        } else if let Some(b) = builtin(name) {
            b.to_string()
        } else if name.bytes().all(|b| b.is_ascii_digit()) {
            // `$1` / `${1}`: a regex group in label_replace, not a variable; Grafana leaves it.
            c.get(0).map(|m| m.as_str()).unwrap_or_default().to_string()
        } else {
            unknown.push(name.to_string());
            "x".to_string()
        }
    });
    (out.into_owned(), unknown)
}

/// Values of every variable of a dashboard and of its constant import inputs (`VAR_*`),
/// with input references inside variable values resolved.
pub fn dashboard_values(d: &crate::config::dashboard::Dashboard) -> BTreeMap<String, String> {
    let mut vals = variable_values(&d.variables);
    for v in vals.values_mut() {
        *v = substitute(v, &d.input_constants).0;
    }
    vals.extend(d.input_constants.clone());
    vals
}

/// Values of every variable of a dashboard, by name.
pub fn variable_values(vars: &[Variable]) -> BTreeMap<String, String> {
    vars.iter()
        .map(|v| (v.name.clone(), variable_value(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, kind: &str, query: &str, current: &[&str]) -> Variable {
        Variable {
            name: name.into(),
            kind: kind.into(),
            query: query.into(),
            current: current.iter().map(|s| s.to_string()).collect(),
            ..Variable::default()
        }
    }

    #[test]
    fn every_reference_form() {
        let vars = variable_values(&[
            var("job", "query", "label_values(up, job)", &["$__all"]),
            var("budget", "textbox", "5000", &[]),
            var("res", "interval", "1m,5m,1h", &["5m"]),
            var("c", "constant", "node", &[]),
            var("inst", "custom", "a,b", &["a"]),
        ]);
        let (s, unknown) = substitute(
            r#"sum(rate(x{job=~"$job", i="${inst:regex}", c="[[c]]"}[$__rate_interval])) / $budget + avg_over_time(y[${res}]) + max_over_time(z[$__range] offset $__interval)"#,
            &vars,
        );
        assert!(unknown.is_empty(), "{unknown:?}");
        assert_eq!(
            s,
            r#"sum(rate(x{job=~".*", i="a", c="node"}[1m])) / 5000 + avg_over_time(y[5m]) + max_over_time(z[1h] offset 1m)"#
        );
        assert!(promql_parser::parser::parse(&s).is_ok());
        let (_, unknown) = substitute("rate(x[$nope])", &vars);
        assert_eq!(unknown, vec!["nope"]);
    }
}
