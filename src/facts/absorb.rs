//! Gathering what front-ends classified into one unit's workspace: the one way facts enter a
//! workspace, so a new kind of fact cannot be dropped by one path and kept by another.

use std::sync::Arc;

use super::{Classified, Workspace};
use crate::syntax::source::SourceFile;

impl Workspace {
    /// The facts `file` holds, and the file.
    pub fn absorb(&mut self, file: Arc<SourceFile>, c: Classified) {
        self.absorb_facts(&file.display, c);
        self.files.push(file);
    }

    /// Every fact of `c`; its duplicate keys are filed under `display`. Its releases are not
    /// facts of a unit: the driver resolves them with the run's other releases.
    pub fn absorb_facts(&mut self, display: &str, c: Classified) {
        self.service_accounts.extend(c.service_accounts);
        self.workloads.extend(c.workloads);
        self.policies.extend(c.policies);
        self.arn_values.extend(c.arn_values);
        self.objects.extend(c.objects);
        self.aws_configs.extend(c.aws_configs);
        self.pod_identity_associations
            .extend(c.pod_identity_associations);
        self.charts.extend(c.charts.into_iter().map(Arc::new));
        if !c.duplicate_keys.is_empty() {
            self.duplicate_keys
                .entry(display.to_string())
                .or_default()
                .extend(c.duplicate_keys);
        }
    }
}
