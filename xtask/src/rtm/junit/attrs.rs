//! Attribute decoding restricted to the five predefined entities and character references.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::BytesStart;

/// Calls `f` with each attribute's name and decoded value. Every attribute is decoded, used or
/// not, so an undefined entity anywhere is reported instead of silently passing through.
pub(super) fn each(start: &BytesStart<'_>, mut f: impl FnMut(&str, Cow<'_, str>)) -> Result<(), String> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("malformed attribute: {e}"))?;
        // `resolve_xml_entity`, not the crate default: that one widens to HTML5 entities when
        // some other crate in the build enables quick-xml's `escape-html` feature.
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_err(|e| format!("attribute `{}` of <{}>: {e}", attr.key.as_ref(), start.name().as_ref()))?;
        f(attr.key.as_ref(), value);
    }
    Ok(())
}
