#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ (not committed) from:
#   - fuzz/regressions/<target>/ (every target);
#   - the repo's own files: config/, scenarios/, expectations/, tests/fixtures/;
#   - a corpus of real third-party files (rule files, dashboards, alertmanager configs,
#     expositions; see its SOURCES.md), by default ../shared/corpus relative to the repo root;
#     give another folder as the first argument. A missing folder is skipped with a note.
# Seeds are named by the SHA-1 of their bytes, as libFuzzer names what it adds. Existing
# corpus files are kept (only added to), so the script can be rerun after fuzzing.
# Needs python3 (PyYAML is used when present to extract rule expressions, else a line scan).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-$root/../shared/corpus}"
if [ ! -d "$shared" ]; then
  echo "seed.sh: no shared corpus at $shared; seeding from the repo only" >&2
  shared=""
fi

exec python3 - "$root" "$shared" <<'PY'
import gzip, hashlib, json, os, re, struct, sys
from pathlib import Path

root = Path(sys.argv[1])
shared = Path(sys.argv[2]) if sys.argv[2] else None
out = root / "fuzz" / "corpus"
counts = {}

def add(target, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)

def files(*globs):
    """Files under the repo (and the shared corpus, for `shared:` globs), sorted."""
    found = set()
    for g in globs:
        base, pat = (shared, g[len("shared:"):]) if g.startswith("shared:") else (root, g)
        if base is None:
            continue
        found.update(p for p in base.glob(pat) if p.is_file())
    return sorted(found)

def top_keys(p):
    return set(re.findall(r"^([A-Za-z_]+):", p.read_text(errors="replace"), re.M))

REPO_YAML = ["config/**/*.y*ml", "scenarios/**/*.y*ml", "expectations/**/*.y*ml",
             "tests/fixtures/**/*.y*ml"]
yaml_files = files(*REPO_YAML)

# Every target: the regression inputs.
for t in ["scenario", "expectations", "exposition", "otlp", "receivers",
          "rules_alertmanager", "dashboard", "promql_rewrite"]:
    for p in files(f"fuzz/regressions/{t}/*"):
        add(t, p.read_bytes())

# scenario: scenario files (they have phases or users).
for p in yaml_files:
    if top_keys(p) & {"phases", "users"}:
        add("scenario", p.read_bytes())

# expectations: kind files, alert expectations, acceptance criteria, routes, SLO files.
EXPECT_KEYS = {"kind", "criteria", "alerts", "unexpected_alerts", "label_values", "slos"}
for p in yaml_files:
    k = top_keys(p)
    if k & EXPECT_KEYS and not k & {"phases", "users"}:
        add("expectations", p.read_bytes())

# rules_alertmanager: rule files and alertmanager configs.
rule_files = [p for p in yaml_files if "groups" in top_keys(p)] + files("shared:rules/*")
for p in rule_files + [p for p in yaml_files if top_keys(p) & {"route", "receivers"}] \
        + files("shared:alertmanager/*"):
    add("rules_alertmanager", p.read_bytes())

# dashboard: Grafana dashboard JSON.
for p in files("config/**/*.json", "tests/fixtures/**/*.json", "shared:dashboards/*"):
    if "payloads" not in p.parts:
        add("dashboard", p.read_bytes())

# exposition: first byte `t` (text 0.0.4) or `o` (OpenMetrics); each file under both.
for p in files("tests/fixtures/exposition/*", "shared:exposition/*"):
    for sel in (b"t", b"o"):
        add("exposition", sel + p.read_bytes())

# promql_rewrite: every rule expression; first byte 0x00 (K=1) and 0x02 (K=10), 15 s scrape.
def exprs(p):
    text = p.read_text(errors="replace")
    try:
        import yaml
        doc = yaml.safe_load(text) or {}
        for g in doc.get("groups") or []:
            for r in g.get("rules") or []:
                if "expr" in r:
                    yield str(r["expr"])
    except Exception:
        for m in re.finditer(r"^\s*-?\s*expr:\s*(\S.*)$", text, re.M):
            v = m.group(1).strip()
            if v not in ("|", ">", "|-", ">-"):
                yield v.strip("'\"")
seen = set()
for p in rule_files:
    for e in exprs(p):
        if e not in seen:
            seen.add(e)
            for sel in (b"\x00", b"\x02"):
                add("promql_rewrite", sel + e.encode())

# receivers: the captured Alertmanager notification bodies and a few written here.
for p in files("tests/fixtures/alerts/payloads/*.json"):
    add("receivers", p.read_bytes())
RECEIVER_SEEDS = [
    {"text": "[FIRING:2] HighErrorRate QueueBacklog (critical)", "channel": "#critical"},
    {"attachments": [{"title": "[RESOLVED] RenderFailures", "text": "done", "channel": "#x"}]},
    {"routing_key": "key", "event_action": "trigger", "dedup_key": "d",
     "payload": {"summary": "[FIRING:1] SloBurn", "custom_details":
                 {"firing": "Labels:\n - alertname = SloBurn\n - severity = page\n"}}},
    {"service_key": "old", "description": "[RESOLVED] A", "details": {"resolved": "alertname = A"},
     "incident_key": "i", "event_action": "resolve"},
    {"version": "4", "status": "firing", "receiver": "web",
     "alerts": [{"status": "firing", "labels": {"alertname": "A", "severity": "ticket"}},
                {"labels": {"alertname": "B"}}, {"labels": {}}]},
]
for v in RECEIVER_SEEDS:
    add("receivers", json.dumps(v).encode())

# otlp: first byte bit 0 = JSON, bit 1 = gzip. One request encoded both ways.
def varint(n):
    b = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        b.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(b)
def fld(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload
def s(num, v): return fld(num, 2, v.encode() if isinstance(v, str) else v)
def vi(num, v): return fld(num, 0, varint(v & (2**64 - 1)))
def f64(num, v): return fld(num, 1, struct.pack("<Q", v))
def kv_pb(k, v):
    any_v = s(1, v) if isinstance(v, str) else vi(3, v)
    return s(1, k) + s(2, any_v)
def kv_js(k, v):
    return {"key": k, "value": {"stringValue": v} if isinstance(v, str) else {"intValue": str(v)}}

def request(n_spans, error_every):
    spans_pb, spans_js = [], []
    for i in range(n_spans):
        trace, span = (i // 4 + 1).to_bytes(16, "big"), (i + 1).to_bytes(8, "big")
        parent = i.to_bytes(8, "big") if i % 4 else b""
        name = ["stage.probe", "stage.transcode", "stage.package", "stage.publish"][i % 4]
        start, end = 1_700_000_000_000_000_000 + i * 1000, 1_700_000_000_000_500_000 + i * 1000
        attrs = [("job.id", f"job-{i // 4}"), ("preset", "1080p"), ("attempt", 1)]
        code = 2 if error_every and i % error_every == 0 else 0
        pb = s(1, trace) + s(2, span) + (s(4, parent) if parent else b"") + s(5, name) \
            + vi(6, 1 + i % 3) + f64(7, start) + f64(8, end) \
            + b"".join(s(9, kv_pb(k, v)) for k, v in attrs) + s(15, s(2, "") + vi(3, code))
        spans_pb.append(s(2, pb))
        spans_js.append({"traceId": trace.hex(), "spanId": span.hex(),
                         "parentSpanId": parent.hex(), "name": name, "kind": 1 + i % 3,
                         "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
                         "attributes": [kv_js(k, v) for k, v in attrs],
                         "status": {"code": code}})
    resource_pb = s(1, s(1, kv_pb("service.name", "stub")))
    scope_pb = s(2, s(1, s(1, "obsgate-stub")) + b"".join(spans_pb))
    pb = s(1, resource_pb + scope_pb)
    js = {"resourceSpans": [{"resource": {"attributes": [kv_js("service.name", "stub")]},
                             "scopeSpans": [{"scope": {"name": "obsgate-stub"},
                                             "spans": spans_js}]}]}
    return pb, json.dumps(js).encode()

for n, err in ((1, 0), (8, 3), (0, 0)):
    pb, js = request(n, err)
    add("otlp", b"\x00" + pb)
    add("otlp", b"\x01" + js)
    add("otlp", b"\x02" + gzip.compress(pb, mtime=0))
    add("otlp", b"\x03" + gzip.compress(js, mtime=0))

for d in sorted(out.iterdir()):
    print(f"{d.name}: {sum(1 for _ in d.iterdir())} seeds")
PY
