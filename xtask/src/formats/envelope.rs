//! The DSSE v1 envelope (github.com/secure-systems-lab/dsse, envelope.md): the wire form of a
//! key-file signature, `signatures/<ID>/<ROLE>--<signer>.dsse.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// DSSE envelope JSON. Unknown fields are DSSE extensions: accepted on read, dropped, and never
/// consulted by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "DSSE envelope", description = "A Signet key-file signature")]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Standard base64 with padding.
    pub payload: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signature {
    /// Optional in DSSE, where unset means empty; Signet always writes it.
    #[serde(default)]
    pub keyid: String,
    /// Standard base64 of the DER ECDSA-Sig-Value.
    pub sig: String,
}
