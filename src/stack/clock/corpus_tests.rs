//! The rewrite over real-world rule files: every expression of `../shared/corpus/rules`
//! (published mixins and example rules) is either compressed into PromQL that re-parses or
//! refused with a reason. The folder lives beside the crate, so a clone without it skips.
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::*;

/// The scale the corpus runs at: the harness's usual `--time-scale`.
const K: f64 = 30.0;
/// Prometheus' default scrape interval, which the corpus rules were written for.
const SCRAPE_S: f64 = 15.0;

/// The PromQL of every rule of one rule file (`groups[].rules[].expr`, string or number).
fn expressions(doc: &Value) -> Vec<String> {
    let rules = doc["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten());
    rules
        .filter_map(|r| match &r["expr"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// A refusal's kind for the tally: its construct without the duration it names.
fn kind(r: &Refusal) -> String {
    let c = r.construct.as_str();
    let cut = c
        .find(" [")
        .or_else(|| c.strip_prefix("offset ").map(|_| 6));
    cut.map_or(c, |i| &c[..i]).to_string()
}

#[test]
fn every_corpus_expression_is_rewritten_or_refused_with_a_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/rules");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} is absent: corpus run skipped", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let (mut rewritten, mut kinds) = (0usize, BTreeMap::<String, usize>::new());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable corpus file");
        let doc: Value = match serde_saphyr::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{}: not YAML ({e}), skipped", path.display());
                continue;
            }
        };
        for expr in expressions(&doc) {
            match compress_expr(&expr, K, SCRAPE_S) {
                Ok(r) => {
                    let again = promql_parser::parser::parse(&r.text);
                    assert!(
                        again.is_ok(),
                        "{}: `{}` does not re-parse",
                        path.display(),
                        r.text
                    );
                    rewritten += 1;
                }
                Err(r) => {
                    assert!(!r.message.is_empty() && !r.construct.is_empty(), "{expr}");
                    *kinds.entry(kind(&r)).or_default() += 1;
                }
            }
        }
    }
    let refused: usize = kinds.values().sum();
    eprintln!("corpus at K {K}: {rewritten} rewritten, {refused} refused: {kinds:?}");
    assert!(
        rewritten + refused > 0,
        "no expressions found in {}",
        dir.display()
    );
}
