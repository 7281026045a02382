//! A [`Hist`] as text: hdrhistogram's V2 serialization (the format HdrHistogram's other
//! implementations read too), base64-encoded so it sits in report.json. Partial reports of a
//! sharded run carry their histograms this way, so a merge adds the recorded values exactly
//! instead of averaging quantiles.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};

use super::{Hist, PhaseStats};
use crate::evidence::shard::{PhaseHistograms, PresetHistograms};

/// Significant digits of the histograms a partial report carries (as [`super::PhaseStats`]
/// records them).
const SIGFIG: u8 = 3;

/// Bytes of a V2 header before the payload (cookie, payload length, offset, digits, lowest,
/// highest, ratio).
const V2_HEADER: usize = 40;

impl Hist {
    /// Base64 of the V2 serialization ("" when the histogram could not be made).
    pub fn to_base64(&self) -> String {
        let Some(h) = &self.0 else {
            return String::new();
        };
        let mut bytes = Vec::new();
        // Serializing into a Vec cannot fail on I/O; an error would mean a bug in the crate, and
        // an empty string then reads back as an error naming the histogram.
        match V2Serializer::new().serialize(h, &mut bytes) {
            Ok(_) => STANDARD.encode(bytes),
            Err(_) => String::new(),
        }
    }

    /// Read [`Self::to_base64`] back into an auto-resizing histogram (so later merges of wider
    /// ranges succeed); the error says what was wrong with the text.
    pub fn from_base64(text: &str) -> Result<Hist, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| format!("not base64: {e}"))?;
        // The deserializer allocates the payload length the header claims before reading it: a
        // header claiming more than the text holds is refused here, not allocated.
        let claimed = bytes
            .get(4..8)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or("not an HDR histogram (V2): shorter than its header")?;
        if claimed as usize > bytes.len().saturating_sub(V2_HEADER) {
            return Err(format!(
                "not an HDR histogram (V2): the header claims {claimed} payload bytes, the text holds {}",
                bytes.len().saturating_sub(V2_HEADER)
            ));
        }
        let decoded: Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| format!("not an HDR histogram (V2): {e:?}"))?;
        let mut out = Histogram::<u64>::new(SIGFIG).map_err(|e| format!("{e:?}"))?;
        out.add(&decoded)
            .map_err(|e| format!("cannot add the histogram: {e:?}"))?;
        Ok(Hist(Some(out)))
    }
}

impl PhaseStats {
    /// Every histogram of the phase serialized, presets by name (those that sent a job).
    pub fn histograms(&self, preset_names: &[String]) -> PhaseHistograms {
        PhaseHistograms {
            latency_us: self.latency_us.to_base64(),
            latency_send_us: self.latency_send_us.to_base64(),
            job_time_ms: self.job_time_ms.to_base64(),
            lag_us: self.lag_us.to_base64(),
            presets: self
                .presets
                .iter()
                .zip(preset_names)
                .filter(|(p, _)| p.sent > 0)
                .map(|(p, n)| {
                    let h = PresetHistograms {
                        latency_us: p.latency_us.to_base64(),
                        job_time_ms: p.job_time_ms.to_base64(),
                    };
                    (n.clone(), h)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(values: impl IntoIterator<Item = u64>) -> Hist {
        let mut h = Hist::new(SIGFIG);
        for v in values {
            h.record(v);
        }
        h
    }

    #[test]
    fn round_trip_keeps_every_value() {
        let h = filled((1..=5000).chain([3_600_000_000]));
        let back = Hist::from_base64(&h.to_base64()).expect("round trip");
        assert_eq!(back.len(), h.len());
        for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(back.quantile(q), h.quantile(q), "quantile {q}");
        }
        assert_eq!(back.max(), h.max());
        let empty = Hist::from_base64(&Hist::new(SIGFIG).to_base64()).expect("empty");
        assert!(empty.is_empty());
    }

    #[test]
    fn merged_halves_equal_the_whole() {
        let whole = filled(1..=10_000);
        let mut merged =
            Hist::from_base64(&filled((1..=10_000).step_by(2)).to_base64()).expect("first half");
        let other =
            Hist::from_base64(&filled((2..=10_000).step_by(2)).to_base64()).expect("second half");
        // A wider range than the first half's decoded histogram still merges.
        merged.merge(&other);
        merged.merge(&Hist::from_base64(&filled([90_000_000]).to_base64()).expect("wide"));
        assert_eq!(merged.len(), whole.len() + 1);
        assert_eq!(merged.quantile(0.5), whole.quantile(0.5));
        assert_eq!(merged.quantile(0.99), whole.quantile(0.99));
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        for bad in ["", "!!!", "AAAA", "aGVsbG8gd29ybGQ="] {
            assert!(Hist::from_base64(bad).is_err(), "{bad:?}");
        }
        let mut cut = Hist::new(SIGFIG);
        cut.record(7);
        let text = cut.to_base64();
        assert!(Hist::from_base64(&text[..text.len() / 2]).is_err());
        // A header claiming a 4 GiB payload is refused before anything is allocated.
        let mut bytes = STANDARD.decode(&text).expect("base64");
        bytes[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        let e = Hist::from_base64(&STANDARD.encode(bytes))
            .err()
            .unwrap_or_default();
        assert!(e.contains("claims 4294967295 payload bytes"), "{e}");
    }
}
