//! A linear scan of HCL's nesting (brackets, quoted strings, `${`/`%{` templates, heredocs and
//! comments), to refuse before parsing a text that ends deep inside it: hcl-edit's backtracking
//! is exponential in the depth of what is still open at the end of the input.

/// A text that ends with this many openers unclosed is refused.
pub const MAX_UNCLOSED: usize = 8;

/// What is still open at the end of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Unclosed {
    pub depth: usize,
    /// The outermost opener still open, as written (`[`, `{`, `(`, `"`, `${`, `%{`, `<<EOT`).
    pub opener: String,
    /// Its byte offset.
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Bracket(u8),
    Quote,
    Template,
}

/// `Some` when the text ends with at least `MAX_UNCLOSED` openers unclosed.
pub fn deeply_unclosed(text: &str) -> Option<Unclosed> {
    let bytes = text.as_bytes();
    let mut stack: Vec<(Open, usize, usize)> = Vec::new(); // (what, offset, opener length)
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let in_quote = matches!(stack.last(), Some((Open::Quote, ..)));
        if in_quote {
            match (b, next) {
                (b'\\', _) => i += 1,
                (b'$' | b'%', Some(b'{')) if bytes.get(i.wrapping_sub(1)) != Some(&b) => {
                    stack.push((Open::Template, i, 2));
                    i += 1;
                }
                (b'"', _) => {
                    stack.pop();
                }
                // A quoted string ends at its line (an error for the parser to report).
                (b'\n', _) => {
                    stack.pop();
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, next) {
            (b'#', _) | (b'/', Some(b'/')) => {
                i = line_end(bytes, i);
                continue;
            }
            (b'/', Some(b'*')) => {
                i = text
                    .get(i + 2..)
                    .and_then(|t| t.find("*/"))
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                continue;
            }
            (b'<', Some(b'<')) => {
                if let Some(end) = heredoc_end(text, i) {
                    match end {
                        Some(e) => i = e,
                        None => {
                            stack.push((Open::Quote, i, 2));
                            i = bytes.len();
                        }
                    }
                    continue;
                }
            }
            (b'"', _) => stack.push((Open::Quote, i, 1)),
            (b'{' | b'[' | b'(', _) => stack.push((Open::Bracket(b), i, 1)),
            (b'}', _) if matches!(stack.last(), Some((Open::Template, ..))) => {
                stack.pop();
            }
            (b'}' | b']' | b')', _) => {
                let opener = match b {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                if matches!(stack.last(), Some((Open::Bracket(o), ..)) if *o == opener) {
                    stack.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    if stack.len() < MAX_UNCLOSED {
        return None;
    }
    let (_, offset, len) = stack[0];
    Some(Unclosed {
        depth: stack.len(),
        opener: text.get(offset..offset + len).unwrap_or("?").to_string(),
        offset,
    })
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// At `<<` (or `<<-`) followed by an identifier and a line break: `Some(Some(end))` past the
/// closing marker line, `Some(None)` when it never closes; `None` when this is not a heredoc.
fn heredoc_end(text: &str, at: usize) -> Option<Option<usize>> {
    let rest = text.get(at + 2..)?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if marker.is_empty() {
        return None;
    }
    let after = &rest[marker.len()..];
    let body_start = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))?;
    let offset = text.len() - body_start.len();
    let mut pos = offset;
    for line in body_start.split_inclusive('\n') {
        // hcl-edit also takes a marker followed by more tokens on its line (`EOT })`).
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if let Some(after) = body.strip_prefix(marker.as_str()) {
            if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                return Some(Some(pos + indent + marker.len()));
            }
        }
        pos += line.len();
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_unclosed_text_is_refused_and_balanced_text_is_not() {
        let deep = format!("x = \"${{a{}/#H\n", "[sq/t-1._m.c/id/L".repeat(12));
        let open = deeply_unclosed(&deep).expect("refused");
        assert_eq!((open.opener.as_str(), open.offset), ("\"", 4));
        assert!(open.depth >= MAX_UNCLOSED);
        let balanced = format!("x = a{}{}\n", "[b".repeat(20), "]".repeat(20));
        assert_eq!(deeply_unclosed(&balanced), None);
        // A few unclosed openers are the parser's to report.
        assert_eq!(deeply_unclosed("x = [[[\n"), None);
    }

    #[test]
    fn strings_comments_templates_and_heredocs_do_not_count() {
        let text = r#"
# [[[[[[[[[[ in a comment
// (((((((((( too
/* {{{{{{{{{{ */
a = "[[[[[[[[[[ ${var.x["k"]} %{ if true }((((((((%{ endif } $${[[[[[[[[["
b = <<-EOT
    [[[[[[[[[[ ${local.y} ((((((((((
  EOT
c = { d = [ (1), "\"[[[[[[[[[[" ] }
e = [[[[[[[[[{ f = <<-EOT
    x
  EOT }]]]]]]]]]
"#;
        assert_eq!(deeply_unclosed(text), None);
        let unterminated = format!("x = <<EOT\n{}\n", "[".repeat(20));
        assert_eq!(deeply_unclosed(&unterminated), None);
    }

    #[test]
    fn every_parsable_fixture_scans_balanced() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p
                    .extension()
                    .is_some_and(|x| x == "tf" || x == "hcl" || x == "tfvars")
                {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("testdata"), &mut files);
        // The reference modules, where the checkout has them (not in CI).
        walk(
            &root.join("../shared/reference/terraform-modules"),
            &mut files,
        );
        assert!(files.len() > 20, "{}", files.len());
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            if hcl_edit::parser::parse_body(&text).is_ok() {
                assert_eq!(deeply_unclosed(&text), None, "{}", f.display());
            }
        }
    }
}
