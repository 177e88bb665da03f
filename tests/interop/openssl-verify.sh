#!/bin/sh
# Verify a Signet signature (a DSSE envelope) with stock tools only: python3 for JSON and base64,
# openssl for the ECDSA P-256 / SHA-256 check. No Signet code is involved, so a pass here is
# independent evidence that the signature is genuine.
#
# Usage: openssl-verify.sh ENVELOPE.dsse.json PUBKEY.pem [PAYLOAD_OUT]
#   PUBKEY.pem   the signer's public key as registered (PEM SubjectPublicKeyInfo)
#   PAYLOAD_OUT  where to write the verified in-toto Statement (optional)
# Prints "Verified OK" and exits 0 only if the signature verifies.
set -eu

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
    echo "usage: $0 ENVELOPE PUBKEY.pem [PAYLOAD_OUT]" >&2
    exit 2
fi
envelope=$1
pubkey=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# 1. The key's identity as Signet names it: sha256 of the public key's DER encoding. Checking it
#    against the envelope's keyid catches an envelope checked against the wrong signer's key.
openssl pkey -pubin -in "$pubkey" -outform DER >"$work/pub.der"
keyid="sha256:$(openssl dgst -sha256 -r "$work/pub.der" | cut -d' ' -f1)"

# 2. Take the envelope apart. Signet writes exactly one signature per envelope.
python3 -c '
import base64, json, sys
env = json.load(open(sys.argv[1], encoding="utf-8"))
out, keyid = sys.argv[2], sys.argv[3]
sigs = env["signatures"]
if len(sigs) != 1:
    sys.exit("expected exactly one signature, found %d" % len(sigs))
if sigs[0]["keyid"] != keyid:
    sys.exit("signature keyid %r is not this key (%s)" % (sigs[0]["keyid"], keyid))
if env["payloadType"] != "application/vnd.in-toto+json":
    sys.exit("unexpected payloadType %r" % env["payloadType"])
open(out + "/type.bin", "wb").write(env["payloadType"].encode("utf-8"))
open(out + "/payload.bin", "wb").write(base64.b64decode(env["payload"], validate=True))
open(out + "/sig.der", "wb").write(base64.b64decode(sigs[0]["sig"], validate=True))
' "$envelope" "$work" "$keyid"

# 3. Rebuild the DSSE pre-authentication encoding, the bytes that were actually signed:
#    "DSSEv1" SP len(type) SP type SP len(payload) SP payload, lengths in decimal bytes.
type_len=$(wc -c <"$work/type.bin" | tr -d ' ')
payload_len=$(wc -c <"$work/payload.bin" | tr -d ' ')
{
    printf 'DSSEv1 %s ' "$type_len"
    cat "$work/type.bin"
    printf ' %s ' "$payload_len"
    cat "$work/payload.bin"
} >"$work/pae.bin"

# 4. Check the DER ECDSA signature over those bytes: openssl prints "Verified OK" or fails.
openssl dgst -sha256 -verify "$pubkey" -signature "$work/sig.der" "$work/pae.bin"

if [ "$#" -eq 3 ]; then
    cp "$work/payload.bin" "$3"
fi
