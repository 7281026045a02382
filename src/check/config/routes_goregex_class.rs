//! Character classes of Go's regex dialect: `[...]` with Go's rules for members, ranges and
//! POSIX names, and the `\p{…}` names Go 1.19 knows. Part of the translation described in
//! `routes_goregex`.

use crate::check::config::routes_goregex::Tr;
use crate::check::config::routes_goregex_escape::{lit, perl_class};

/// Unicode 13 general categories Go 1.19 knows (`C` and `Cs` are rewritten, see below).
const CATEGORIES: &str = "L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps \
                          S Sc Sk Sm So Z Zl Zp Zs Cc Cf Co";

/// The Unicode 13 scripts of Go 1.19's `unicode.Scripts`.
const SCRIPTS: &str = "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum \
    Bassa_Vah Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal \
    Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot \
    Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic \
    Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul \
    Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited \
    Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kayah_Li \
    Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A \
    Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen \
    Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs \
    Miao Modi Mongolian Mro Multani Myanmar Nabataean Nandinagari New_Tai_Lue Newa Nko Nushu \
    Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian Old_Permic \
    Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Oriya Osage Osmanya Pahawh_Hmong \
    Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra \
    Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese \
    Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangut Telugu \
    Thaana Thai Tibetan Tifinagh Tirhuta Ugaritic Vai Wancho Warang_Citi Yezidi Yi \
    Zanabazar_Square";

/// POSIX classes valid inside `[...]`, the same list in both dialects.
const POSIX: &str =
    "alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit";

impl Tr {
    /// After `[`: a bracket class, every member emitted escaped so Rust's set operators
    /// (`&&`, `--`, `~~`) and nested `[` read as the plain characters Go sees.
    pub(crate) fn class(&mut self) -> Result<String, String> {
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            self.i += 1;
            out.push('^');
        }
        // `]` (and `-`) as the first member is a plain character.
        let mut first = true;
        loop {
            match self.peek() {
                None => return Err("missing closing ] of a character class".into()),
                Some(']') if !first => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            first = false;
            if let Some(named) = self.posix_class()? {
                out.push_str(&named);
                continue;
            }
            if self.peek() == Some('\\') {
                match self.peek_at(1) {
                    Some(c @ ('p' | 'P')) => {
                        self.i += 2;
                        out.push_str(&self.unicode_class(c == 'P')?);
                        continue;
                    }
                    Some(c @ ('d' | 'D' | 's' | 'S' | 'w' | 'W')) => {
                        self.i += 2;
                        out.push_str(perl_class(c));
                        continue;
                    }
                    _ => {}
                }
            }
            let lo = self.class_char()?;
            out.push_str(&lit(lo));
            // `a-]` ends with a plain `-`; otherwise `-` between two members is a range.
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                self.i += 1;
                let hi = self.class_char()?;
                if hi < lo {
                    return Err(format!("invalid character class range `{lo}-{hi}`"));
                }
                out.push('-');
                out.push_str(&lit(hi));
            }
        }
        out.push(']');
        Ok(out)
    }

    /// `[:name:]` at the cursor: `Some` with its Rust form, `None` when there is no `:]`
    /// ahead (then `[` is a plain member), an error for a name Go does not know.
    fn posix_class(&mut self) -> Result<Option<String>, String> {
        if self.peek() != Some('[') || self.peek_at(1) != Some(':') || self.peek_at(2).is_none() {
            return Ok(None);
        }
        let rest: String = self.s[self.i + 2..].iter().collect();
        let Some((name, _)) = rest.split_once(":]") else {
            return Ok(None);
        };
        if !is_posix(name) {
            return Err(format!("invalid character class range `[:{name}:]`"));
        }
        self.i += name.chars().count() + 4;
        Ok(Some(format!("[:{name}:]")))
    }

    /// One class member: a character or an escape standing for one.
    fn class_char(&mut self) -> Result<char, String> {
        match self.bump() {
            None => Err("missing closing ] of a character class".into()),
            Some('\\') => {
                let c = self
                    .bump()
                    .ok_or("trailing backslash at end of expression")?;
                self.escaped_char(c)
            }
            Some(c) => Ok(c),
        }
    }

    /// After `\p` or `\P`: a one-letter name or `{name}`.
    pub(crate) fn unicode_class(&mut self, neg: bool) -> Result<String, String> {
        let c = self
            .bump()
            .ok_or("invalid character class range `\\p` (no name)")?;
        let name = if c == '{' {
            let rest: String = self.s[self.i..].iter().collect();
            let (name, _) = rest
                .split_once('}')
                .ok_or("invalid character class range: `\\p{` without `}`")?;
            self.i += name.chars().count() + 1;
            name.to_string()
        } else {
            c.to_string()
        };
        unicode_name(&name, neg)
    }
}

/// Whether `name` is a POSIX class name (optionally `^name`).
fn is_posix(name: &str) -> bool {
    let n = name.strip_prefix('^').unwrap_or(name);
    POSIX.split(' ').any(|p| p == n)
}

/// The Rust form of Go's `\p`/`\P` class `name`, negated when `neg`.
fn unicode_name(name: &str, neg: bool) -> Result<String, String> {
    let (name, neg) = match name.strip_prefix('^') {
        Some(n) => (n, !neg),
        None => (name, neg),
    };
    let bang = if neg { "^" } else { "" };
    let p = if neg { "\\P" } else { "\\p" };
    if name == "Any" {
        return Ok(format!("[{bang}\\x{{0}}-\\x{{10FFFF}}]"));
    }
    // Surrogates never occur in a valid UTF-8 value, and Go's `C` holds no unassigned points.
    if name == "Cs" {
        return Ok(format!(
            "[{}\\x{{0}}-\\x{{10FFFF}}]",
            if neg { "" } else { "^" }
        ));
    }
    if name == "C" {
        return Ok(format!("[{bang}\\p{{Cc}}\\p{{Cf}}\\p{{Co}}]"));
    }
    if CATEGORIES.split(' ').any(|c| c == name) {
        return Ok(format!("{p}{{{name}}}"));
    }
    if SCRIPTS.split_whitespace().any(|s| s == name) {
        return Ok(format!("{p}{{sc={name}}}"));
    }
    Err(format!(
        "invalid character class range `\\p{{{name}}}` (Go knows general categories, `Any` \
         and Unicode 13 script names, spelled exactly)"
    ))
}
