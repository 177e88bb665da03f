#!/usr/bin/env python3
"""Verify a Signet DSSE envelope with in-toto's and securesystemslib's code, none of Signet's.

Usage: verify_dsse.py ENVELOPE.dsse.json PUBKEY.pem

Checks, in order: the envelope loads as in-toto DSSE metadata (in_toto.models.metadata), it has
exactly one signature whose keyid is Signet's name for PUBKEY (sha256 of its DER
SubjectPublicKeyInfo), securesystemslib verifies that signature over the DSSE PAE, and the
payload parses and validates as an in-toto Statement v1 (in_toto_attestation).
Prints "OK" and exits 0 only if every check passes; exits 1 otherwise.
"""

import copy
import hashlib
import json
import sys

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from google.protobuf import json_format
from in_toto.models.metadata import Envelope, Metadata
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    with open(argv[2], "rb") as f:
        public_key = load_pem_public_key(f.read())

    sigs = data.get("signatures", [])
    if len(sigs) != 1:
        fail("expected exactly one signature, found %d" % len(sigs))
    keyid = sigs[0]["keyid"]
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    expected_keyid = "sha256:" + hashlib.sha256(spki).hexdigest()
    if keyid != expected_keyid:
        fail("signature keyid %r is not this key (%s)" % (keyid, expected_keyid))

    # securesystemslib names an ECDSA key by the sha256 of its own canonical key JSON, and only
    # tries a key on signatures carrying that key's keyid. Signet names keys by the sha256 of the
    # SPKI DER (checked just above), so the loaded key is given the envelope's keyid: what
    # securesystemslib then checks is the signature itself, not the naming scheme.
    key = SSlibKey.from_crypto(public_key, keyid=keyid)
    if key.scheme != "ecdsa-sha2-nistp256":
        fail("public key scheme is %s, expected ecdsa-sha2-nistp256" % key.scheme)

    # in-toto's loader dispatches on payloadType; anything else comes back as another type.
    envelope = Metadata.from_dict(copy.deepcopy(data))
    if not isinstance(envelope, Envelope):
        fail("not an in-toto DSSE envelope")
    try:
        envelope.verify([key], 1)
    except VerificationError as e:
        fail("signature does not verify: %s" % e)

    # Parse is strict: a field that is not part of Statement v1 is an error, not ignored.
    pb = json_format.Parse(envelope.payload.decode("utf-8"), statement_pb2.Statement())
    try:
        Statement.copy_from_pb(pb).validate()
    except ValueError as e:
        fail("payload is not a valid in-toto Statement v1: %s" % e)

    print("OK: %s signed %d subject(s), predicateType %s" % (keyid, len(pb.subject), pb.predicate_type))


if __name__ == "__main__":
    main(sys.argv)
