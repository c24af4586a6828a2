//! IRSA057: a Pulumi program or CDK app whose output the run does not have.

use crate::declare_rule;
use crate::diagnostics::finding::Severity;

declare_rule! {
    /// A Pulumi program or a CDK app was found, but not what it deploys.
    ///
    /// ## What it checks
    /// A `Pulumi.yaml` with no stack export or preview JSON in its project directory, or a
    /// `cdk.json` with no synthesized `cdk.out` beside it. Lint never runs a program: it reads
    /// what `pulumi stack export --file stack.json`, `pulumi preview --json > preview.json` or
    /// `cdk synth` produce (the CloudFormation templates in `cdk.out`).
    ///
    /// ## Why it matters
    /// The roles and service accounts the program creates were not checked; the coverage
    /// summary says so, with the command that produces an input lint reads.
    ///
    /// ## Example
    /// `Pulumi program infra (Pulumi.yaml) not read: run pulumi stack export --file stack.json and lint stack.json`
    pub struct ProgramNotRead => ("IRSA057", "program-not-read", Severity::Note);
}
