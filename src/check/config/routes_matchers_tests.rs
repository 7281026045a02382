//! Tests of the matcher parser: every Alertmanager 0.25 quirk it reproduces, and the Go regex
//! semantics of regex matchers.

use std::collections::BTreeMap;

use crate::check::config::routes_goregex::translate;
use crate::check::config::routes_matchers::{LabelSet, all_match, from_maps, parse_matchers};

fn ls(pairs: &[(&str, &str)]) -> LabelSet {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The (name, op, value) triples of a matcher list.
fn parsed(s: &str) -> Vec<(String, &'static str, String)> {
    parse_matchers(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .iter()
        .map(|m| (m.name.clone(), m.op(), m.value.clone()))
        .collect()
}

fn one(name: &str, op: &'static str, value: &str) -> Vec<(String, &'static str, String)> {
    vec![(name.to_string(), op, value.to_string())]
}

/// Whether the single matcher `m` matches `label=value`.
fn hit(m: &str, value: &str) -> bool {
    let ms = parse_matchers(m).unwrap_or_else(|e| panic!("{m}: {e}"));
    all_match(&ms, &ls(&[("a", value)]))
}

fn err(s: &str) -> String {
    match parse_matchers(s) {
        Ok(m) => panic!("{s} parsed as {m:?}"),
        Err(e) => e,
    }
}

#[test]
fn string_syntax_forms() {
    let m = parse_matchers(r#"service=~"foo1|foo2|baz""#).expect("parses");
    assert!(m[0].matches(&ls(&[("service", "foo2")])));
    assert!(!m[0].matches(&ls(&[("service", "foo22")])), "anchored");
    assert_eq!(
        parsed("severity =~ warning|info"),
        one("severity", "=~", "warning|info")
    );
    let m = parse_matchers(r#"{a="1", b!="x,y", c!~"z.*"}"#).expect("parses");
    assert_eq!(m.len(), 3);
    assert!(all_match(&m, &ls(&[("a", "1"), ("b", "q"), ("c", "w")])));
    assert!(!all_match(&m, &ls(&[("a", "1"), ("b", "x,y")])));
    assert_eq!(parsed(r#"msg="say \"hi\"""#), one("msg", "=", "say \"hi\""));
}

#[test]
fn missing_label_is_empty() {
    assert!(hit(r#"b!="x""#, "anything"));
    assert!(parse_matchers(r#"team="""#).expect("parses")[0].matches(&LabelSet::new()));
    assert_eq!(parsed("a="), one("a", "=", ""));
}

#[test]
fn braces_are_stripped_before_whitespace() {
    assert_eq!(parsed("{a=b}"), one("a", "=", "b"));
    // One brace each side, no trimming first: ` {a=b}` keeps `{` inside the name position.
    assert!(err(" {a=b}").contains("bad matcher format"));
    assert_eq!(parsed("{a=b"), one("a", "=", "b"));
    // A final `}` is taken as the closing brace even without an opening one.
    assert_eq!(parsed("a=~x{2}"), one("a", "=~", "x{2"));
    assert_eq!(parsed("a=~x{2},"), one("a", "=~", "x{2}"));
    assert!(err("{{a=b}}").contains("bad matcher format"));
}

#[test]
fn only_the_last_piece_may_be_empty() {
    assert_eq!(parsed("a=b,"), one("a", "=", "b"));
    assert_eq!(parsed("a=b, "), one("a", "=", "b"));
    assert!(err("a=b,,c=d").contains("empty matcher"));
    assert!(err(",a=b").contains("empty matcher"));
    assert_eq!(parsed(""), vec![]);
}

#[test]
fn commas_inside_quotes_and_escaped_quotes() {
    assert_eq!(parsed(r#"a="x,y""#), one("a", "=", "x,y"));
    // `\"` does not open quoting, so the comma after it splits.
    assert_eq!(
        parsed(r#"a=\",b=c"#),
        vec![
            ("a".to_string(), "=", "\"".to_string()),
            ("b".to_string(), "=", "c".to_string())
        ]
    );
    // Unquoted, a count's comma splits the matcher.
    assert!(err("{a=~x{1,3}}").contains("matcher `3}`"));
    assert_eq!(
        parsed(r#"a="q\"x,y", b=c"#),
        vec![
            ("a".to_string(), "=", "q\"x,y".to_string()),
            ("b".to_string(), "=", "c".to_string())
        ]
    );
}

#[test]
fn label_names_cannot_be_quoted() {
    assert!(err(r#""a"=b"#).contains("label names cannot be quoted"));
    assert_eq!(parsed("a:b=c"), one("a:b", "=", "c"));
    assert!(err("1a=b").contains("bad matcher format"));
}

#[test]
fn spaces_and_operators() {
    assert_eq!(parsed("  a  !~  x  "), one("a", "!~", "x"));
    assert_eq!(parsed("a==b"), one("a", "=", "=b"));
    assert_eq!(parsed("a=~~b"), one("a", "=~", "~b"));
    assert_eq!(parsed(r#"a=" x ""#), one("a", "=", " x "));
}

#[test]
fn values_unescape_quoted_or_not() {
    assert_eq!(parsed(r"a=x\ny"), one("a", "=", "x\ny"));
    assert_eq!(parsed(r#"a="x\ny""#), one("a", "=", "x\ny"));
    assert_eq!(parsed(r"a=x\\y"), one("a", "=", r"x\y"));
    // Spurious escapes keep their backslash; `\t` is not a tab.
    assert_eq!(parsed(r"a=x\ty"), one("a", "=", r"x\ty"));
    assert_eq!(parsed(r#"a="\d+""#), one("a", "=", r"\d+"));
    // A final backslash is literal, quoted value or not.
    assert_eq!(parsed(r"a=x\"), one("a", "=", r"x\"));
}

#[test]
fn unescaped_quotes_are_errors() {
    assert!(err(r#"a=x"y"#).contains("unescaped double quote"));
    assert!(err(r#"a="xy"#).contains("unescaped double quote"));
    assert!(err(r#"a="x"y""#).contains("unescaped double quote"));
    assert!(err(r#"a=""#).contains("unescaped double quote"));
    assert_eq!(parsed(r#"a=x\"y"#), one("a", "=", "x\"y"));
}

#[test]
fn an_unquoted_escaped_backslash_reaches_the_regex_once() {
    // `x\\d` is unescaped to the regex `x\d`: `x` then a digit, not a backslash.
    assert!(hit(r"a=~x\\d", "x1"));
    assert!(!hit(r"a=~x\\d", r"x\d"));
    assert!(hit(r"a=~\d+", "42"));
}

#[test]
fn perl_classes_are_ascii_as_in_go() {
    assert!(!hit(r"a=~\d", "٣"));
    assert!(hit(r"a=~\D", "٣"));
    assert!(!hit(r"a=~\w+", "é"));
    assert!(hit(r"a=~[\w-]+", "a-b"));
    assert!(!hit(r"a=~\s", "\u{a0}"));
    assert!(!hit(r"a=~\s", "\u{b}"), "Go's \\s has no vertical tab");
    assert!(hit(r"a=~[^\d]", "x"));
    assert!(hit(r"a=~x\b.*", "x-é"));
    assert!(hit(r"a=~x\bé", "xé"), "é is no word character for Go's \\b");
}

#[test]
fn go_only_syntax_is_rewritten() {
    assert!(hit(r#"a=~"a{,3}""#, "a{,3}"), "`{{,3}}` is literal in Go");
    assert!(
        hit(r"a=~\<x", "<x"),
        "`\\<` is an escaped `<` in Go, no word start"
    );
    assert!(
        hit(r"{a=~a{01}}", "a{01}"),
        "no leading zeros in a Go count"
    );
    assert!(hit(r"a=~x{", "x{"));
    assert!(hit(r"a=~\Qa.b\E", "a.b"));
    assert!(!hit(r"a=~\Qa.b\E", "axb"));
    assert!(hit(r"a=~\101", "A"), "octal escape");
    assert!(hit(r"a=~[[a]+", "[a["), "`[` is a plain class member");
    assert!(hit(r"a=~[a&&b]+", "a&b"), "`&&` is no intersection in Go");
    assert!(hit(r"a=~(?)x", "x"));
    assert!(hit(r"a=~(?P<1>x)", "x"));
    assert!(hit(r"a=~(?ii)X", "x"));
    assert!(hit(r"a=~\pC", "\u{7}"));
    assert!(
        !hit(r"a=~\pC", "\u{378}"),
        "Go's C holds no unassigned code point"
    );
    assert!(hit(r"a=~\p{Greek},", "λ"));
}

#[test]
fn the_value_is_pasted_into_the_anchors() {
    // `^(?:a)|(b)$`: the first branch is anchored at the start only.
    assert!(hit(r"a=~a)|(b", "abc"));
    assert!(hit(r"a=~a)|(b", "xb"));
    assert!(!hit(r"a=~a)|(b", "xa"));
}

#[test]
fn rust_only_or_invalid_go_syntax_is_refused() {
    for (m, why) in [
        (r"a=~x**", "nested repetition"),
        (r"a=~(?<n>x)", "Perl syntax"),
        (r"a=~(?x)a", "Perl syntax"),
        (r"a=~\u0041", "escape"),
        (r"a=~\1", "backreferences"),
        (r"{a=~a{1001}}", "at most 1000"),
        (r"{a=~(a{100}){20}}", "multiply"),
        (r"a=~[z-a]", "range"),
        (r"a=~[[:foo:]]", "range"),
        (r"a=~\p{greek},", "spelled exactly"),
        (r"a=~\p{Latn},", "spelled exactly"),
        (r"a=~(", "missing closing )"),
        (r"a=~*", "missing argument"),
    ] {
        let e = err(m);
        assert!(e.contains(why), "{m}: {e}");
        assert!(e.contains("invalid regex"), "{m}: {e}");
    }
}

#[test]
fn translation_output() {
    assert_eq!(translate(r"\d").as_deref(), Ok("[0-9]"));
    assert_eq!(translate(r"[\d-]").as_deref(), Ok(r"[[0-9]\x{2D}]"));
    assert_eq!(translate(r"\\d").as_deref(), Ok(r"\x{5C}d"));
    assert_eq!(translate(r"a{2,}?").as_deref(), Ok("a{2,}?"));
}

#[test]
fn maps_are_literal_and_need_plain_label_names() {
    let eq: BTreeMap<String, String> = [("a".to_string(), r"x\ny".to_string())].into();
    let re: BTreeMap<String, String> = [("b".to_string(), r"\d+".to_string())].into();
    let ms = from_maps(&eq, &re).expect("maps");
    assert!(all_match(&ms, &ls(&[("a", r"x\ny"), ("b", "12")])));
    assert!(!all_match(&ms, &ls(&[("a", "x\ny"), ("b", "12")])));
    assert!(!all_match(&ms, &ls(&[("a", r"x\ny"), ("b", "١٢")])));
    let colon: BTreeMap<String, String> = [("a:b".to_string(), "x".to_string())].into();
    let e = from_maps(&colon, &BTreeMap::new()).expect_err("colon");
    assert!(e.contains("invalid label name `a:b`"), "{e}");
}
