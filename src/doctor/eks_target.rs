//! Which EKS cluster the kubeconfig points at: `aws eks update-kubeconfig` names the context and
//! the cluster `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`, and its exec args carry
//! `--cluster-name NAME` (`--region REGION`); `aws-iam-authenticator` takes `-i`/`--cluster-id`.
//! `--cluster NAME` overrides all of them.

use std::path::Path;

use kube::config::Kubeconfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EksTarget {
    pub name: String,
    pub region: Option<String>,
    pub account: Option<String>,
    /// Where the name came from, for messages.
    pub source: String,
}

/// `arn:aws:eks:REGION:ACCOUNT:cluster/NAME` → (name, region, account).
pub fn parse_cluster_arn(s: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "eks", region, account, resource] => {
            let name = resource.strip_prefix("cluster/")?;
            (!name.is_empty() && !name.contains('/'))
                .then(|| (name.to_string(), region.to_string(), account.to_string()))
        }
        _ => None,
    }
}

/// The value after `flag` (`--flag VALUE` or `--flag=VALUE`).
fn flag_value(args: &[String], flags: &[&str]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        for f in flags {
            if a == f {
                return it.next().cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{f}=")) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// The target of `context` (else the current context) in `kc`.
pub fn from_kubeconfig(kc: &Kubeconfig, context: Option<&str>) -> Option<EksTarget> {
    let ctx_name = context.map(str::to_string).or(kc.current_context.clone())?;
    let ctx = kc
        .contexts
        .iter()
        .find(|c| c.name == ctx_name)?
        .context
        .as_ref()?;
    let exec_args: Vec<String> = ctx
        .user
        .as_ref()
        .and_then(|u| kc.auth_infos.iter().find(|a| &a.name == u))
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref())
        .and_then(|e| e.args.clone())
        .unwrap_or_default();
    let exec_region = flag_value(&exec_args, &["--region"]);
    for (what, candidate) in [("context", &ctx_name), ("cluster", &ctx.cluster)] {
        if let Some((name, region, account)) = parse_cluster_arn(candidate) {
            return Some(EksTarget {
                name,
                region: Some(region),
                account: Some(account),
                source: format!("the kubeconfig {what} `{candidate}`"),
            });
        }
    }
    let name = flag_value(&exec_args, &["--cluster-name", "--cluster-id", "-i"])?;
    Some(EksTarget {
        source: format!("the kubeconfig user's exec args (`{name}`)"),
        name,
        region: exec_region,
        account: None,
    })
}

/// `--cluster` wins; else the kubeconfig (`--kubeconfig`, else `$KUBECONFIG`/`~/.kube/config`).
pub fn find(
    cluster: Option<&str>,
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Option<EksTarget> {
    let kc = match kubeconfig {
        Some(p) => Kubeconfig::read_from(p).ok(),
        None => Kubeconfig::read().ok(),
    };
    let found = kc.as_ref().and_then(|kc| from_kubeconfig(kc, context));
    match cluster {
        Some(name) => Some(EksTarget {
            name: name.to_string(),
            // The kubeconfig's region still applies when it names the same cluster.
            region: found
                .as_ref()
                .filter(|f| f.name == name)
                .and_then(|f| f.region.clone()),
            account: found.filter(|f| f.name == name).and_then(|f| f.account),
            source: "--cluster".into(),
        }),
        None => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kc(yaml: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(yaml).expect("kubeconfig")
    }

    const UPDATE_KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  cluster: {server: https://example.eks.amazonaws.com}
contexts:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  context: {cluster: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', user: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod'}
- name: renamed
  context: {cluster: other, user: exec-user}
current-context: arn:aws:eks:eu-west-1:111122223333:cluster/prod
users:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [--region, eu-west-1, eks, get-token, --cluster-name, prod]}
- name: exec-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [--region=us-east-2, eks, get-token, --cluster-name=staging, --output, json]}
";

    #[test]
    fn names_from_arns_and_exec_args() {
        let k = kc(UPDATE_KUBECONFIG);
        let t = from_kubeconfig(&k, None).unwrap();
        assert_eq!(
            (t.name.as_str(), t.region.as_deref(), t.account.as_deref()),
            ("prod", Some("eu-west-1"), Some("111122223333"))
        );
        let t = from_kubeconfig(&k, Some("renamed")).unwrap();
        assert_eq!(
            (t.name.as_str(), t.region.as_deref()),
            ("staging", Some("us-east-2"))
        );
        assert!(from_kubeconfig(&k, Some("missing")).is_none());
    }

    #[test]
    fn arns_are_checked() {
        assert!(parse_cluster_arn("arn:aws:eks:eu-west-1:1:cluster/").is_none());
        assert!(parse_cluster_arn("arn:aws:iam::1:role/x").is_none());
        assert!(parse_cluster_arn("fake").is_none());
        assert_eq!(
            flag_value(&["-i".into(), "c1".into()], &["--cluster-name", "-i"]),
            Some("c1".into())
        );
    }
}
