//! Generator of realistic IRSA repositories for the benchmarks (`benches/lint.rs`) and
//! `scripts/bench.sh` (through `examples/gen_repo.rs`). Deterministic: the same `docs` always
//! writes the same tree.
//!
//! The mix follows the corpus: multi-document manifest files of 5–20 documents (ServiceAccounts
//! with `eks.amazonaws.com/role-arn`, the Deployments/StatefulSets/Jobs/CronJobs that use them,
//! ConfigMaps and Services around them), one trust-policy file `iam/<role>.json` per annotated
//! role (about 5% of them trusting the wrong namespace), and a few chart-style `values.yaml` files.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
#[allow(dead_code)]
pub struct Summary {
    /// YAML/JSON documents in the tree (the benchmark's unit).
    pub docs: usize,
    pub files: usize,
    pub service_accounts: usize,
    pub trust_files: usize,
    /// Trust policies whose `sub` names the wrong namespace (IRSA016 findings expected).
    pub mismatches: usize,
}

/// xorshift64*: small, fast and reproducible; no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const ACCOUNT: &str = "123456789012";
const ISSUER: &str = "oidc.eks.eu-central-1.amazonaws.com/id/5C6A3B5F2E1D4A7B9C8D0E1F2A3B4C5D";
const TEAMS: &[&str] = &[
    "payments", "search", "platform", "data", "ml", "ci", "web", "identity", "billing", "infra",
];
const IMAGES: &[&str] = &[
    "public.ecr.aws/docker/library/nginx:1.27",
    "ghcr.io/example/api:v2.14.1",
    "gcr.io/kaniko-project/executor:v1.23.2",
    "public.ecr.aws/aws-cli/aws-cli:2.17.0",
    "quay.io/prometheus/node-exporter:v1.8.1",
];

/// Write a repository of (at least) `docs` documents under `dir`, which must be empty or absent.
/// Without `irsa` it has no ServiceAccounts, trust policies or values files, only workloads,
/// ConfigMaps and Services (what an unrelated file costs lint).
pub fn generate(dir: &Path, docs: usize, irsa: bool) -> io::Result<Summary> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ docs as u64);
    let mut s = Summary::default();
    let mut app = 0usize;
    let mut file_no = 0usize;
    fs::create_dir_all(dir.join("iam"))?;
    while s.docs < docs {
        // About 2% of documents are chart-style values files.
        if irsa && rng.chance(15) {
            let chart = format!("chart-{file_no:05}");
            let cdir = dir.join("charts").join(&chart);
            fs::create_dir_all(&cdir)?;
            fs::write(cdir.join("values.yaml"), values_file(&mut rng, &chart, app))?;
            s.docs += 1;
            s.files += 1;
            file_no += 1;
            continue;
        }
        let team = TEAMS[file_no % TEAMS.len()];
        let target = (5 + rng.below(16) as usize).min(docs - s.docs).max(1);
        let mut text = String::with_capacity(target * 1200);
        let mut in_file = 0;
        while in_file < target {
            let name = format!("{team}-svc-{app:05}");
            let ns = format!("{team}-{}", app % 7);
            let role = format!("irsa-{name}");
            let annotated = rng.chance(75);
            if in_file > 0 {
                text.push_str("---\n");
            }
            if irsa {
                service_account(&mut text, &name, &ns, annotated.then_some(role.as_str()));
                in_file += 1;
                s.service_accounts += 1;
            }
            if in_file < target {
                if irsa {
                    text.push_str("---\n");
                }
                workload(&mut rng, &mut text, &name, &ns);
                in_file += 1;
            }
            if in_file < target && rng.chance(40) {
                text.push_str("---\n");
                config_map(&mut text, &name, &ns);
                in_file += 1;
            }
            if in_file < target && rng.chance(40) {
                text.push_str("---\n");
                service(&mut text, &name, &ns);
                in_file += 1;
            }
            if irsa && annotated && rng.chance(80) {
                let mismatch = rng.chance(5);
                let trust_ns = if mismatch { "default" } else { ns.as_str() };
                let json = trust_policy(&mut rng, trust_ns, &name);
                fs::write(dir.join("iam").join(format!("{role}.json")), json)?;
                s.trust_files += 1;
                s.docs += 1;
                s.files += 1;
                s.mismatches += usize::from(mismatch);
            }
            app += 1;
        }
        let tdir = dir.join("apps").join(team);
        fs::create_dir_all(&tdir)?;
        fs::write(tdir.join(format!("release-{file_no:05}.yaml")), text)?;
        s.docs += in_file;
        s.files += 1;
        file_no += 1;
    }
    Ok(s)
}

fn service_account(out: &mut String, name: &str, ns: &str, role: Option<&str>) {
    let _ = write!(
        out,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/managed-by: kustomize\n"
    );
    if let Some(role) = role {
        let _ = writeln!(
            out,
            "  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{ACCOUNT}:role/{role}\n    eks.amazonaws.com/sts-regional-endpoints: \"true\""
        );
    }
}

fn pod_spec(rng: &mut Rng, out: &mut String, name: &str, indent: &str) {
    let image = IMAGES[rng.below(IMAGES.len() as u64) as usize];
    let _ = write!(
        out,
        "{indent}serviceAccountName: {name}
{indent}securityContext:
{indent}  runAsNonRoot: true
{indent}  runAsUser: 10001
{indent}containers:
{indent}  - name: main
{indent}    image: {image}
{indent}    args: [\"--port=8080\", \"--log-level=info\"]
{indent}    env:
{indent}      - name: AWS_REGION
{indent}        value: eu-central-1
{indent}      - name: POD_NAME
{indent}        valueFrom:
{indent}          fieldRef: {{fieldPath: metadata.name}}
{indent}    resources:
{indent}      requests: {{cpu: 100m, memory: 128Mi}}
{indent}      limits: {{memory: 256Mi}}
{indent}    ports:
{indent}      - containerPort: 8080
{indent}        name: http
"
    );
}

fn workload(rng: &mut Rng, out: &mut String, name: &str, ns: &str) {
    match rng.below(20) {
        0..=11 => {
            let _ = write!(out, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n");
            pod_spec(rng, out, name, "      ");
        }
        12..=14 => {
            let _ = write!(out, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  serviceName: {name}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n");
            pod_spec(rng, out, name, "      ");
        }
        15..=17 => {
            let _ = write!(out, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}-migrate\n  namespace: {ns}\nspec:\n  backoffLimit: 3\n  template:\n    spec:\n      restartPolicy: Never\n");
            pod_spec(rng, out, name, "      ");
        }
        _ => {
            let _ = write!(out, "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}-nightly\n  namespace: {ns}\nspec:\n  schedule: \"17 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n");
            pod_spec(rng, out, name, "          ");
        }
    }
}

fn config_map(out: &mut String, name: &str, ns: &str) {
    let _ = write!(out, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n  BUCKET: {name}-artifacts\n  LOG_FORMAT: json\n  settings.yaml: |\n    retries: 3\n    timeout: 30s\n");
}

fn service(out: &mut String, name: &str, ns: &str) {
    let _ = write!(out, "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    app: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n");
}

fn trust_policy(rng: &mut Rng, ns: &str, sa: &str) -> String {
    let (op, sub) = if rng.chance(20) {
        ("StringLike", format!("system:serviceaccount:{ns}:*"))
    } else {
        ("StringEquals", format!("system:serviceaccount:{ns}:{sa}"))
    };
    let aud = if rng.chance(60) {
        format!(",\n          \"{ISSUER}:aud\": \"sts.amazonaws.com\"")
    } else {
        String::new()
    };
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{
        "Federated": "arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
      }},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {{
        "{op}": {{
          "{ISSUER}:sub": "{sub}"{aud}
        }}
      }}
    }}
  ]
}}
"#
    )
}

fn values_file(rng: &mut Rng, chart: &str, app: usize) -> String {
    let create = if rng.chance(80) { "true" } else { "false" };
    format!(
        "# Default values for {chart}.\nreplicaCount: 1\nimage:\n  repository: ghcr.io/example/{chart}\n  tag: \"\"\n  pullPolicy: IfNotPresent\nserviceAccount:\n  create: {create}\n  name: {chart}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{ACCOUNT}:role/irsa-{chart}-{app}\nresources:\n  limits:\n    memory: 256Mi\nnodeSelector: {{}}\ntolerations: []\n"
    )
}
