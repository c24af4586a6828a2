use crate::declare_rule;
use crate::diagnostics::finding::{Finding, Location, Severity};
use crate::diagnostics::RuleMeta;
use crate::facts::aws_config::ARN_FLAGS;
use crate::facts::Workspace;
use crate::model::arn::{find_placeholder, is_valid_region};
use crate::rules::Rule;

declare_rule! {
    /// An IAM Roles Anywhere `credential_process` (aws_signing_helper) that cannot get credentials.
    ///
    /// ## What it checks
    /// AWS config files with `credential_process = aws_signing_helper credential-process …`, in a
    /// Secret (`stringData` or base64 `data`, as the EKS Anywhere credential-provider package
    /// mounts) or a literal file (`credfile`, `config`, `*.ini`): the command passes all of
    /// `--profile-arn`, `--role-arn` and `--trust-anchor-arn`, and the profile section sets a real
    /// `region`. Each ARN's format and type is checked by IRSA001 (a profile ARN where the trust
    /// anchor belongs is caught there).
    ///
    /// ## Why it matters
    /// The kubelet's credential provider runs this command for every matching image pull; a
    /// missing flag or region makes every ECR pull on the node fail with an opaque
    /// `no credentials` error, and a `$AWS_REGION` left from a copied heredoc does the same.
    ///
    /// ## Example
    /// ```ini
    /// [default]
    /// region = $AWS_REGION
    /// credential_process = aws_signing_helper credential-process --certificate c.pem --private-key k.pem --role-arn arn:aws:iam::111122223333:role/ecr-pull
    /// ```
    /// Fixed: `region = us-west-2`, and add `--profile-arn arn:aws:rolesanywhere:us-west-2:111122223333:profile/<uuid>`
    /// and `--trust-anchor-arn arn:aws:rolesanywhere:us-west-2:111122223333:trust-anchor/<uuid>`.
    pub struct RolesAnywhereConfig => ("IRSA022", "roles-anywhere-credential-process", Severity::Error);
}

impl Rule for RolesAnywhereConfig {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for config in &ws.aws_configs {
            for cp in config.processes.iter().filter(|cp| cp.signing_helper) {
                let line = Location::new(&config.file, config.span_of(&cp.line));
                let with_object = |f: Finding| match &config.object {
                    Some(o) => f.object(o.clone()),
                    None => f,
                };
                let missing: Vec<&str> = ARN_FLAGS
                    .iter()
                    .filter(|flag| !cp.args.iter().any(|(f, _, _)| f == *flag))
                    .copied()
                    .collect();
                if !missing.is_empty() {
                    out.push(with_object(
                        Finding::new(&Self::META, format!(
                            "profile `{}`: aws_signing_helper needs {}; without it Roles Anywhere issues no credentials",
                            cp.profile,
                            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                        ))
                        .at(line.clone()),
                    ));
                }
                match &cp.region {
                    None => out.push(with_object(
                        Finding::new(&Self::META, format!("profile `{}` sets no `region`: the ECR credentials are requested for no region", cp.profile))
                            .at(line.clone())
                            .help("add `region = <the ECR region>` to the profile section"),
                    )),
                    Some((region, range)) if !is_valid_region(region) => {
                        let why = match find_placeholder(region) {
                            Some(p) => format!("still contains the placeholder `{}`", p.text),
                            None => "is not an AWS region".to_string(),
                        };
                        out.push(with_object(
                            Finding::new(&Self::META, format!("profile `{}`: region `{region}` {why}", cp.profile))
                                .at(Location::new(&config.file, config.span_of(range)))
                                .help("set a region such as `us-west-2`"),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
}
