#!/usr/bin/env python3
"""Sign a payload as a DSSE envelope with securesystemslib, for checking Signet's verifier
against an envelope it did not write.

Usage: sign_dsse.py PRIVKEY.pem PAYLOAD_FILE KEYID > ENVELOPE.dsse.json

PRIVKEY.pem is an unencrypted PKCS#8 ECDSA P-256 key; the payload type is in-toto's.
"""

import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(argv[1], "rb") as f:
        private_key = load_pem_private_key(f.read(), password=None)
    with open(argv[2], "rb") as f:
        payload = f.read()
    # Signet's keyid, not securesystemslib's default one (see verify_dsse.py).
    public = SSlibKey.from_crypto(private_key.public_key(), keyid=argv[3])
    envelope = Envelope(payload, "application/vnd.in-toto+json", {})
    envelope.sign(CryptoSigner(private_key, public))
    json.dump(envelope.to_dict(), sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
