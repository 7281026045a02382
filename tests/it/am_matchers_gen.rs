//! The generator of the matcher differential test (`am_matchers`): matcher strings and label
//! sets from a fixed seed, covering Alertmanager 0.25's parsing quirks and Go's regex dialect.

use obsgate::check::config::routes_matchers::LabelSet;

/// Generated cases and label sets; amtool runs once for acceptance and once per label set.
const MATCHERS: usize = 300;
const LABEL_SETS: usize = 150;

/// Tiny deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Pieces of a matcher value, as written in the matcher string.
const PIECES: &[&str] = &[
    "x",
    "42",
    "a",
    "b",
    "٣",
    "é",
    "K",
    ".*",
    ".",
    "\\d+",
    "\\d",
    "\\D",
    "\\w+",
    "\\W",
    "\\s",
    "\\S",
    "\\b",
    "\\B",
    "[0-9]+",
    "[^a]",
    "[\\d-]",
    "[\\w.]+",
    "[[:digit:]]",
    "[[:alpha:]]+",
    "|",
    "a|b",
    "^x",
    "x$",
    "(a|b)",
    "\\n",
    "\\\"",
    "\\\\",
    "\\\\d",
    "\\t",
    " ",
    ",",
    "{2}",
    "{,2}",
    "{01}",
    "{1,}",
    "\\pL",
    "\\p{Nd}",
    "\\pC",
    "\\p{Greek}",
    "\\p{greek}",
    "\\p{Arabic}",
    "\\x41",
    "\\x{e9}",
    "\\101",
    "\\0",
    "\\Q.|\\E",
    "(?i)",
    "(?i:k)",
    "(?s).",
    "**",
    "(",
    ")",
    "{1001}",
    "\"",
    "a)|(b",
    "[a&&b]",
    "[a--b]",
    "\\<",
    "\\-",
    "\\_",
    "(?P<n>x)",
    "(?<n>x)",
    "\\u0041",
    "[z-a]",
    "[]a]",
    "[[a]",
    "*",
    "+?",
    "\\z",
    "\\A",
    "\\1",
    "(?)",
    "(?x)",
    "=",
    "~",
];

/// Label values: those the pieces spell, and ones only ASCII versus Unicode classes tell apart.
const VALUES: &[&str] = &[
    "", "x", "42", "a", "b", "٣", "٣٣", "é", "xé", "K", "k", "\u{212a}", "λ", "\n", "x\ny", "\"",
    "\\", "\\d", "x\\d", "x2", "\t", " ", "\u{a0}", "\u{b}", ",", "a,b", "x{2}", "xx", "a{,2}",
    "a{01}", "[", "]", "&", "-", "_", "<", "<x", ".", ".|", "A", "\u{e9}", "\u{7}", "\u{378}",
    "ab", "aa", "=", "~", "*", "a)|(b", "٣x", "x٣",
];

/// What a generated case puts on a route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// An entry of `matchers:`.
    Matchers,
    /// `match: {a: VALUE}`.
    Match,
    /// `match_re: {a: VALUE}`.
    MatchRe,
}

#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) kind: Kind,
    pub(crate) text: String,
}

impl Case {
    /// The route's matching keys, as YAML inside a flow mapping.
    pub(crate) fn yaml(&self) -> String {
        let q = self.text.replace('\'', "''");
        match self.kind {
            Kind::Matchers => format!("matchers: ['{q}']"),
            Kind::Match => format!("match: {{a: '{q}'}}"),
            Kind::MatchRe => format!("match_re: {{a: '{q}'}}"),
        }
    }
}

fn value(rng: &mut Rng) -> String {
    let mut v = String::new();
    for _ in 0..1 + rng.below(3) {
        v.push_str(rng.pick(PIECES));
    }
    if rng.chance(5) {
        v.push('\\');
    }
    v
}

fn matcher(rng: &mut Rng) -> String {
    let name = rng.pick(&["a", "a", "a", "a", "b", "x:y", "\"a\"", "1a", "a b"]);
    let op = rng.pick(&["=", "!=", "=~", "=~", "=~", "!~"]);
    let sp = |rng: &mut Rng| rng.pick(&["", "", " ", "  "]);
    let mut v = value(rng);
    if rng.chance(45) {
        v = format!("\"{v}\"");
    }
    let mut m = format!("{}{name}{}{op}{}{v}{}", sp(rng), sp(rng), sp(rng), sp(rng));
    match rng.below(10) {
        0 => m.push_str(", b!=\"q\""),
        1 => m.push(','),
        2 => m.push_str(",,b=c"),
        _ => {}
    }
    if rng.chance(20) {
        m = format!("{{{m}}}");
    }
    m
}

pub(crate) fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5eed_a1e7_0025_0001);
    let mut out: Vec<Case> = (0..MATCHERS)
        .map(|_| Case {
            kind: Kind::Matchers,
            text: matcher(&mut rng),
        })
        .collect();
    for v in [
        "x\\ny", "\\d+", "٣", "a|b", "x\\", "(?i)é", ".*", "\\w", "x**", "a{,2}", "\"",
    ] {
        for kind in [Kind::Match, Kind::MatchRe] {
            out.push(Case {
                kind,
                text: v.to_string(),
            });
        }
    }
    out
}

pub(crate) fn label_sets() -> Vec<LabelSet> {
    let mut rng = Rng(0x1abe_15e7_0025_0002);
    (0..LABEL_SETS)
        .map(|i| {
            let mut l = LabelSet::new();
            let a = if i < VALUES.len() {
                VALUES[i].to_string()
            } else {
                format!("{}{}", rng.pick(VALUES), rng.pick(VALUES))
            };
            l.insert("a".into(), a);
            if rng.chance(50) {
                l.insert("b".into(), rng.pick(&["q", "c", "x"]).into());
            }
            if rng.chance(10) {
                l.insert("x:y".into(), rng.pick(&["x", "٣"]).into());
            }
            l
        })
        .collect()
}
