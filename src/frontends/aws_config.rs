//! AWS config files (`[profile]` sections) with a Roles Anywhere `credential_process`, as found in
//! the EKS Anywhere credential-provider Secret or a literal `credfile`: extract the ARNs and region.

use crate::facts::aws_config::{CredentialProcess, ARN_FLAGS};

/// Every `credential_process` of an AWS config text.
pub fn credential_processes(text: &str) -> Vec<CredentialProcess> {
    let mut out: Vec<CredentialProcess> = Vec::new();
    let mut profile = String::from("default");
    let mut region: Option<(String, std::ops::Range<usize>)> = None;
    let mut section_start = 0;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            profile = name
                .trim()
                .trim_start_matches("profile ")
                .trim()
                .to_string();
            region = None;
            section_start = out.len();
        } else if let Some((key, value)) = trimmed.split_once('=') {
            let value_start =
                offset + indent + key.len() + 1 + (value.len() - value.trim_start().len());
            let value = value.trim();
            match key.trim() {
                "region" => {
                    region = Some((value.to_string(), value_start..value_start + value.len()));
                    for cp in &mut out[section_start..] {
                        cp.region = region.clone();
                    }
                }
                "credential_process" => out.push(CredentialProcess {
                    profile: profile.clone(),
                    line: offset + indent..offset + line.len(),
                    region: region.clone(),
                    args: flag_values(value, value_start),
                    signing_helper: value
                        .split_whitespace()
                        .next()
                        .is_some_and(|p| p.ends_with("aws_signing_helper")),
                }),
                _ => {}
            }
        }
        offset += raw.len();
    }
    out
}

fn flag_values(command: &str, base: usize) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for token in command.split_whitespace() {
        let at = command[pos..].find(token).map_or(pos, |i| pos + i);
        tokens.push((at, token));
        pos = at + token.len();
    }
    let mut out = Vec::new();
    for (i, (_, token)) in tokens.iter().enumerate() {
        let (flag, inline) = match token.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (*token, None),
        };
        if !ARN_FLAGS.contains(&flag) {
            continue;
        }
        let (value, start) = match inline {
            Some(v) => (v, base + tokens[i].0 + flag.len() + 1),
            None => match tokens.get(i + 1) {
                Some((at, v)) => (*v, base + at),
                None => continue,
            },
        };
        out.push((
            flag.to_string(),
            value.to_string(),
            start..start + value.len(),
        ));
    }
    out
}
