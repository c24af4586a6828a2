//! Two items with one key in an object constructor (`{ a = 1, a = 2 }`): Terraform keeps the
//! last one and says nothing (hashicorp/hcl, `hclsyntax/expression.go`,
//! `ObjectConsExpr.Value`: each item is evaluated in order into `vals[keyStr] = val`, with no
//! diagnostic; only a `for` expression's duplicate keys are an error). hcl-edit refuses the
//! text instead, so the earlier item is blanked out (spaces; line breaks kept, so every other
//! span stays where it was) and the text parsed again.

use super::hcl_balance::{brackets_open_at, find_structural};

/// hcl-edit's message for a key written twice in one object.
pub const REDEFINED: &str = "found redefined object key";

/// `text` with the earlier item of the key that hcl-edit refused at `second` blanked out;
/// `None` when that item cannot be found.
pub fn drop_earlier_item(text: &str, second: usize) -> Option<String> {
    let key = key_at(text, second)?;
    let &(b'{', open) = brackets_open_at(text, second).last()? else {
        return None;
    };
    let body = text.get(open + 1..second)?;
    let first = item_starts(body)
        .into_iter()
        .find(|&at| value_after_key(body, at, key).is_some())?;
    let value = value_after_key(body, first, key)? + open + 1;
    let start = first + open + 1;
    let rest = text.get(value..)?;
    let end = value
        + find_structural(rest, &mut |_, b, depth| {
            depth == 0 && matches!(b, b',' | b'\n' | b'}')
        })?;
    let end = if text.as_bytes().get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    // Byte for byte, so the text keeps its length and its line breaks.
    let blank: String = text.as_bytes()[start..end]
        .iter()
        .map(|&b| {
            if matches!(b, b'\n' | b'\r') {
                b as char
            } else {
                ' '
            }
        })
        .collect();
    Some(format!("{}{}{}", &text[..start], blank, &text[end..]))
}

/// The key written at `at`: an identifier or a quoted string, as written.
fn key_at(text: &str, at: usize) -> Option<&str> {
    let rest = text.get(at..)?;
    let len = if let Some(quoted) = rest.strip_prefix('"') {
        let mut escaped = false;
        let close = quoted.char_indices().find(|&(_, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end || c == '\n'
        })?;
        close.0 + 2
    } else {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len())
    };
    (len > 0).then(|| &rest[..len])
}

/// Where items may start in an object's body: its start, and after each `,` or line break at
/// its own level.
fn item_starts(body: &str) -> Vec<usize> {
    let mut starts = vec![0];
    find_structural(body, &mut |i, b, depth| {
        if depth == 0 && matches!(b, b',' | b'\n') {
            starts.push(i + 1);
        }
        false
    });
    starts
}

/// When an item starting at `at` (blanks first) has the key `key`: where its value starts.
fn value_after_key(body: &str, at: usize, key: &str) -> Option<usize> {
    let rest = body.get(at..)?;
    let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n']);
    let after = trimmed.strip_prefix(key)?;
    let after_key = after.trim_start_matches([' ', '\t']);
    if key.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
        && after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let value = after_key.strip_prefix(['=', ':'])?;
    // `==` is a comparison, never an item.
    if value.starts_with('=') {
        return None;
    }
    Some(body.len() - value.len())
}
