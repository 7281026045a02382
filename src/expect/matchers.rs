//! Value matchers usable in any expectation file: exact strings, regexes, sets, numeric
//! comparisons with tolerance, at least / at most. Raw (serde) and resolved (compiled) forms.

use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

use super::error::{Collector, Pos};

/// A string matcher. Every condition given must hold (`{equals: x}`, `{regex: "^a.*"}`,
/// `{one_of: [a, b]}`, `{not_empty: true}`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrMatcherRaw {
    /// The value must equal this exactly.
    #[serde(default)]
    pub equals: Option<String>,
    /// The value must match this regex (anchored: the whole value must match).
    #[serde(default)]
    pub regex: Option<String>,
    /// The value must be one of these.
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
    /// The value must not be empty.
    #[serde(default)]
    pub not_empty: bool,
}

/// A compiled string matcher.
#[derive(Debug, Clone, Default)]
pub struct StrMatcher {
    pub equals: Option<String>,
    /// Compiled as `^(?:regex)$`; `regex_src` keeps the text for messages.
    pub regex: Option<Regex>,
    pub regex_src: Option<String>,
    pub one_of: Option<Vec<String>>,
    pub not_empty: bool,
}

impl StrMatcherRaw {
    /// Compile, recording a bad regex at `pos`.
    pub fn resolve(&self, pos: Pos, what: &str, errs: &mut Collector) -> StrMatcher {
        let regex = self
            .regex
            .as_ref()
            .and_then(|r| match Regex::new(&format!("^(?:{r})$")) {
                Ok(re) => Some(re),
                Err(e) => {
                    errs.push(pos, format!("{what}: invalid regex `{r}`: {e}"));
                    None
                }
            });
        if matches!(&self.one_of, Some(v) if v.is_empty()) {
            errs.push(
                pos,
                format!("{what}: `one_of` is empty; list at least one value"),
            );
        }
        StrMatcher {
            equals: self.equals.clone(),
            regex,
            regex_src: self.regex.clone(),
            one_of: self.one_of.clone(),
            not_empty: self.not_empty,
        }
    }
}

impl StrMatcher {
    /// A matcher that requires exactly `v`.
    pub fn exact(v: &str) -> Self {
        Self {
            equals: Some(v.to_string()),
            ..Self::default()
        }
    }
    /// True when `v` satisfies every condition.
    pub fn matches(&self, v: &str) -> bool {
        self.equals.as_deref().is_none_or(|e| e == v)
            && self.regex.as_ref().is_none_or(|r| r.is_match(v))
            && self
                .one_of
                .as_ref()
                .is_none_or(|set| set.iter().any(|s| s == v))
            && (!self.not_empty || !v.is_empty())
    }
    /// What is expected, for messages (`one of [a, b]`, `matching /x/`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = &self.equals {
            parts.push(format!("equal to `{e}`"));
        }
        if let Some(r) = &self.regex_src {
            parts.push(format!("matching /{r}/"));
        }
        if let Some(s) = &self.one_of {
            parts.push(format!("one of [{}]", s.join(", ")));
        }
        if self.not_empty {
            parts.push("not empty".to_string());
        }
        if parts.is_empty() {
            "any value".to_string()
        } else {
            parts.join(" and ")
        }
    }
    /// The closest allowed value to `v` (for "did you mean"), when the matcher lists values.
    pub fn nearest<'a>(&'a self, v: &str) -> Option<&'a str> {
        let cands = self
            .one_of
            .iter()
            .flatten()
            .chain(self.equals.iter())
            .map(String::as_str);
        crate::util::nearest(v, cands)
    }
}

/// A string matcher written either as a plain string (exact) or as a [`StrMatcherRaw`]
/// mapping (`{regex: '...'}`, anchored); a mapping keeps its strict keys and their errors.
#[derive(Debug, Clone)]
pub enum StrOrMatcherRaw {
    /// A plain string: the value must equal it.
    Exact(String),
    /// A matcher mapping.
    Matcher(StrMatcherRaw),
}

impl<'de> Deserialize<'de> for StrOrMatcherRaw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrOrMatcherRaw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string (exact) or a matcher such as {regex: '...'}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrMatcherRaw::Exact(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<Self::Value, A::Error> {
                StrMatcherRaw::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(StrOrMatcherRaw::Matcher)
            }
        }
        d.deserialize_any(V)
    }
}

impl StrOrMatcherRaw {
    /// Compile, recording a bad regex at `pos`.
    pub fn resolve(&self, pos: Pos, what: &str, errs: &mut Collector) -> StrMatcher {
        match self {
            Self::Exact(v) => StrMatcher::exact(v),
            Self::Matcher(m) => m.resolve(pos, what, errs),
        }
    }
}

/// A numeric matcher: `{equals: 3, tolerance: 0.5}`, `{at_least: 1}`, `{at_most: 10}`, or a
/// combination (all must hold).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumMatcher {
    /// The value must equal this, within `tolerance`.
    #[serde(default)]
    pub equals: Option<f64>,
    /// Allowed absolute deviation from `equals` (default 0).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// The value must be ≥ this.
    #[serde(default)]
    pub at_least: Option<f64>,
    /// The value must be ≤ this.
    #[serde(default)]
    pub at_most: Option<f64>,
}

impl NumMatcher {
    /// Exactly `n`.
    pub fn exactly(n: f64) -> Self {
        Self {
            equals: Some(n),
            ..Self::default()
        }
    }
    /// At least `n`.
    pub fn at_least(n: f64) -> Self {
        Self {
            at_least: Some(n),
            ..Self::default()
        }
    }
    /// Record inconsistent bounds at `pos`.
    pub fn validate(&self, pos: Pos, what: &str, errs: &mut Collector) {
        if let (Some(lo), Some(hi)) = (self.at_least, self.at_most)
            && lo > hi
        {
            errs.push(
                pos,
                format!("{what}: at_least {lo} is greater than at_most {hi}"),
            );
        }
        if let Some(t) = self.tolerance {
            if t.is_nan() || t < 0.0 {
                errs.push(pos, format!("{what}: tolerance {t} must be ≥ 0"));
            }
            if self.equals.is_none() {
                errs.push(pos, format!("{what}: tolerance {t} given without `equals`"));
            }
        }
    }
    /// True when `v` satisfies every condition (NaN never does).
    pub fn matches(&self, v: f64) -> bool {
        if v.is_nan() {
            return false;
        }
        let tol = self.tolerance.unwrap_or(0.0);
        self.equals.is_none_or(|e| (v - e).abs() <= tol)
            && self.at_least.is_none_or(|lo| v >= lo)
            && self.at_most.is_none_or(|hi| v <= hi)
    }
    /// What is expected, for messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = self.equals {
            match self.tolerance {
                Some(t) if t > 0.0 => parts.push(format!("{e} ± {t}")),
                _ => parts.push(format!("exactly {e}")),
            }
        }
        if let Some(lo) = self.at_least {
            parts.push(format!("at least {lo}"));
        }
        if let Some(hi) = self.at_most {
            parts.push(format!("at most {hi}"));
        }
        if parts.is_empty() {
            "any number".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(raw: StrMatcherRaw) -> StrMatcher {
        let mut c = Collector::new("t.yaml");
        let m = raw.resolve(Pos::default(), "x", &mut c);
        assert!(c.finish(()).is_ok());
        m
    }

    #[test]
    fn string_matchers() {
        let exact = StrMatcher::exact("pipeline-stub");
        assert!(exact.matches("pipeline-stub"));
        assert!(!exact.matches("pipeline-stub2"));
        let re = compile(StrMatcherRaw {
            regex: Some("[0-9a-f]{4}".into()),
            ..Default::default()
        });
        assert!(re.matches("00af"));
        assert!(!re.matches("00af0"), "regex is anchored");
        let set = compile(StrMatcherRaw {
            one_of: Some(vec!["succeeded".into(), "failed".into()]),
            ..Default::default()
        });
        assert!(set.matches("failed"));
        assert!(!set.matches("fail"));
        assert_eq!(set.nearest("succeded"), Some("succeeded"));
        assert!(set.describe().contains("one of [succeeded, failed]"));
        let ne = compile(StrMatcherRaw {
            not_empty: true,
            ..Default::default()
        });
        assert!(!ne.matches(""));
        assert!(ne.matches("a"));
    }

    #[test]
    fn bad_regex_and_empty_set_are_errors() {
        let mut c = Collector::new("t.yaml");
        StrMatcherRaw {
            regex: Some("(".into()),
            one_of: Some(vec![]),
            ..Default::default()
        }
        .resolve(Pos { line: 3, column: 5 }, "labels.preset", &mut c);
        let err = c.finish(()).unwrap_err().to_string();
        assert!(
            err.contains("t.yaml:3:5: labels.preset: invalid regex `(`"),
            "{err}"
        );
        assert!(err.contains("`one_of` is empty"), "{err}");
    }

    #[test]
    fn numeric_matchers() {
        let m = NumMatcher {
            equals: Some(0.2),
            tolerance: Some(0.05),
            ..Default::default()
        };
        assert!(m.matches(0.24));
        assert!(!m.matches(0.26));
        assert!(!m.matches(f64::NAN));
        assert!(NumMatcher::exactly(1.0).matches(1.0));
        assert!(!NumMatcher::exactly(1.0).matches(2.0));
        let range = NumMatcher {
            at_least: Some(1.0),
            at_most: Some(3.0),
            ..Default::default()
        };
        assert!(range.matches(1.0) && range.matches(3.0));
        assert!(!range.matches(0.0) && !range.matches(4.0));
        let mut c = Collector::new("t.yaml");
        NumMatcher {
            at_least: Some(5.0),
            at_most: Some(1.0),
            tolerance: Some(-1.0),
            ..Default::default()
        }
        .validate(Pos::default(), "count", &mut c);
        assert_eq!(c.finish(()).unwrap_err().0.len(), 3);
    }
}
