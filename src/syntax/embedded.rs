//! Documents embedded in a string value (an ACK Role's `assumeRolePolicyDocument`, a Package CR's
//! `spec.config`): parsed on their own, with spans mapped back into the enclosing file.

use crate::syntax::source::SourceFile;
use crate::syntax::span_map::InnerMap;
use crate::syntax::yaml::{self, Node, Span, Stream};

/// Parse the string in `node` and map every span back into `file` (through
/// [`InnerMap`]). Lines that cannot be found in the file (escapes, folding) map to the value.
pub fn parse_embedded(file: &SourceFile, node: &Node) -> Option<Stream> {
    let content = node.as_str()?;
    let mut stream = yaml::parse(content);
    let map = InnerMap::locate(&file.text, node.span, content);
    let remap_span = |s: Span| map.span_of_inner(&file.text, s);
    for doc in &mut stream.documents {
        remap_node(&mut doc.root, &remap_span);
    }
    for dup in &mut stream.duplicate_keys {
        dup.first = remap_span(dup.first);
        dup.second = remap_span(dup.second);
    }
    if let Some(err) = &mut stream.error {
        err.pos = map.pos(&file.text, err.pos);
    }
    Some(stream)
}

fn remap_node(node: &mut Node, f: &dyn Fn(Span) -> Span) {
    node.map_spans(f);
}
