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

#[derive(Debug, Clone, PartialEq)]
enum Open {
    Bracket(u8),
    Quote,
    /// A heredoc's text, until a line that starts with its marker.
    Heredoc(String),
    Template,
}

/// The bytes that may open or close something, outside strings, inside a quoted string, and in
/// a heredoc's text (whose marker is looked for at each line's start).
static OUTSIDE: [bool; 256] = byte_set(b"#/<\"{[()]},=:\n");
static IN_QUOTE: [bool; 256] = byte_set(b"\\$%\"\n");
static IN_HEREDOC: [bool; 256] = byte_set(b"$%\n");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// `Some` when the text ends with at least `MAX_UNCLOSED` openers unclosed.
pub fn deeply_unclosed(text: &str) -> Option<Unclosed> {
    let stack = walk(text, &mut |_, _, _| false);
    if stack.len() < MAX_UNCLOSED {
        return None;
    }
    let (_, offset, len) = stack[0];
    Some(Unclosed {
        depth: stack.len(),
        opener: text
            .get(offset..offset + len)
            .unwrap_or("?")
            .trim_end()
            .to_string(),
        offset,
    })
}

/// The offsets of the brackets (`{`, `[`, `(`) still open at `at` (which must not be inside a
/// string, heredoc or comment), outermost first.
pub fn brackets_open_at(text: &str, at: usize) -> Vec<(u8, usize)> {
    walk(text, &mut |i, _, _| i >= at)
        .into_iter()
        .filter_map(|(open, offset, _)| match open {
            Open::Bracket(b) => Some((b, offset)),
            _ => None,
        })
        .collect()
}

/// The first byte that `stop(offset, byte, depth)` accepts among the structural bytes of
/// `text` outside strings, heredocs and comments (`,` `=` `:` and line breaks included).
pub fn find_structural(
    text: &str,
    stop: &mut dyn FnMut(usize, u8, usize) -> bool,
) -> Option<usize> {
    let mut found = None;
    walk(text, &mut |i, b, depth| {
        let hit = stop(i, b, depth);
        if hit {
            found = Some(i);
        }
        hit
    });
    found
}

/// Walk the nesting of `text`; `stop(offset, byte, depth)` sees each structural byte outside
/// strings, heredocs and comments before it is read, and ends the walk by returning `true`.
/// What is still open then: (what, offset, opener length).
fn walk(text: &str, stop: &mut dyn FnMut(usize, u8, usize) -> bool) -> Vec<(Open, usize, usize)> {
    let bytes = text.as_bytes();
    let mut stack: Vec<(Open, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        // Bytes that change nothing in the current state are skipped in one go.
        let (special, heredoc) = match stack.last() {
            Some((Open::Quote, ..)) => (&IN_QUOTE, false),
            Some((Open::Heredoc(_), ..)) => (&IN_HEREDOC, true),
            _ => (&OUTSIDE, false),
        };
        let examine = special[b as usize] || (heredoc && at_line_start);
        if !examine {
            i += bytes[i..]
                .iter()
                .position(|&c| special[c as usize])
                .unwrap_or(bytes.len() - i);
            continue;
        }
        let next = bytes.get(i + 1).copied();
        // Inside a string's or a heredoc's text: only templates open anything.
        if let Some(Open::Quote | Open::Heredoc(_)) = stack.last().map(|(o, ..)| o) {
            let quoted = matches!(stack.last(), Some((Open::Quote, ..)));
            if let Some((Open::Heredoc(marker), ..)) = stack.last() {
                if at_line_start {
                    let line = &text[i..line_end(bytes, i)];
                    let body = line.trim_start();
                    if let Some(after) = body.strip_prefix(marker.as_str()) {
                        // hcl-edit also takes a marker followed by more tokens (`EOT })`).
                        if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                            i += line.len() - body.len() + marker.len();
                            stack.pop();
                            continue;
                        }
                    }
                }
            }
            match (b, next) {
                (b'\\', _) if quoted => i += 1,
                (b'$' | b'%', Some(b'{')) if bytes.get(i.wrapping_sub(1)) != Some(&b) => {
                    stack.push((Open::Template, i, 2));
                    i += 1;
                }
                (b'"', _) if quoted => {
                    stack.pop();
                }
                // A quoted string ends at its line (an error for the parser to report).
                (b'\n', _) if quoted => {
                    stack.pop();
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        if stop(i, b, stack.len()) {
            return stack;
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
                if let Some((marker, body)) = heredoc_start(text, i) {
                    stack.push((Open::Heredoc(marker), i, body - i));
                    i = body;
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
    stack
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// At `<<` (or `<<-`) followed by an identifier and a line break: the marker and where the
/// heredoc's text starts; `None` when this is not a heredoc.
fn heredoc_start(text: &str, at: usize) -> Option<(String, usize)> {
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
    let body = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))?;
    Some((marker, text.len() - body.len()))
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
        // Plain text in a heredoc does not count, even when it never ends.
        let unterminated = format!("x = <<EOT\n{}\n", "[".repeat(20));
        assert_eq!(deeply_unclosed(&unterminated), None);
        // Its templates do (issue #16's campaign: a heredoc never closed around a deep template).
        let template = format!("x = <<EOT\n${{a{}\n", "[b".repeat(12));
        assert!(deeply_unclosed(&template).is_some());
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
