#!/usr/bin/env python3
"""Reference verifier for Signet releases: an independent second implementation of the final
gate (`signet verify`), written from docs/verification.md (cited as "§n"), docs/formats.md and
schemas/*.json. Python 3.11 standard library + PyPI `cryptography` only.

    reference-verify.py --bundle B.tar --manifest (release-ID.json | signatures/ID) \
        [--trust trust.json] [--root DIR] [--now RFC3339] [--format json]

Exit 0 PASS, 1 FAIL (problems or awaited roles), 2 input that cannot be read at all.
Keyless (Sigstore) signatures are not verified: each is reported as a `Keyless` problem.
"""
import argparse, base64, calendar, datetime, graphlib, hashlib, json, os, re, sys, time, tomllib, unicodedata
from pathlib import Path
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

IN_TOTO = "application/vnd.in-toto+json"
WITHDRAWAL_TYPE = "application/vnd.signet.withdrawal+json"
APPROVAL_TYPE = "application/vnd.signet.registry-approval+json"
ROOT_TYPE = "application/vnd.signet.trust-root+json"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
PREDICATE = "https://signet.dev/attestations/part11-signature/v%d"
TOLERANCE = 300          # §2.6 Time / TrustedTime: seconds
LOCKOUT_MINUTES = 15     # §2.11: a v1 chain's `lockout` line locks for 15 minutes
MANIFEST_MAX = 5
FAR_FUTURE = 2**63 - 1   # §0: an unreadable time counts as the far future for the version in force
BUILTIN = {  # §2.2: the built-in meanings; TRAINEE and AUDITOR (ADDED) yield to a custom definition
    "AUTHOR": "The individual who created, wrote, or originated the record content. The author is accountable for the technical accuracy and completeness of the record.",
    "REVIEWER": "The individual who reviewed the record for technical accuracy, completeness, and compliance with applicable regulations and procedures. The reviewer provides independent verification of record quality.",
    "APPROVER": "The individual with authority to approve the record for release, implementation, or use within the organization. Approval signifies authorization and acceptance of accountability.",
    "VERIFIER": "The individual who verified the execution or completion of an activity described in the record. Verification confirms that the activity was performed as specified.",
    "WITNESS": "The individual who witnessed the signing event or activity execution. Witnessing provides independent confirmation for critical operations.",
    "REJECTOR": "The individual who formally rejected the record with documented justification. Rejection prevents record release or implementation.",
}
ADDED = {
    "TRAINEE": "The individual who read and understood the record as part of their training and confirms that the training was completed. The trainee's signature attests to training, not to the record's content.",
    "AUDITOR": "The individual who audited the record, and the activities it documents, for compliance with applicable regulations and procedures, independently of those who produced it. The auditor's signature attests that the audit was performed; findings are recorded separately.",
}

class Unreadable(Exception):
    """Input that cannot be read at all: exit 2."""

# ---------------------------------------------------------------- §0 conventions

def sha(data):
    return "sha256:" + hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()

def canonical(value):
    """§0 canonical JSON: sorted keys, no whitespace, UTF-8 (serde_json's escaping)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

def pae(ptype, payload):
    """§0 DSSE pre-authentication encoding."""
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)

def parse_time(s):
    """§0 Time: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` -> Unix seconds, else None."""
    m = isinstance(s, str) and re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                                            r"(?:\.[0-9]+)?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2})))?", s.strip())
    if not m: return None
    y, mo, d, hh, mi, ss = (int(g) if g else 0 for g in m.groups()[:6])
    leap = 1 if ss == 60 else 0   # second 60 is the next second
    try:
        datetime.datetime(y, mo, d, hh, mi, ss - leap)
    except ValueError:
        return None
    t = calendar.timegm((y, mo, d, hh, mi, ss - leap, 0, 0, 0)) + leap
    if m.group(8): t -= (1 if m.group(8) == "+" else -1) * (int(m.group(9)) * 3600 + int(m.group(10)) * 60)
    return t

def show_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

def b64_canonical(s):
    """Standard padded base64 that re-encodes to exactly the same text, else None."""
    try:
        raw = base64.b64decode(s, validate=True)
    except Exception:
        return None
    return raw if base64.b64encode(raw).decode() == s else None

def p256_key(pem):
    """An SPKI `PUBLIC KEY` PEM holding a P-256 key, or raise ValueError."""
    text = (pem or "").strip()
    if not text.startswith("-----BEGIN PUBLIC KEY-----"): raise ValueError("not a -----BEGIN PUBLIC KEY----- PEM block")
    try:
        key = serialization.load_pem_public_key(text.encode())
    except Exception as e:
        raise ValueError(f"not a readable public key ({e})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1): raise ValueError("not an ECDSA P-256 key")
    return key

def key_id(key):
    """§0 Key id: sha256 of the (uncompressed) SPKI DER."""
    return sha(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))

def ecdsa_ok(pem_or_key, message, sig_b64):
    """ECDSA P-256 / SHA-256 over `message`; a PEM that is not a P-256 key verifies nothing."""
    der = b64_canonical(sig_b64)
    try:
        key = p256_key(pem_or_key) if isinstance(pem_or_key, str) else pem_or_key
        return der is not None and key.verify(der, message, ec.ECDSA(hashes.SHA256())) is None
    except (InvalidSignature, ValueError):
        return False

def dsse_verify(env, ptype, key):
    """§0: the envelope's one signature by `key` over the PAE; returns the payload or raises ValueError."""
    if env["payloadType"] != ptype: raise ValueError(f"payloadType is {env['payloadType']!r}, expected {ptype!r}")
    if len(env["signatures"]) != 1: raise ValueError(f"has {len(env['signatures'])} signatures, expected exactly 1")
    payload = b64_canonical(env["payload"])
    if payload is None or not ecdsa_ok(key, pae(ptype, payload), env["signatures"][0]["sig"]):
        raise ValueError("signature does not verify (payload, payloadType or sig altered, or wrong key)")
    return payload

# ---------------------------------------------------------------- ids and people (§0, §2.8)

def id_ok(s, extra=""):
    """§0 Ids: ASCII letters, digits, `.`, `_`, `-` (release ids also `+`); start alphanumeric; not
    ending in `.` or `-`; no `--`; at most 64 characters."""
    return (isinstance(s, str) and 0 < len(s) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-" + extra) for c in s)
            and s[0].isascii() and s[0].isalnum() and s[-1] not in ".-" and "--" not in s)

def _load_confusables():
    table = {}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "confusables.txt"), encoding="utf-8-sig") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.count(";") >= 2:
                src, dst = line.split(";")[:2]
                table[chr(int(src.strip(), 16))] = "".join(chr(int(h, 16)) for h in dst.split())
    return table

CONFUSABLES = _load_confusables()
DEFAULT_IGNORABLE = [(0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                     (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F),
                     (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                     (0xE0000, 0xE0FFF)]

def fold(s):
    """§0 Same person: trim, NFKC, full case folding, then the UTS #39 skeleton (NFD,
    default-ignorables removed, confusables.txt prototypes, NFD)."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", s.strip()).casefold())
    s = "".join(CONFUSABLES.get(c, c) for c in s if not any(a <= ord(c) <= b for a, b in DEFAULT_IGNORABLE))
    return unicodedata.normalize("NFD", s)

def same_person(reg, a, b):
    """Ids are one person when they fold alike, or their entries share a folded printed name or email."""
    if fold(a) == fold(b): return True
    keys = lambda i: {k for s in reg["signer"] if fold(s["id"]) == fold(i) for k in (fold(s["name"]), fold(s["email"]))}
    return any(keys(a) & keys(b))

# ---------------------------------------------------------------- reading (§1)

# Field kinds: a scalar of SCALARS, `[kind]` a list of them, or the name of an object spec in SPECS.
# Suffix `?`: optional or null; `=`: optional (an absent list is empty). Unknown fields are refused
# (docs/formats.md rule 2) unless the spec holds "*".
SCALARS = {
    "str": lambda v: isinstance(v, str), "id": id_ok, "rid": lambda v: id_ok(v, "+"), "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "obj": lambda v: isinstance(v, dict),
    "u32": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 0xFFFFFFFF, "any": lambda v: True,
    "kind": lambda v: v in ("human", "bot"), "tsrc": lambda v: v in ("signer-clock", "transparency-log", "timestamp-authority"),
    "event_kind": lambda v: v in ("request-created", "signature-created", "failed-attempt", "lockout", "manifest-assembled"),
    "digest": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
}
def spec(text):
    """`field` is a str; `field:kind` another kind; a suffix `?` or `=` marks it optional (see above)."""
    fields = {}
    for tok in text.split():
        name, _, kind = tok.partition(":")
        if not kind: name, kind = name.rstrip("?="), "str" + name[len(name.rstrip("?=")):]
        fields[name] = "any" if name == "*" else kind
    return fields

SPECS = {k: spec(v) for k, v in {
    # the registry (signers.toml, or a manifest's lists); the field order is the manifest's (§2.13)
    "signer": "id:id name email department? title? roles:[id] kind:kind key_id public_key= identity? issuer? enrolled_at "
              "enrolled_by valid_until?",
    "revocation": "signer:id key_id at reason recorded_at",
    "delegation": "delegator:id delegate:id role:id from until reason recorded_at",
    "approval": "entry_sha256 admin:id admin_key_id meaning signed_at sig",
    "registry": "signer:[signer]= revocation:[revocation]= approval:[approval]= delegation:[delegation]=",
    "policy": "required:[policy_role]= meanings:[meaning]= separation_of_duties:bool= tsa? require_trusted_time:bool=",
    "policy_role": "role:id meaning after:[id]=",
    "meaning": "code text",
    # the trust file (formats::trust)
    "trust": "schema versions:[trust_version]",
    "trust_version": "root:trust_root signatures:[trust_sig]=",
    "trust_sig": "key_id sig",
    "trust_root": "version:int organisation issued_at admins:[admin] threshold:int sigstore_roots:[str]= "
                  "timestamp_authorities:[tsa]= vouched_entries:[vouched]=",
    "admin": "id:id key_id public_key",
    "tsa": "name chain_pem",
    "vouched": "signer:id key_id entry_sha256",
    # the archival manifest
    "manifest": "schema release:rid request_sha256 request envelopes:[m_envelope] signers:[signer] revocations:[revocation] "
                "policy:obj audit= bundle_sha256 generated_by trusted_root_sha256? trusted_root? approvals:[approval]= "
                "trust:obj? events:[m_text]= withdrawals:[m_text]= timestamps:[m_token]= delegations:[delegation]=",
    "m_envelope": "file sha256 envelope",
    "m_text": "file text",
    "m_token": "file token_base64",
    # the request
    "request": "schema release:rid commits:[str] bundle:bundle sha256sums_sha256? index_json_sha256? policy_sha256 "
               "registry_sha256 created_at separation_of_duties:bool required:[request_role] tool trusted_root_sha256? "
               "require_trusted_time:bool=",
    "bundle": "name size:int sha256",
    "request_role": "role:id meaning meaning_text after:[id]",
    # signatures: a DSSE envelope, its in-toto Statement and the Part 11 predicate (schemas/part11-statement)
    "dsse": "payloadType payload signatures:[dsse_sig] *",
    "dsse_sig": "sig keyid= *",
    "statement": "_type subject:[subject] predicateType predicate:predicate *",
    "subject": "name digest:digest *",
    "predicate": "signer_id:id printed_name email key_id role:id meaning meaning_text reason? signed_at time_source:tsrc "
                 "release:rid commits:[str] request_sha256 prerequisites:[prerequisite] tool failed_attempts:u32? department? "
                 "title? shown_sha256? supersedes:[supersedes]= on_behalf_of:on_behalf_of?",
    "prerequisite": "role:id signer_id:id envelope_sha256",
    "supersedes": "file envelope_sha256 reason",
    "on_behalf_of": "signer_id:id printed_name delegation_sha256",
    "withdrawal": "schema release:rid request_sha256 signer_id:id role:id withdrawn:withdrawn reason withdrawn_at",
    "withdrawn": "file sha256",
    # the record: events and a v1 audit chain's lines
    "event": "schema at event:event_kind release:rid request_sha256 signer:id? role:id? envelope:withdrawn? locked_until? "
             "detail?",
    "chain_event": "seq:int at event release signer? role? detail? prev",
}.items()}

def shape(obj, what, spec):
    """Checks `obj` against SPECS[spec] (see above), setting absent optional lists to []."""
    fields = SPECS[spec]
    if not isinstance(obj, dict): raise ValueError(f"{what}: not an object")
    unknown = next((k for k in obj if k not in fields), None) if "*" not in fields else None
    if unknown is not None: raise ValueError(f"{what}: unknown field `{unknown}`")
    for k, kind in fields.items():
        base = kind.rstrip("?=")
        if k == "*" or (kind[-1] in "?=" and (k not in obj or (obj[k] is None and kind.endswith("?")))):
            if k not in obj and kind.endswith("=") and base.startswith("["): obj[k] = []
            continue
        if k not in obj: raise ValueError(f"{what}: missing field `{k}`")
        if not valid(obj[k], base, f"{what}.{k}"): raise ValueError(f"{what}: field `{k}` is not a valid {base}")
    return obj

def valid(v, kind, what):
    if kind.startswith("["): return isinstance(v, list) and all(valid(x, kind[1:-1], what) for x in v)
    if kind in SPECS: return bool(shape(v, what, kind))
    return SCALARS[kind](v)

def strict_json(text, what):
    """JSON with no duplicate field and no NaN/Infinity."""
    def no_dupes(pairs):
        if len({k for k, _ in pairs}) != len(pairs): raise ValueError("a field appears twice")
        return dict(pairs)
    def no_constant(c):
        raise ValueError(f"{c} is not JSON")
    try:
        return json.loads(text, object_pairs_hook=no_dupes, parse_constant=no_constant)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what}: not JSON ({e})")

def version_of(obj, family, current, what):
    """docs/formats.md rule 3: `<family>/v<N>`, N canonical; a newer version refused by name."""
    schema = obj.get("schema") if isinstance(obj, dict) else None
    m = re.fullmatch(re.escape(family) + r"/v([1-9][0-9]*)", schema or "")
    if not m: raise ValueError(f"{what}: schema `{schema}` is not {family}/v{current}")
    if int(m.group(1)) > current:
        raise ValueError(f"{what}: written in {schema}, a newer format than this verifier reads (up to {family}/v{current})")
    return int(m.group(1))

def read_policy(p):
    shape(p, "policy", "policy")
    return {"required": [{"role": r["role"], "meaning": r["meaning"], "after": r["after"]} for r in p["required"]],
            "meanings": p["meanings"], "separation_of_duties": p.get("separation_of_duties", True),
            "tsa": p.get("tsa"), "require_trusted_time": p.get("require_trusted_time", False)}

def check_chain(trust):
    """§1 Anchoring: versions numbered 1.. without gaps, each well formed; every later version
    signed by a threshold of the previous version's administrators and of its own."""
    if trust["schema"] != "signet.trust/v1": return f"is `{trust['schema']}`, not `signet.trust/v1`"
    vs = trust["versions"]
    if not vs: return "holds no trust root version"
    for i, v in enumerate(vs):
        r = v["root"]
        n = f"version {r['version']}"
        if r["version"] != i + 1: return f"{n} is at position {i + 1}: the chain has a gap or is out of order"
        if not r["admins"] or not 1 <= r["threshold"] <= len(r["admins"]):
            return f"{n}: threshold {r['threshold']} is not between 1 and the number of administrators ({len(r['admins'])})"
        if parse_time(r["issued_at"]) is None: return f"{n}: issued_at is not an RFC 3339 UTC time"
        seen = []
        for a in r["admins"]:
            try:
                if key_id(p256_key(a["public_key"])) != a["key_id"]: return f"{n}: administrator `{a['id']}`: key_id is not the SHA-256 of their key"
            except ValueError as e:
                return f"{n}: administrator `{a['id']}`: {e}"
            if any(f == fold(a["id"]) or k == a["key_id"] for f, k in seen): return f"{n}: administrator `{a['id']}` is listed twice"
            seen.append((fold(a["id"]), a["key_id"]))
        if any(not re.fullmatch(r"sha256:[0-9a-f]{64}", d) for d in r["sigstore_roots"]): return f"{n}: a sigstore_roots entry is not sha256:<64 hex>"
        if i == 0: continue
        prev = vs[i - 1]["root"]
        if parse_time(r["issued_at"]) < parse_time(prev["issued_at"]): return f"{n} is issued before version {prev['version']}"
        payload = pae(ROOT_TYPE, canonical(r))
        for who, signers in (("previous", prev), ("its own", r)):
            got = sum(1 for a in signers["admins"] if any(s["key_id"] == a["key_id"] and ecdsa_ok(a["public_key"], payload, s["sig"])
                                                          for s in v["signatures"]))
            if got < signers["threshold"]: return f"{n} is signed by {got} of {who} administrators, and needs {signers['threshold']}"
    return None

def load_trust_file(path):
    try:
        t = strict_json(Path(path).read_bytes(), path)
        version_of(t, "signet.trust", 1, path)
        shape(t, path, "trust")
    except (OSError, ValueError) as e:
        raise Unreadable(f"{path}: {e}")
    why = check_chain(t)
    if why: raise Unreadable(f"{path}: {why}")
    return t

NO_TRUST = "nothing anchors the signers: no trust file was given (pass --trust FILE, the organisation's trust file)"

def anchoring(trust_path, newer):
    """§1 Anchoring: (chain of trust, why not anchored). The trust file, continued by a newer chain
    (a manifest's `trust`, or the repository's trust.json when --trust names another) that starts
    with exactly its versions."""
    if trust_path is None: return None, NO_TRUST
    file_trust = load_trust_file(trust_path)
    if newer is None: return file_trust, None
    why = check_chain(newer)
    if why: return None, f"the record's trust chain is not valid ({why})"
    n = len(file_trust["versions"])
    if newer["versions"][:n] != file_trust["versions"]:
        return None, "the record's trust chain does not continue the trust file (another organisation, or administrators replaced without the current ones signing)"
    return newer, None

def load_manifest(path, trust_path):
    """§1 From a manifest: everything embedded; fields a later version added are refused."""
    try:
        m = strict_json(Path(path).read_bytes(), path)
        n = version_of(m, "signet.manifest", MANIFEST_MAX, path)
        shape(m, path, "manifest")
        for since, fields in ((2, ("approvals", "trust")), (3, ("events", "withdrawals")), (4, ("timestamps",)), (5, ("delegations",))):
            if n < since and any(m.get(k) for k in fields) or (since == 3 and n < 3 and not m.get("audit")):
                raise ValueError(f"{m['schema']} has {', '.join(fields)} (or lacks audit): only v{since} may")
        tokens = {}
        for t in m["timestamps"]:
            if not (t["file"].endswith(".tst") and any(e["file"] == t["file"][:-4] + ".dsse.json" for e in m["envelopes"])):
                raise ValueError(f"timestamp {t['file']!r} names no key-file signature of this manifest")
            if t["file"] in tokens: raise ValueError(f"timestamp {t['file']!r} appears twice")
            if len(t["token_base64"]) > (64 << 10) * 4 // 3 + 4: raise ValueError(f"timestamp {t['file']!r} is larger than a token can be")
            try:
                tokens[t["file"]] = base64.b64decode(t["token_base64"], validate=True)
            except Exception:
                raise ValueError(f"timestamp {t['file']!r} is not base64")
        if m.get("trusted_root") is None and any(e["file"].endswith(".sigstore.json") for e in m["envelopes"]):
            raise ValueError("holds keyless signatures but no embedded trusted_root")
        embedded = shape(m["trust"], "manifest trust", "trust") if m.get("trust") is not None else None
        policy = read_policy(m["policy"])
    except (OSError, ValueError) as e:
        raise Unreadable(f"{path}: {e}")
    rec = {"request_text": m["request"], "envelopes": [(e["file"], e["envelope"]) for e in m["envelopes"]],
           "registry": {"signer": m["signers"], "revocation": m["revocations"], "approval": m["approvals"],
                        "delegation": m["delegations"]},
           "policy": policy, "chain": m.get("audit") or None, "timestamps": tokens, "trusted_root": m.get("trusted_root"),
           "events": sorted((e["file"], e["text"]) for e in m["events"]),
           "withdrawals": sorted((e["file"], e["text"]) for e in m["withdrawals"]),
           "origin": {"kind": "manifest", "release": m["release"], "request_sha256": m["request_sha256"],
                      "bundle_sha256": m["bundle_sha256"], "envelopes": [(e["file"], e["sha256"]) for e in m["envelopes"]],
                      "trusted_root_sha256": m.get("trusted_root_sha256")}}
    rec["chain_of_trust"], rec["why_not_anchored"] = anchoring(trust_path, embedded)
    return rec

def read_text_file(path):
    try:
        return Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise Unreadable(f"{path}: {e}")

def read_small_files(folder):
    if not os.path.lexists(folder): return []
    if not os.path.isdir(folder) or os.path.islink(folder): raise Unreadable(f"{folder}: is not a folder")
    out = []
    for name in os.listdir(folder):
        if name.startswith(".signet-tmp-"): continue
        if name in (".", "..") or "\\" in name or any(unicodedata.category(c) == "Cc" for c in name):
            raise Unreadable(f"{folder}/{name!r}: is no record file name")
        out.append((name, read_text_file(os.path.join(folder, name))))
    return sorted(out)

def load_folder(root, folder, trust_path):
    """§1 From a release folder `signatures/<ID>/`: the registry `signatures/signers.toml`, the policy
    `[signing]` of `<root>/signet.toml`, trust `--trust` or `signatures/trust.json`."""
    sigdir = os.path.join(root, "signatures")
    if os.path.islink(folder.rstrip("/")) or os.path.dirname(os.path.realpath(folder)) != os.path.realpath(sigdir):
        raise Unreadable(f"{folder}: a release folder is a real folder directly under {sigdir}/")
    try:
        policy = read_policy(tomllib.loads(Path(root, "signet.toml").read_bytes().decode()).get("signing", {}))
        reg_path, registry = os.path.join(sigdir, "signers.toml"), {}
        if os.path.exists(reg_path):
            if os.path.islink(reg_path): raise ValueError("signers.toml is a symbolic link")
            registry = tomllib.loads(Path(reg_path).read_bytes().decode())
        shape(registry, "registry", "registry")
    except (OSError, ValueError) as e:   # tomllib.TOMLDecodeError is a ValueError
        raise Unreadable(str(e))
    envelopes = [(n, read_text_file(os.path.join(folder, n))) for n in sorted(os.listdir(folder))
                 if n.endswith(".dsse.json") or n.endswith(".sigstore.json")]
    tokens = {}
    for name in os.listdir(folder):   # a token belongs to the key-file signature beside it
        if name.endswith(".tst") and any(f == name[:-4] + ".dsse.json" for f, _ in envelopes): tokens[name] = Path(folder, name).read_bytes()
    chain_path = os.path.join(folder, "audit.jsonl")
    keyless = any(f.endswith(".sigstore.json") for f, _ in envelopes)
    rec = {"request_text": read_text_file(os.path.join(folder, "request.json")), "envelopes": envelopes,
           "registry": registry, "policy": policy,
           "chain": read_text_file(chain_path) if os.path.exists(chain_path) else None,
           "events": read_small_files(os.path.join(folder, "events")),
           "withdrawals": read_small_files(os.path.join(folder, "withdrawals")), "timestamps": tokens,
           "trusted_root": read_text_file(os.path.join(sigdir, "trusted_root.json")) if keyless else None,
           "origin": {"kind": "folder", "name": os.path.basename(os.path.normpath(folder))}}
    repo = os.path.join(sigdir, "trust.json")
    newer = load_trust_file(repo) if trust_path and os.path.isfile(repo) else None
    rec["chain_of_trust"], rec["why_not_anchored"] = anchoring(trust_path or (repo if os.path.isfile(repo) else None), newer)
    return rec

def read_request(text):
    try:
        r = strict_json(text, "request.json")
        n = version_of(r, "signet.request", 2, "request.json")
        shape(r, "request.json", "request")
        if n < 2 and r.get("require_trusted_time"): raise ValueError(f"{r['schema']} has `require_trusted_time`, which only v2 has")
    except ValueError as e:
        raise Unreadable(f"request: {e}")
    return r

def parse_envelope(text):
    env = shape(strict_json(text, "envelope"), "envelope", "dsse")
    for s in env["signatures"]:
        s.setdefault("keyid", "")
    return env

def envelope_signer(reg, env):
    """(key id, registry entry or None) of an envelope's first signature."""
    kid = env["signatures"][0]["keyid"] if env["signatures"] else ""
    return kid, by_key(reg, kid)

# ---------------------------------------------------------------- registry standing (§2.6)

def by_key(reg, kid):
    return next((s for s in reg["signer"] if kid and s["key_id"] == kid), None)

def revocation_of(reg, kid):
    """The earliest revocation of a key id counts (an unreadable `at` counts as earliest)."""
    rs = [r for r in reg["revocation"] if r["key_id"] == kid]
    return min(rs, key=lambda r: parse_time(r["at"]) if parse_time(r["at"]) is not None else -2**63) if rs else None

def standing(reg, signer, at):
    """§2.6 Standing: None when in good standing at `at`, else why not."""
    enrolled = parse_time(signer["enrolled_at"])
    if enrolled is None or at < enrolled: return f"key of `{signer['id']}` was enrolled only at {signer['enrolled_at']}, after this signature"
    until = parse_time(signer.get("valid_until"))
    if until is not None and at > until: return f"key of `{signer['id']}` expired at {signer['valid_until']}, before this signature"
    r = revocation_of(reg, signer["key_id"])
    if r and (parse_time(r["at"]) is None or at >= parse_time(r["at"])):
        return f"key of `{signer['id']}` was revoked at {r['at']} ({r['reason']}), before this signature"
    return None

def entry_sha256(entry, kind):
    """§0 Entry digest; a [[signer]] leaves out unset optional fields and an empty public_key."""
    if kind == "signer": entry = {k: v for k, v in entry.items() if v is not None and not (k == "public_key" and v == "")}
    return sha(canonical(entry))

def meaning_text(policy, code):
    """§2.2: built-in definitions first, then the policy's own, then TRAINEE/AUDITOR; unknown -> ''."""
    custom = next((m["text"] for m in policy["meanings"] if m["code"] == code), None)
    return BUILTIN.get(code) or custom or ADDED.get(code) or ""

def delegator_entry(reg, d, at):
    return next((s for s in reg["signer"] if s["id"] == d["delegator"] and s["kind"] == "human" and d["role"] in s["roles"]
                 and standing(reg, s, at) is None), None)

def check_delegation(reg, signer, r, at):
    """§2.6 Role with `on_behalf_of`: the named [[delegation]] (by entry digest) names this delegate,
    delegator and role; `at` within from..until (both ends included); the delegator enrolled for the
    role in good standing then, under the printed name the record gives; not the delegate themselves."""
    o = r["on_behalf_of"]
    d = next((d for d in reg["delegation"] if entry_sha256(d, "delegation") == o["delegation_sha256"]), None)
    if d is None: raise ValueError(f"signs on behalf of `{o['signer_id']}` under a delegation the registry does not hold")
    if d["delegate"] != signer["id"] or d["delegator"] != o["signer_id"] or d["role"] != r["role"]:
        raise ValueError(f"the delegation names {d['role']} from `{d['delegator']}` to `{d['delegate']}`, not {r['role']} from `{o['signer_id']}` to `{signer['id']}`")
    f, u = parse_time(d["from"]), parse_time(d["until"])
    if f is None or u is None or not f <= at <= u:
        raise ValueError(f"signed at {show_time(at)}, outside the delegation's window {d['from']} to {d['until']}")
    entry = delegator_entry(reg, d, at)
    if entry is None: raise ValueError(f"the delegator `{d['delegator']}` was not enrolled for {d['role']} in good standing at {show_time(at)}")
    if entry["name"] != o["printed_name"]:
        raise ValueError(f"names the delegator as {o['printed_name']!r}, but `{entry['id']}` is enrolled as {entry['name']!r}")
    if same_person(reg, d["delegator"], signer["id"]): raise ValueError(f"`{d['delegator']}` and `{signer['id']}` are one person")
    return d

def predicate_type(r):
    """§2.6: v3 when any v3 field is set, v2 with `failed_attempts`, else v1."""
    if any(r.get(k) is not None for k in ("shown_sha256", "department", "title", "on_behalf_of")) or r.get("supersedes"): return PREDICATE % 3
    return PREDICATE % (2 if r.get("failed_attempts") is not None else 1)

def policy_invalid(p):
    """§2.2: at least one required role, roles unique, meanings defined, tsa a URL, `after` naming required roles, no cycle."""
    if not p["required"]: return "no [[signing.required]] roles"
    roles = [r["role"] for r in p["required"]]
    for i, r in enumerate(p["required"]):
        if r["role"] in roles[:i]: return f"role `{r['role']}` is required twice"
        if not meaning_text(p, r["meaning"]) and r["meaning"] not in [m["code"] for m in p["meanings"]]:
            return f"role `{r['role']}` has meaning `{r['meaning']}`, which is neither built in nor declared"
    tsa = p.get("tsa")
    if tsa is not None and (not tsa.startswith(("https://", "http://")) or any(c.isspace() or unicodedata.category(c) == "Cc" for c in tsa)):
        return f"tsa: {tsa!r} is not an http:// or https:// URL"
    missing = next(((r["role"], a) for r in p["required"] for a in r["after"] if a not in roles), None)
    if missing: return f"role `{missing[0]}` must sign after `{missing[1]}`, which is not a required role"
    try:
        graphlib.TopologicalSorter({r["role"]: r["after"] for r in p["required"]}).prepare()
    except graphlib.CycleError as e:
        return f"signing order has a cycle ({' -> '.join(e.args[1])})"
    return None

# ---------------------------------------------------------------- the gate (§2)

class Gate:
    def __init__(self, rec, bundle_sha, now):
        self.rec, self.reg, self.now = rec, rec["registry"], now
        self.request = read_request(rec["request_text"])
        self.request_sha, self.bundle_sha = sha(rec["request_text"]), bundle_sha
        self.problems, self.signatures, self.withdrawn, self.superseded = [], [], [], []

    def problem(self, check, file, message):
        self.problems.append({"check": check, "file": file, "message": message})

    def run(self):
        self.check_bundle_digest()
        self.check_policy()
        self.check_origin()
        self.check_registry_key_ids()
        root_ok = self.check_trusted_root()
        failed = []
        for file, text in self.rec["envelopes"]:
            found = []
            bad = lambda check, m: found.append({"check": check, "file": file, "message": m})
            sig = self.check_keyless(root_ok, bad) if file.endswith(".sigstore.json") else self.check_envelope(file, text, bad)
            if sig and not found:
                self.signatures.append(sig)
            else:
                failed.append((file, text, found))
        self.check_supersession(failed)
        self.check_set()
        self.check_withdrawals()
        self.check_signed_after_withdrawals()
        self.check_anchors()
        self.check_record()
        return self.awaiting()

    # §2.1 BundleDigest
    def check_bundle_digest(self):
        if self.request["bundle"]["sha256"] != self.bundle_sha:
            self.problem("BundleDigest", None, f"bundle sha256 is {self.bundle_sha}, but the request is for {self.request['bundle']['sha256']}")

    # §2.2 Policy
    def check_policy(self):
        p = self.rec["policy"]
        why = policy_invalid(p)
        if why: self.problem("Policy", None, f"the signing policy is invalid: {why}")
        roles = lambda rs: [(r["role"], r["meaning"], r["after"]) for r in rs]
        if roles(p["required"]) != roles(self.request["required"]) or p["separation_of_duties"] != self.request["separation_of_duties"]:
            self.problem("Policy", None, "the signing policy differs from the one the request was made under")

    # §2.3 Release / Manifest
    def check_origin(self):
        o, req = self.rec["origin"], self.request
        if o["kind"] == "folder":
            if o["name"] != req["release"]:
                self.problem("Release", None, f"the release folder is `{o['name']}`, but its request is for release {req['release']}")
            return
        for field, recorded, actual in (("release", o["release"], req["release"]), ("request_sha256", o["request_sha256"], self.request_sha),
                                        ("bundle_sha256", o["bundle_sha256"], req["bundle"]["sha256"])):
            if recorded != actual: self.problem("Manifest", None, f"the manifest records {field} {recorded}, but its content says {actual}")
        for (file, recorded), (_, text) in zip(o["envelopes"], self.rec["envelopes"]):
            if recorded != sha(text):
                self.problem("Manifest", file, f"the manifest records sha256 {recorded} for this signature, but its text hashes to {sha(text)}")

    # §2.4 Registry
    def check_registry_key_ids(self):
        for s in self.reg["signer"]:
            expected = ""
            if s.get("public_key"):
                try:
                    expected = key_id(p256_key(s["public_key"]))
                except ValueError as e:
                    self.problem("Registry", None, f"registry entry `{s['id']}`: public key: {e}")
                    continue
            elif s.get("identity") is not None and s.get("issuer") is not None:
                expected = "oidc:" + sha(json.dumps([s["issuer"], s["identity"], s["enrolled_at"]], separators=(",", ":"), ensure_ascii=False))
            if s["key_id"] != expected:
                self.problem("Registry", None, f"registry entry `{s['id']}` names key id {s['key_id']}, but its credential's id is {expected}: edited after enrolment")

    # §2.5 TrustedRoot: True when there is no keyless signature or the root is the pinned one
    def check_trusted_root(self):
        if not any(f.endswith(".sigstore.json") for f, _ in self.rec["envelopes"]): return True
        root = self.rec["trusted_root"]
        if root is None:
            self.problem("TrustedRoot", None, "keyless signatures are present, but there is no trusted root")
            return False
        actual, ok = sha(root), True
        recorded = self.rec["origin"].get("trusted_root_sha256")
        for pinned, by in ((recorded, "the manifest recorded"), (self.request.get("trusted_root_sha256"), "the request pinned")):
            if pinned != actual and (pinned is not None or by == "the request pinned"):
                self.problem("TrustedRoot", None, f"the trusted root ({actual}) is not the one {by} ({pinned})")
                ok = False
        return ok

    # §2.6 Keyless: not implemented by the reference verifier
    def check_keyless(self, root_ok, bad):
        if not root_ok: return bad("TrustedRoot", "not verified: the trusted root is not the one this release pinned")
        bad("Keyless", "the reference verifier does not check keyless (Sigstore) signatures; verify this one with `signet verify`")

    # §2.6 Signature, then every per-signature check; returns the signature (valid when nothing was found)
    def check_envelope(self, file, text, bad):
        try:
            env = parse_envelope(text)
        except ValueError as e:
            return bad("Signature", f"not a DSSE envelope ({e})")
        kid, signer = envelope_signer(self.reg, env)
        if signer is None: return bad("Signature", f"signed by key {kid}, which is not enrolled")
        if not signer.get("public_key"): return bad("Signature", f"names {kid}, but `{signer['id']}` is enrolled there for keyless signing only")
        try:
            st = shape(strict_json(dsse_verify(env, IN_TOTO, p256_key(signer["public_key"])), "payload"), "statement", "statement")
        except ValueError as e:
            return bad("Signature", f"signature does not verify or payload is not a Part 11 statement: {e}")
        r = st["predicate"]
        if st["_type"] != STATEMENT_V1 or st["predicateType"] != predicate_type(r):
            bad("Signature", f"statement type {st['_type']} / predicate type {st['predicateType']} are not the ones its fields require ({predicate_type(r)})")
        if r["time_source"] != "signer-clock":
            bad("Time", f"a key-file signature's time is the signer's own clock (`signer-clock`), but it claims `{r['time_source']}`")
        claimed_at = r["signed_at"]
        trusted = self.check_trusted_time(file, env, r, bad)
        if trusted: r = dict(r, signed_at=show_time(trusted[0]), time_source="timestamp-authority")
        self.check_signed(file, signer, kid, st["subject"], r, bad)
        return {"file": file, "sha256": sha(text), "record": r, "signer": signer, "claimed_at": claimed_at,
                "authority": trusted[1] if trusted else None, "delegation": self.delegation_of(signer, r)}

    # §2.6 TrustedTime: (token time, authority) of a verified token, else None
    def check_trusted_time(self, file, env, r, bad):
        token = self.rec["timestamps"].get(file[: -len(".dsse.json")] + ".tst")
        if token is None:
            if self.request.get("require_trusted_time") or self.rec["policy"]["require_trusted_time"]:
                bad("TrustedTime", "has no RFC 3161 timestamp token, and this release requires trusted time")
            return None
        if self.rec["chain_of_trust"] is None:
            return bad("TrustedTime", "its timestamp token cannot be checked: no trust file names the accepted timestamp authorities")
        sig = b64_canonical(env["signatures"][0]["sig"]) if env["signatures"] else None
        if sig is None: return bad("TrustedTime", "has no signature bytes for its timestamp token to cover")
        try:
            at, name = verify_token(token, sig, self.rec["chain_of_trust"])
        except ValueError as e:
            return bad("TrustedTime", str(e))
        clock = parse_time(r["signed_at"])
        if clock is None or abs(clock - at) > TOLERANCE:
            bad("TrustedTime", f"signed_at {r['signed_at']!r} is not within {TOLERANCE} s of the timestamp authority `{name}`'s {show_time(at)}")
        return at, name

    # §2.6 Subject, Signer, Person, Request, FileName, then Role, Time/Standing, Order
    def check_signed(self, file, signer, kid, subject, r, bad):
        req = self.request
        if not (len(subject) == 1 and subject[0]["name"] == req["bundle"]["name"] and subject[0]["digest"].get("sha256") == req["bundle"]["sha256"]):
            bad("Subject", "subject is not this release's bundle (name and sha256 from the request)")
        v3 = predicate_type(r) == PREDICATE % 3
        if (r["signer_id"] != signer["id"] or r["printed_name"] != signer["name"] or r["email"] != signer["email"] or r["key_id"] != kid
                or (v3 and (r.get("department") != signer.get("department") or r.get("title") != signer.get("title")))):
            bad("Signer", f"signer identity in the record does not match the registry entry of key {kid} (`{signer['id']}`)")
        if signer["kind"] != "human": bad("Person", f"`{signer['id']}` is a {signer['kind']} key: only a person can sign a release")
        if r["release"] != req["release"] or r["request_sha256"] != self.request_sha or r["commits"] != req["commits"]:
            bad("Request", "signed a different request (release, request digest or commits differ)")
        if file != f"{r['role']}--{r['signer_id']}.dsse.json":
            bad("FileName", f"file name does not match its role `{r['role']}` and signer `{r['signer_id']}`")
        self.check_role(signer, r, lambda m: bad("Role", m))
        self.check_time(signer, r, bad)
        self.check_order(r, lambda m: bad("Order", m))

    # §2.6 Role (with a delegation, §2.6 on_behalf_of)
    def check_role(self, signer, r, bad):
        q = next((q for q in self.request["required"] if q["role"] == r["role"]), None)
        if q is None:
            bad(f"role `{r['role']}` is not required for this release")
        elif r["meaning"] != q["meaning"] and r["meaning"] != "REJECTOR":
            bad(f"meaning {r['meaning']} where the policy requires {q['meaning']} for {r['role']}")
        elif r["meaning_text"] != meaning_text(self.rec["policy"], r["meaning"]):
            bad(f"the meaning text shown to the signer is not the definition of {r['meaning']}")
        at = parse_time(r["signed_at"])
        if r.get("on_behalf_of") is None:
            if r["role"] not in signer["roles"]: bad(f"`{signer['id']}` is not enrolled for role {r['role']}")
        elif at is not None:
            try:
                check_delegation(self.reg, signer, r, at)
            except ValueError as e:
                bad(f"on behalf of: {e}")

    def delegation_of(self, signer, r):
        try:
            return r.get("on_behalf_of") and check_delegation(self.reg, signer, r, parse_time(r["signed_at"]) or self.now)
        except ValueError:
            return None

    # §2.6 Time, Standing
    def check_time(self, signer, r, bad):
        at, created = parse_time(r["signed_at"]), parse_time(self.request["created_at"])
        if at is None: return bad("Time", f"signed_at `{r['signed_at']}` is not an RFC 3339 UTC time")
        if created is None or at < created:
            bad("Time", f"signed at {r['signed_at']}, not after the request's creation ({self.request['created_at']})")
        if at > self.now + TOLERANCE: bad("Time", f"signed at {r['signed_at']}, which is in the future")
        why = standing(self.reg, signer, at)
        if why: bad("Standing", why)

    # §2.6 Order
    def check_order(self, r, bad):
        after = next((q["after"] for q in self.request["required"] if q["role"] == r["role"]), [])
        named = sorted(p["role"] for p in r["prerequisites"])
        if named != sorted(after): bad(f"names prerequisites [{', '.join(named)}] where the policy requires [{', '.join(sorted(after))}]")
        for p in r["prerequisites"]:
            files = (f"{p['role']}--{p['signer_id']}.dsse.json", f"{p['role']}--{p['signer_id']}.sigstore.json")
            present = [t for f, t in self.rec["envelopes"] if f in files]
            if not present or not any(sha(t) == p["envelope_sha256"] for t in present):
                bad(f"prerequisite {p['role']} by `{p['signer_id']}` is {'changed' if present else 'not present'}")

    # §2.7 Superseded: a signature failing only Standing, by a key whose (approved) revocation holds now
    def check_supersession(self, failed):
        revoked = {}
        for file, text, found in failed:
            r = self.revoked_only(file, text, found)
            if r:
                revoked[(file, r["sha256"])] = (r, found)
            else:
                self.problems.extend(found)
        for s in self.signatures:
            for claim in s["record"].get("supersedes", []):
                key = (claim["file"], claim["envelope_sha256"])
                if key in revoked and revoked[key][0]["role"] == s["record"]["role"]:
                    self.superseded.append((revoked.pop(key)[0], s, claim["reason"]))
                else:
                    self.problem("Superseded", s["file"], f"supersedes {claim['file']}, which is not a signature of role {s['record']['role']} failing only because its key was revoked")
        for s in self.signatures:
            for p in s["record"]["prerequisites"]:
                r = next((r for r, _, _ in self.superseded if r["sha256"] == p["envelope_sha256"]), None)
                if r: self.problem("Order", s["file"], f"signed after {r['file']}, which is superseded: withdraw this signature and sign again")
        for _, found in revoked.values():
            self.problems.extend(found)

    def revoked_only(self, file, text, found):
        if not file.endswith(".dsse.json") or any(p["check"] != "Standing" for p in found): return None
        try:
            kid, signer = envelope_signer(self.reg, parse_envelope(text))
        except ValueError:
            return None
        if signer is None or "was revoked" not in (standing(self.reg, signer, self.now) or ""): return None
        if self.revocation_anchored(revocation_of(self.reg, kid)) is not None: return None
        role = file.split("--", 1)[0]
        if "--" not in file or not id_ok(role): return None
        return {"file": file, "sha256": sha(text), "role": role, "signer_id": signer["id"], "key_id": kid}

    # §2.8 OnePerRole, SeparationOfDuties, Rejected
    def check_set(self):
        by_role = {}
        for s in self.signatures:
            by_role.setdefault(s["record"]["role"], []).append(s)
        for role, sigs in sorted(by_role.items()):
            if len(sigs) > 1:
                self.problem("OnePerRole", None, f"role {role} is signed {len(sigs)} times ({', '.join(s['record']['signer_id'] for s in sigs)})")
        if self.request["separation_of_duties"]:
            groups = []
            for s in self.signatures:
                g = next((g for g in groups if any(same_person(self.reg, a, b) for o in g for a in people(o) for b in people(s))), None)
                g.append(s) if g is not None else groups.append([s])
            for g in groups:
                if len(g) > 1:
                    who = list(dict.fromkeys(p for s in g for p in people(s)))
                    self.problem("SeparationOfDuties", None, f"one person ({', '.join(who)}) signed {len(g)} roles ({', '.join(s['record']['role'] for s in g)})")
        for s in self.signatures:
            r = s["record"]
            if r["meaning"] == "REJECTOR":
                self.problem("Rejected", None, f"REJECTED by {r['printed_name']} ({r['signer_id']}) as {r['role']} at {r['signed_at']}: {r.get('reason') or 'no reason given'}")

    # §2.9 (end): after a withdrawal, only a signature its statement dates at or after it counts
    # for that signer and role
    def check_signed_after_withdrawals(self):
        for s in self.signatures:
            claimed = parse_time(s.get("claimed_at") or "")
            for w in self.withdrawn:
                d = w["withdrawal"]
                at = parse_time(d["withdrawn_at"])
                if d["signer_id"] == s["record"]["signer_id"] and d["role"] == s["record"]["role"] and (claimed is None or at is None or claimed < at):
                    self.problem("Deleted", s["file"], f"signed before its signer withdrew {d['withdrawn']['file']} as {d['role']}")
                    break

    # §2.9 Withdrawn
    def check_withdrawals(self):
        for file, text in self.rec["withdrawals"]:
            try:
                w = self.withdrawal(file, text)
            except ValueError as e:
                self.problem("Withdrawn", f"withdrawals/{file}", str(e))
                continue
            gone = w["withdrawal"]["withdrawn"]
            if any(f == gone["file"] and sha(t) == gone["sha256"] for f, t in self.rec["envelopes"]):
                self.problem("Withdrawn", gone["file"], f"withdrawn by `{w['withdrawal']['signer_id']}`, but the file is still here: remove it")
            self.withdrawn.append(w)

    def withdrawal(self, file, text):
        env = parse_envelope(text)
        kid, signer = envelope_signer(self.reg, env)
        if signer is None: raise ValueError(f"signed by key {kid}, which is not enrolled")
        w = strict_json(dsse_verify(env, WITHDRAWAL_TYPE, p256_key(signer.get("public_key"))), "withdrawal")
        version_of(w, "signet.withdrawal", 1, "withdrawal")
        shape(w, "withdrawal", "withdrawal")
        gone, sid, role, at = w["withdrawn"], w["signer_id"], w["role"], parse_time(w["withdrawn_at"])
        created = parse_time(self.request["created_at"])
        if sid != signer["id"]: raise ValueError(f"names signer `{sid}`, but is signed by the key of `{signer['id']}`")
        if w["release"] != self.request["release"] or w["request_sha256"] != self.request_sha:
            raise ValueError("withdraws from another release or request")
        if gone["file"] not in (f"{role}--{sid}.dsse.json", f"{role}--{sid}.sigstore.json"):
            raise ValueError(f"withdraws {gone['file']}, not `{sid}`'s signature as {role}")
        if file != gone["sha256"].removeprefix("sha256:") + ".dsse.json": raise ValueError("its file name is not the digest of what it withdraws")
        if at is None: raise ValueError(f"`withdrawn_at` {w['withdrawn_at']!r} is not a time")
        if role not in signer["roles"]: raise ValueError(f"`{signer['id']}` is not enrolled for role {role}")
        if signer["kind"] != "human": raise ValueError(f"`{signer['id']}` is not a person")
        if created is None or not created <= at <= self.now: raise ValueError("`withdrawn_at` is not between the request's creation and now")
        if standing(self.reg, signer, at) or standing(self.reg, signer, self.now):
            raise ValueError(f"the key of `{signer['id']}` is not in good standing")
        if any(f <= at < u for f, u in lockout_windows(self.rec, sid)): raise ValueError(f"made inside a lockout of `{sid}` the record holds")
        if not self.logs_signature_of(gone, sid, role):
            raise ValueError(f"withdraws {gone['file']}, which the record does not log as `{sid}`'s signature as {role}")
        return {"file": file, "key_id": kid, "withdrawal": w}

    def logs_signature_of(self, gone, signer, role):
        """§2.9 logged: a signature-created event naming exactly that file and digest, or the first
        v1 chain line logging that digest."""
        for _, t in self.rec["events"]:
            e = read_event(t, lenient=True)
            if e and e["event"] == "signature-created" and e.get("signer") == signer and e.get("role") == role and e.get("envelope") == gone:
                return True
        for e in verify_chain(self.rec["chain"] or "", "")[0]:   # the first line logging the digest says whose it is
            if e["event"] == "signature-created" and envelope_digest(e.get("detail")) == gone["sha256"]:
                return e.get("signer") == signer and e.get("role") == role
        return False

    # §2.10 Anchor
    def check_anchors(self):
        chain = self.rec["chain_of_trust"]
        if chain is None:
            if self.rec["envelopes"]: self.problem("Anchor", None, self.rec["why_not_anchored"])
            return
        for file, kid in [(s["file"], s["record"]["key_id"]) for s in self.signatures] + [(w["file"], w["key_id"]) for w in self.withdrawn]:
            entry = by_key(self.reg, kid)
            why = entry and self.entry_anchored(entry)
            if why: self.problem("Anchor", file, why)
        for s in self.signatures:
            d = s["delegation"]
            if d is None: continue
            got, needed = self.approvals(entry_sha256(d, "delegation"), d["recorded_at"], self.one_of([d["delegator"], d["delegate"]]))
            if got < needed:
                self.problem("Anchor", s["file"], f"the delegation of {d['role']} from `{d['delegator']}` to `{d['delegate']}` is approved by {got} administrators, and needs {needed}")
                continue
            at = parse_time(s["record"]["signed_at"])
            entry = delegator_entry(self.reg, d, at if at is not None else FAR_FUTURE)
            why = self.entry_anchored(entry) if entry else f"the delegator `{d['delegator']}` was not enrolled for {d['role']} in good standing"
            if why: self.problem("Anchor", s["file"], why)
        if any(f.endswith(".sigstore.json") for f, _ in self.rec["envelopes"]) and self.rec["trusted_root"] is not None:
            digest = sha(self.rec["trusted_root"])
            if not any(digest in v["root"]["sigstore_roots"] for v in chain["versions"]):
                self.problem("Anchor", None, f"the Sigstore trusted root {digest} is not one the organisation's trust file accepts")

    def approvals(self, digest, recorded_at, party):
        """(distinct valid approving administrators, in force when each signed and not a party;
        the threshold in force at the entry's time)."""
        who = set()
        for a in self.reg["approval"]:
            if a["entry_sha256"] != digest: continue
            admin = next((x for x in in_force(self.rec["chain_of_trust"], parse_time(a["signed_at"]))["admins"] if x["key_id"] == a["admin_key_id"]), None)
            if admin is None or party(admin) or admin["id"] in who: continue
            payload = pae(APPROVAL_TYPE, canonical({k: v for k, v in a.items() if k != "sig"}))
            if a["admin"] == admin["id"] and a["meaning"] == "identity verified" and ecdsa_ok(admin["public_key"], payload, a["sig"]):
                who.add(admin["id"])
        return len(who), in_force(self.rec["chain_of_trust"], parse_time(recorded_at))["threshold"]

    def one_of(self, ids):
        """§2.10 parties to a delegation or revocation: who folds to, is the same person as, or holds a key of those ids."""
        return lambda admin: any(same_person(self.reg, admin["id"], i)
                                 or any(s["id"] == i and s["key_id"] == admin["key_id"] for s in self.reg["signer"]) for i in ids)

    def entry_anchored(self, entry):
        digest = entry_sha256(entry, "signer")
        if any(k["signer"] == entry["id"] and k["key_id"] == entry["key_id"] and k["entry_sha256"] == digest
               for v in self.rec["chain_of_trust"]["versions"] for k in v["root"]["vouched_entries"]):
            return None
        got, needed = self.approvals(digest, entry["enrolled_at"], lambda a: a["key_id"] == entry["key_id"] or fold(a["id"]) == fold(entry["id"]))
        if got < needed:
            return f"the enrolment of `{entry['id']}` (key {entry['key_id']}) is approved by {got} administrators, and needs {needed}: it does not chain to the trust file"
        return None

    def revocation_anchored(self, r):
        if self.rec["chain_of_trust"] is None: return "nothing anchors the record"
        got, needed = self.approvals(entry_sha256(r, "revocation"), r["recorded_at"], self.one_of([r["signer"]]))
        return None if got >= needed else f"the revocation of `{r['signer']}` is approved by {got}, and needs {needed}"

    # §2.11 Audit, Deleted, Lockout
    def check_record(self):
        logged, opened = [], False
        if self.rec["chain"] is not None:
            events, found = verify_chain(self.rec["chain"], self.request["release"])
            for m in found:
                self.problem("Audit", None, m)
            if not found:
                opened = bool(events) and events[0]["event"] == "request-created" and self.request_sha in (events[0].get("detail") or "")
                logged += [{"at": f"audit.jsonl:{i + 1}", "file": None, "sha256": envelope_digest(e.get("detail")) or "",
                            "signer": e.get("signer"), "role": e.get("role")} for i, e in enumerate(events) if e["event"] == "signature-created"]
        for file, text in self.rec["events"]:
            try:
                e = check_event(file, text, self.request["release"], self.request_sha)
            except ValueError as err:
                self.problem("Audit", f"events/{file}", str(err))
                continue
            opened |= e["event"] == "request-created"
            if e["event"] == "signature-created" and e.get("envelope") is not None:
                logged.append({"at": f"events/{file}", "file": e["envelope"]["file"], "sha256": e["envelope"]["sha256"],
                               "signer": e.get("signer"), "role": e.get("role")})
        if not opened: self.problem("Audit", None, "the record does not hold the creation of this request")
        for s in self.signatures:
            if not any(l["sha256"] == s["sha256"] and l["file"] in (None, s["file"]) for l in logged):
                self.problem("Audit", s["file"], "no signature-created event in the record for this signature")
        for l in logged:
            present = next((t for f, t in self.rec["envelopes"] if (f == l["file"] if l["file"] else sha(t) == l["sha256"])), None)
            if any(w["withdrawal"]["withdrawn"]["sha256"] == l["sha256"] and l["file"] in (None, w["withdrawal"]["withdrawn"]["file"])
                   and l["signer"] == w["withdrawal"]["signer_id"] and l["role"] == w["withdrawal"]["role"] for w in self.withdrawn):
                continue
            if present is None or sha(present) != l["sha256"]:
                why = "is missing" if present is None else "was replaced by another text"
                self.problem("Deleted", l["file"] or "(a signature file)", f"{l['at']} records this signature by {l['signer']} as {l['role']} ({l['sha256']}), but the file {why}")
        for s in self.signatures:
            at = parse_time(s["record"]["signed_at"])
            for f, u in lockout_windows(self.rec, s["record"]["signer_id"]) if at is not None else []:
                if f <= at < u:
                    self.problem("Lockout", s["file"], f"signed at {show_time(at)}, inside the lockout of `{s['record']['signer_id']}` from {show_time(f)} to {show_time(u)}")

    # §2.12 awaited roles
    def awaiting(self):
        signed = {s["record"]["role"] for s in self.signatures}
        return [{"role": q["role"], "meaning": q["meaning"], "needs": [a for a in q["after"] if a not in signed]}
                for q in self.request["required"] if q["role"] not in signed]

def people(s):
    """§2.8: a delegated signature stands for the delegate and the delegator."""
    o = s["record"].get("on_behalf_of")
    return [s["record"]["signer_id"]] + ([o["signer_id"]] if o else [])

def in_force(chain, at):
    """§0 the trust version in force at `at`: the latest issued by then (the first, for earlier
    times); an unreadable time (None) counts as the far future."""
    at = FAR_FUTURE if at is None else at
    vs = chain["versions"]
    return next((v["root"] for v in reversed(vs) if parse_time(v["root"]["issued_at"]) is not None and parse_time(v["root"]["issued_at"]) <= at), vs[0]["root"])

# ---------------------------------------------------------------- events (§2.11)

def read_event(text, lenient=False):
    """A signet.event/v1 (None if unreadable and `lenient`)."""
    try:
        version_of(e := strict_json(text, "event"), "signet.event", 1, "event")
        return shape(e, "event", "event")
    except ValueError:
        if not lenient: raise

def check_event(file, text, release, request_sha):
    """§2.11: a signet.event/v1 in canonical form, named `<TIME>-<sha256 of its bytes>.json`, of this release and request."""
    try:
        e = read_event(text)
    except ValueError as err:
        raise ValueError(f"not a Signet event ({err})")
    if canonical({k: v for k, v in e.items() if v is not None}) != text.encode():
        raise ValueError("not in canonical form: an event file is written once and never edited")
    at = parse_time(e["at"])
    if at is None: raise ValueError(f"`at` {e['at']!r} is not a time")
    expected = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at)) + "-" + hashlib.sha256(text.encode()).hexdigest() + ".json"
    if file != expected: raise ValueError(f"the file name does not match its content (expected {expected})")
    if e["release"] != release or e["request_sha256"] != request_sha:
        raise ValueError(f"belongs to release {e['release']} request {e['request_sha256']}, not this one")
    return e

def split_lines(text):
    """Lines as Rust's str::lines splits them: on \\n, a trailing \\r dropped, no final empty line."""
    lines = text.split("\n")
    if lines and lines[-1] == "": lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]

def verify_chain(text, release):
    """§2.11 a v1 `audit.jsonl`: canonical lines, `seq` 1.., each `prev` the sha256 of the line
    before (the first: sha256: and 64 zeros), all of this release; not empty."""
    problems, events, prev = [], [], "sha256:" + "0" * 64
    for n, line in enumerate(split_lines(text), 1):
        try:
            e = shape(strict_json(line, "audit line"), "audit line", "chain_event")
        except ValueError as err:
            problems.append(f"audit.jsonl:{n}: not an audit event ({err})")
        else:
            for bad, why in ((e["prev"] != prev, f"chain broken — `prev` does not match line {n - 1}"),
                             (e["seq"] != n, f"sequence number {e['seq']} where {n} was expected"),
                             (e["release"] != release, f"event belongs to release `{e['release']}`"),
                             (canonical({k: v for k, v in e.items() if v is not None}) != line.encode(), "line is not in canonical form")):
                if bad: problems.append(f"audit.jsonl:{n}: {why}")
            events.append(e)
        prev = sha(line)
    if text == "": problems.append("audit.jsonl is empty")
    return events, problems

def envelope_digest(detail):
    """`envelope sha256:<hex> …` in a v1 chain line's detail."""
    rest = detail[len("envelope "):].split() if detail and detail.startswith("envelope ") else []
    return rest[0] if rest else None

def lockout_windows(rec, signer):
    """§2.11 `lockout` events: from `at` to `locked_until`; a v1 chain's `lockout` line: 15 minutes."""
    out = []
    for _, text in rec["events"]:
        e = read_event(text, lenient=True)
        if e and e["event"] == "lockout" and e.get("signer") == signer:
            f, u = parse_time(e["at"]), parse_time(e.get("locked_until"))
            if f is not None and u is not None: out.append((f, u))
    for e in verify_chain(rec["chain"] or "", "")[0]:
        f = parse_time(e["at"])
        if e["event"] == "lockout" and e.get("signer") == signer and f is not None: out.append((f, f + LOCKOUT_MINUTES * 60))
    return out

# ---------------------------------------------------------------- RFC 3161 tokens (§2.6 TrustedTime)

def der(data, pos=0):
    """One DER element at `pos`: (tag, content start, content end)."""
    if pos + 2 > len(data): raise ValueError("truncated")
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if tag & 0x1F == 0x1F: raise ValueError("high tag numbers are not used in tokens")
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or pos + k > len(data): raise ValueError("bad length")
        n, pos = int.from_bytes(data[pos:pos + k], "big"), pos + k
    if pos + n > len(data): raise ValueError("truncated")
    return tag, pos, pos + n

def children(data, start, end, depth=None):
    """The elements in data[start:end] as (tag, content start, content end, element start); with
    `depth`, first checks the shape: at most 16 levels deep, 64 elements per structure."""
    out, pos = [], start
    while pos < end:
        t, s, e = der(data, pos)
        out.append((t, s, e, pos))
        pos = e
    if depth is not None:
        if depth > 16 or len(out) > 64: raise ValueError("nested more than 16 levels deep, or more than 64 elements in one structure")
        for t, s, e, _ in out:
            if t & 0x20: children(data, s, e, depth + 1)
    return out

def oid(data, s, e):
    b = data[s:e]
    parts, v = [b[0] // 40, b[0] % 40] if b else [], 0
    for x in b[1:]:
        v = (v << 7) | (x & 0x7F)
        if not x & 0x80:
            parts.append(v)
            v = 0
    return ".".join(map(str, parts))

HASHES = {"2.16.840.1.101.3.4.2.1": hashes.SHA256(), "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
          "2.16.840.1.101.3.4.2.3": hashes.SHA512(), "1.3.14.3.2.26": hashes.SHA1()}
ECDSA_HASHES = {"1.2.840.10045.4.3.2": hashes.SHA256(), "1.2.840.10045.4.3.3": hashes.SHA384(), "1.2.840.10045.4.3.4": hashes.SHA512()}

def digest_with(alg, data):
    return hashlib.new(alg.name, data).digest()

def verify_token(token, signature, trust):
    """An RFC 3161 TimeStampToken (CMS SignedData): its TSTInfo's messageImprint is the hash of the
    envelope's signature bytes; the SignerInfo's signed attributes hold the hash of the TSTInfo and
    verify under the signing certificate of an authority in the trust file, whose pinned chain
    verifies up to its root and covers genTime; that authority is in the version in force at genTime.
    Returns (genTime, authority name)."""
    authorities = []
    for a in (a for v in trust["versions"] for a in v["root"]["timestamp_authorities"]):
        if a not in authorities: authorities.append(a)
    if not authorities: raise ValueError("has a timestamp token, but the trust file accepts no timestamp authority")
    first = lambda data, el: children(data, el[1], el[2])[0]   # an element's first child
    try:
        if len(token) > 64 << 10: raise ValueError("larger than 64 KiB")
        children(token, 0, len(token), depth=0)
        _, s, e = der(token)
        if e != len(token): raise ValueError("trailing bytes")
        ci = children(token, s, e)
        if oid(token, *ci[0][1:3]) != "1.2.840.113549.1.7.2": raise ValueError("not CMS SignedData")
        sd = children(token, *first(token, ci[1])[1:3])
        encap = children(token, *sd[2][1:3])
        if oid(token, *encap[0][1:3]) != "1.2.840.113549.1.9.16.1.4": raise ValueError("content is not a TSTInfo")
        octets = first(token, encap[1])
        tst = token[octets[1]:octets[2]]
        info = children(tst, *der(tst)[1:3])
        imprint = children(tst, *info[2][1:3])
        alg, hashed = oid(tst, *first(tst, imprint[0])[1:3]), tst[imprint[1][1]:imprint[1][2]]
        m = re.fullmatch(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z", tst[info[4][1]:info[4][2]].decode())
        if not m: raise ValueError("genTime is not YYYYMMDDHHMMSSZ")
        at = parse_time("%s-%s-%sT%s:%s:%sZ" % m.groups())
        si = children(token, *first(token, [c for c in sd[3:] if c[0] == 0x31][-1])[1:3])
        attrs = next(c for c in si if c[0] == 0xA0)
        sig_alg, sig_value = oid(token, *first(token, si[-2])[1:3]), token[si[-1][1]:si[-1][2]]
        digest_alg = HASHES[oid(token, *first(token, si[2])[1:3])]
        message_digest = None
        for a in children(token, attrs[1], attrs[2]):
            parts = children(token, a[1], a[2])
            if oid(token, *parts[0][1:3]) == "1.2.840.113549.1.9.4":
                v = first(token, parts[1])
                message_digest = token[v[1]:v[2]]
        signed_attrs = b"\x31" + token[attrs[3] + 1:attrs[2]]
    except (ValueError, IndexError, KeyError, StopIteration, UnicodeDecodeError) as err:
        raise ValueError(f"its timestamp token is unreadable ({err}): edited or not a token")
    if alg not in HASHES or digest_with(HASHES[alg], signature) != hashed:
        raise ValueError("its timestamp token is over another signature: the message imprint is not the hash of this envelope's signature")
    if message_digest != digest_with(digest_alg, tst):
        raise ValueError("its timestamp token does not verify (its signed messageDigest is not the TSTInfo's): edited")
    why = []
    for a in authorities:
        certs = [x509.load_pem_x509_certificate(m.encode()) for m in re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", a["chain_pem"], re.S)]
        try:
            if len(certs) < 2: raise ValueError("the trust file's authority has fewer than 2 certificates")
            key = certs[0].public_key()
            if not isinstance(key, ec.EllipticCurvePublicKey): raise ValueError("the TSA's key is not an ECDSA key")
            eku = certs[0].extensions.get_extension_for_class(x509.ExtendedKeyUsage)
            if not eku.critical or list(eku.value) != [x509.ExtendedKeyUsageOID.TIME_STAMPING]:
                raise ValueError("the signing certificate's extended key usage must be timeStamping only, and critical")
            key.verify(sig_value, signed_attrs, ec.ECDSA(ECDSA_HASHES.get(sig_alg, digest_alg)))
            for child, parent in zip(certs, certs[1:] + certs[-1:]):   # up to the last, self-signed
                child.verify_directly_issued_by(parent)
            if not all(c.not_valid_before_utc.timestamp() <= at <= c.not_valid_after_utc.timestamp() for c in certs):
                raise ValueError("a certificate of the chain is not valid at the token's time")
        except (InvalidSignature, ValueError, TypeError, x509.ExtensionNotFound) as err:
            why.append(f"its timestamp token does not verify under `{a['name']}` ({err or 'signature does not verify'})")
            continue
        if a in in_force(trust, at)["timestamp_authorities"]: return at, a["name"]
        why.append(f"its timestamp token is from `{a['name']}`, which the trust file did not accept at the token's time {show_time(at)}")
    raise ValueError("; ".join(why))

# ---------------------------------------------------------------- §2.13 Drift (folder only)

def ordered(entry, kind):
    """A registry entry as the manifest writes it: field order of the schema, unset optionals left out."""
    return {k: entry[k] for k in SPECS[kind] if entry.get(k) is not None and not (k == "public_key" and entry[k] == "")}

def assemble_manifest(gate):
    """The `signet.manifest/v5` a passing folder assembles: the exact request, envelope, event
    (but `manifest-assembled`), withdrawal and token texts; the registry entries the release used
    (signers' and withdrawers' keys, superseded keys, every entry of a delegator), their revocations,
    the delegations exercised and the approvals of all these; the policy; the trust chain in force.
    `generated_by` is taken to be the request's `tool`."""
    rec, reg = gate.rec, gate.reg
    delegators = {s["delegation"]["delegator"] for s in gate.signatures if s["delegation"]}
    used = ({s["record"]["key_id"] for s in gate.signatures} | {w["key_id"] for w in gate.withdrawn}
            | {r["key_id"] for r, _, _ in gate.superseded} | {e["key_id"] for e in reg["signer"] if e["id"] in delegators})
    signers = [e for e in reg["signer"] if e["key_id"] in used]
    revocations = [r for r in reg["revocation"] if r["key_id"] in used]
    exercised = {s["record"]["on_behalf_of"]["delegation_sha256"] for s in gate.signatures if s["record"].get("on_behalf_of")}
    digests = {entry_sha256(e, "signer") for e in signers} | {entry_sha256(r, "revocation") for r in revocations} | exercised
    p = rec["policy"]
    policy = {"required": p["required"], "meanings": [{"code": m["code"], "text": m["text"]} for m in p["meanings"]],
              "separation_of_duties": p["separation_of_duties"], "tsa": p["tsa"], "require_trusted_time": p["require_trusted_time"] or None}
    chain = rec["chain_of_trust"]
    m = {"schema": f"signet.manifest/v{MANIFEST_MAX}", "release": gate.request["release"], "request_sha256": gate.request_sha,
         "request": rec["request_text"], "envelopes": [{"file": f, "sha256": sha(t), "envelope": t} for f, t in rec["envelopes"]],
         "signers": [ordered(e, "signer") for e in signers], "revocations": [ordered(r, "revocation") for r in revocations],
         "policy": {k: v for k, v in policy.items() if v is not None}, "audit": rec["chain"] or "", "bundle_sha256": gate.bundle_sha,
         "generated_by": gate.request["tool"], "trusted_root_sha256": sha(rec["trusted_root"]) if rec["trusted_root"] is not None else None,
         "trusted_root": rec["trusted_root"], "approvals": [ordered(a, "approval") for a in reg["approval"] if a["entry_sha256"] in digests],
         "trust": chain and {"schema": chain["schema"], "versions": [
             {"root": {k: v["root"][k] for k in SPECS["trust_root"]}, "signatures": v["signatures"]} for v in chain["versions"]]},
         "events": [{"file": f, "text": t} for f, t in rec["events"] if (read_event(t, lenient=True) or {}).get("event") != "manifest-assembled"],
         "withdrawals": [{"file": f, "text": t} for f, t in rec["withdrawals"]],
         "timestamps": [{"file": f, "token_base64": base64.b64encode(b).decode()} for f, b in sorted(rec["timestamps"].items())],
         "delegations": [ordered(d, "delegation") for d in reg["delegation"] if entry_sha256(d, "delegation") in exercised]}
    optional = ("audit", "trusted_root_sha256", "trusted_root", "approvals", "trust", "events", "withdrawals", "timestamps", "delegations")
    return {k: v for k, v in m.items() if k not in optional or v not in (None, "", [])}

def check_drift(gate, awaiting, path):
    """§2.13: a committed `release-<ID>.json` beside a failing folder does not stand for it; beside a
    passing one it must be, byte for byte, what the record assembles, except that its trust chain
    may since have been extended. (The reference verifier never writes a manifest.)"""
    name = os.path.basename(path)
    if not os.path.lexists(path): return
    if gate.problems or awaiting:
        return gate.problem("Drift", name, "an archival manifest is committed, but the record it must be assembled from fails")
    new = assemble_manifest(gate)
    try:
        old_bytes = Path(path).read_bytes()
    except OSError as e:
        raise Unreadable(f"{path}: {e}")
    if old_bytes == (json.dumps(new, indent=2, ensure_ascii=False) + "\n").encode(): return
    try:
        old = json.loads(old_bytes)
    except ValueError:
        old = None
    if not isinstance(old, dict): return gate.problem("Drift", name, "the committed manifest is not a JSON object")
    versions = lambda m: (m.get("trust") if isinstance(m.get("trust"), dict) else {}).get("versions") or []
    extended = lambda k: k == "trust" and versions(old) and versions(new)[:len(versions(old))] == versions(old)
    differ = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k) and not extended(k)]
    if differ or old == new:
        gate.problem("Drift", name, f"an archival manifest is already committed and differs from what this record assembles "
                     f"({'fields ' + ', '.join(differ) + ' differ' if differ else 'the same fields, spelled differently'})")

# ---------------------------------------------------------------- output (§3)

def report(release, gate, awaiting, fmt):
    sigs, problems = gate.signatures, gate.problems
    passed = not problems and not awaiting
    if fmt == "json":
        print(json.dumps({"verdict": "PASS" if passed else "FAIL", "release": release,
                          "signatures": sorted(s["file"] for s in sigs), "awaiting": sorted(a["role"] for a in awaiting),
                          "problems": problems}, indent=2, ensure_ascii=False))
        return 0 if passed else 1
    for s in sigs:
        r = s["record"]
        post = ", ".join(x for x in (r.get("title"), r.get("department")) if x)
        who = f"{r['printed_name']} <{r['email']}>" + (f" ({post})" if post else "")
        if r.get("on_behalf_of"): who += f" on behalf of {r['on_behalf_of']['printed_name']} ({r['on_behalf_of']['signer_id']})"
        src = f" [time source: timestamp authority ({s['authority']})]" if s["authority"] else ""
        print(f"signed   {r['role']} ({r['meaning']}) by {who} at {r['signed_at']}{src}")
    for w in gate.withdrawn:
        w = w["withdrawal"]
        print(f"withdrawn {w['role']} ({w['withdrawn']['file']}) by {w['signer_id']} at {w['withdrawn_at']}: {w['reason']}")
    for r, by, reason in gate.superseded:
        print(f"superseded {r['role']} ({r['file']}) by {r['signer_id']}; replaced by {by['file']} ({by['record']['signer_id']}): {reason}")
    for a in awaiting:
        print(f"awaiting {a['role']} ({a['meaning']})" + (f" — needs {', '.join(a['needs'])} first" if a["needs"] else ""))
    for p in problems:
        print(f"problem  [{p['check']}] " + (f"{p['file']}: " if p["file"] else "") + p["message"])
    print(f"{'PASS' if passed else 'FAIL'}: release {release} — {len(sigs)} signature(s) valid, {len(awaiting)} awaiting, {len(problems)} problem(s)")
    return 0 if passed else 1

def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference verifier for Signet releases (docs/verification.md)")
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--manifest", required=True, help="release-<ID>.json, or a release folder signatures/<ID>")
    ap.add_argument("--trust")
    ap.add_argument("--root", default=".")
    ap.add_argument("--now", help="RFC 3339 time to judge at (default: the clock)")
    ap.add_argument("--format", choices=["text", "json"], default="text")
    a = ap.parse_args(argv)
    path = lambda p: p if p is None or os.path.isabs(p) else os.path.join(a.root, p)
    try:
        now = parse_time(a.now) if a.now else int(time.time())
        if now is None: raise Unreadable(f"--now {a.now!r} is not an RFC 3339 time")
        try:
            bundle_sha = hashlib.sha256(Path(path(a.bundle)).read_bytes()).hexdigest()
        except OSError as e:
            raise Unreadable(f"{a.bundle}: {e}")
        record = path(a.manifest)
        rec = load_folder(a.root, record, path(a.trust)) if os.path.isdir(record) else load_manifest(record, path(a.trust))
        gate = Gate(rec, bundle_sha, now)
        awaiting = gate.run()
        release = gate.request["release"]
        if rec["origin"]["kind"] == "folder": check_drift(gate, awaiting, os.path.join(a.root, "signatures", f"release-{release}.json"))
    except Unreadable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return report(release, gate, awaiting, a.format)

if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # a bug here must never read as a verdict: exit 3, not 0 or 1
        import traceback
        traceback.print_exc()
        sys.exit(3)
