//! What can be proved from a conjunction of Alertmanager matchers alone: whether one matcher is
//! implied by others, whether two contradict, and a label set satisfying all of them. Every
//! answer is exact or absent: "implied" and "contradicts" are only said when they hold for
//! every label set, and a witness is only returned after it was checked against each matcher.

use crate::check::config::routes_matchers::{LabelSet, MatchKind, Matcher, all_match};

/// The same matcher: same label, operator and value (regexes compared as written).
pub fn same(a: &Matcher, b: &Matcher) -> bool {
    a.name == b.name && a.op() == b.op() && a.value == b.value
}

/// The label value an equality matcher fixes.
fn fixed(m: &Matcher) -> Option<&str> {
    matches!(m.kind, MatchKind::Equal).then_some(m.value.as_str())
}

/// The one-label set `{name: value}` (a missing label reads as the empty string anyway).
fn single(name: &str, value: &str) -> LabelSet {
    LabelSet::from([(name.to_string(), value.to_string())])
}

/// Whether every label set satisfying all of `conj` satisfies `m`: `m` is one of them, or
/// one of them fixes `m`'s label to a value `m` accepts.
pub fn implied(m: &Matcher, conj: &[Matcher]) -> bool {
    conj.iter().any(|c| {
        same(c, m) || (c.name == m.name && fixed(c).is_some_and(|v| m.matches(&single(&m.name, v))))
    })
}

/// Two matchers of `conj` that no label set satisfies together, if provably so: an equality
/// the other rejects (`a="x"` with `a="y"`, `a!="x"`, `a!~"x|z"`), or a regex and its
/// negation written identically.
pub fn contradiction(conj: &[Matcher]) -> Option<(&Matcher, &Matcher)> {
    for (i, a) in conj.iter().enumerate() {
        for b in &conj[i + 1..] {
            if a.name != b.name {
                continue;
            }
            let rejects = |x: &Matcher, y: &Matcher| {
                fixed(x).is_some_and(|v| !y.matches(&single(&y.name, v)))
            };
            let negated = a.value == b.value
                && matches!(
                    (&a.kind, &b.kind),
                    (MatchKind::Regex(_), MatchKind::NotRegex(_))
                        | (MatchKind::NotRegex(_), MatchKind::Regex(_))
                );
            if rejects(a, b) || rejects(b, a) || negated {
                return Some((a, b));
            }
        }
    }
    None
}

/// Values worth trying for one label: what its matchers name (each equality value, the
/// alternatives of a plain `a|b` regex), the empty string, and a value nobody names.
fn candidates(ms: &[&Matcher]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in ms {
        match &m.kind {
            MatchKind::Equal | MatchKind::NotEqual => out.push(m.value.clone()),
            MatchKind::Regex(_) | MatchKind::NotRegex(_) => out.extend(
                m.value
                    .split('|')
                    .filter(|p| p.chars().all(|c| c.is_alphanumeric() || "-_ ".contains(c)))
                    .map(str::to_string),
            ),
        }
    }
    out.push(String::new());
    out.push("obsgate-unnamed-value".into());
    out
}

/// A label set satisfying every matcher of `conj`, when one is found among the values the
/// matchers themselves name; `None` when none is (which proves nothing).
pub fn witness(conj: &[Matcher]) -> Option<LabelSet> {
    let mut names: Vec<&str> = conj.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = LabelSet::new();
    for name in names {
        let ms: Vec<&Matcher> = conj.iter().filter(|m| m.name == name).collect();
        let v = candidates(&ms)
            .into_iter()
            .find(|v| ms.iter().all(|m| m.matches(&single(name, v))))?;
        if !v.is_empty() {
            out.insert(name.to_string(), v);
        }
    }
    all_match(conj, &out).then_some(out)
}

/// A matcher every label set satisfies (`=~".*"`).
pub fn trivially_true(m: &Matcher) -> bool {
    matches!(m.kind, MatchKind::Regex(_)) && matches!(m.value.as_str(), ".*" | "(.*)" | "^.*$")
}

/// `{a="1", b=~"x"}`, as a message shows a conjunction.
pub fn show(conj: &[Matcher]) -> String {
    let parts: Vec<String> = conj.iter().map(ToString::to_string).collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::config::routes_matchers::parse_matchers;

    fn ms(s: &str) -> Vec<Matcher> {
        parse_matchers(s).expect("matchers parse")
    }

    #[test]
    fn implication_is_exact() {
        let conj = ms(r#"severity="critical", team=~"a|b""#);
        assert!(implied(&ms(r#"severity="critical""#)[0], &conj));
        assert!(implied(&ms(r#"severity=~"critical|warning""#)[0], &conj));
        assert!(implied(&ms(r#"severity!="warning""#)[0], &conj));
        assert!(implied(&ms(r#"team=~"a|b""#)[0], &conj));
        assert!(!implied(&ms(r#"team="a""#)[0], &conj));
        assert!(!implied(&ms(r#"env="prod""#)[0], &conj));
    }

    #[test]
    fn contradictions_and_witnesses() {
        assert!(contradiction(&ms(r#"a="x", a="y""#)).is_some());
        assert!(contradiction(&ms(r#"a="x", a!="x""#)).is_some());
        assert!(contradiction(&ms(r#"a=~"x.*", a!~"x.*""#)).is_some());
        assert!(contradiction(&ms(r#"a="x", a=~"x|y""#)).is_none());
        assert!(contradiction(&ms(r#"a!="x", a!="y""#)).is_none());
        let w = witness(&ms(r#"a="x", b=~"p|q", c!="z", d!~".+""#)).expect("witness");
        assert_eq!(w.get("a").map(String::as_str), Some("x"));
        assert_eq!(w.get("b").map(String::as_str), Some("p"));
        assert!(!w.contains_key("d"));
        assert!(witness(&ms(r#"a="x", a="y""#)).is_none());
    }
}
