#!/usr/bin/env python3
"""Read a `signet verify --vsa` file with in-toto's code, none of Signet's.

Usage: verify_vsa.py VSA.json EXPECTED_RESULT [PUBKEY.pem]

With PUBKEY the file must be a DSSE envelope that verify_dsse.py accepts (signature checked by
securesystemslib); without, a bare in-toto Statement. Either way the statement must parse and
validate as an in-toto Statement v1 (in_toto_attestation), its predicate must parse strictly as
SLSA's VerificationSummary v1 (in_toto_attestation.predicates.vsa.v1), and its result must be
EXPECTED_RESULT (PASSED or FAILED). Prints "OK" and exits 0 only then; exits 1 otherwise.
"""

import base64
import json
import os
import subprocess
import sys

from google.protobuf import json_format
from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement

PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    if len(argv) == 4:
        checker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_dsse.py")
        done = subprocess.run([sys.executable, checker, argv[1], argv[3]], capture_output=True, text=True)
        if done.returncode != 0:
            fail("the envelope does not verify: " + done.stderr.strip())
        data = json.loads(base64.b64decode(data["payload"], validate=True))
    elif "payloadType" in data:
        fail("a signed VSA was given without the key to check it")
    pb = json_format.Parse(json.dumps(data), statement_pb2.Statement())
    try:
        Statement.copy_from_pb(pb).validate()
    except ValueError as e:
        fail("not a valid in-toto Statement v1: %s" % e)
    if pb.predicate_type != PREDICATE_TYPE:
        fail("predicateType is %s" % pb.predicate_type)
    predicate = dict(data["predicate"])
    # SLSA VSA v1 makes verifiedLevels an array, but in-toto-attestation 0.9.3's vsa.proto declares
    # it a single string: checked here by hand, everything else parsed strictly by the proto.
    levels = predicate.pop("verifiedLevels", [])
    if not isinstance(levels, list) or not all(isinstance(level, str) for level in levels):
        fail("verifiedLevels is not an array of strings")
    vsa = json_format.ParseDict(predicate, vsa_pb2.VerificationSummary())
    if vsa.verification_result != argv[2]:
        fail("verificationResult is %s, expected %s" % (vsa.verification_result, argv[2]))
    if not vsa.policy.digest.get("sha256"):
        fail("the policy has no sha256 digest")
    print("OK: %s for %s (%d input attestation(s))" % (vsa.verification_result, vsa.resource_uri, len(vsa.input_attestations)))


if __name__ == "__main__":
    main(sys.argv)
