//! A root module's blocks lowered on several threads. Repositories keep hundreds of roles in one
//! root module, and lowering is most of a Terraform run's time.
//!
//! The blocks are cut into chunks of a fixed size, each lowered by an evaluator of its own (its
//! memo tables, scope and fuel), and the outputs are joined in block order: what is found, and
//! in which order, does not depend on the number of threads. A local or a block that two chunks
//! both read is evaluated by each; values are the same either way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::eval::Eval;
use super::index::Index;
use super::lower::{lower_blocks, Lowered};
use super::module::Ctx;
use super::value::Value;
use crate::facts::Classified;

/// Blocks per chunk: large enough that re-evaluating shared locals per chunk is noise.
const CHUNK: usize = 128;
/// Lowering recurses (references within references, local modules): as the `terraform` thread.
const STACK: usize = 64 << 20;

/// Lower the root module that `ix` indexes, with `vars` bound, into `out`.
pub fn lower_root(ix: &Index, vars: HashMap<String, Value>, ctx: &Ctx, out: &mut Lowered) {
    let files = &ctx.world.files;
    let chunks: Vec<_> = ix.order.chunks(CHUNK).collect();
    if chunks.len() <= 1 {
        let ev = Eval::new(files, ix, vars, ctx);
        lower_blocks(&ev, &ix.order, out);
        out.defaults.append(&mut ev.defaults.take());
        return;
    }
    // On one core too, each chunk has its own evaluator: the same fuel per chunk, the same result.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(chunks.len());
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Lowered)>> = Mutex::new(Vec::new());
    let worker = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(chunk) = chunks.get(i) else { break };
        let ev = Eval::new(files, ix, vars.clone(), ctx);
        let mut part = Lowered::default();
        lower_blocks(&ev, chunk, &mut part);
        part.defaults = ev.defaults.take();
        done.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((i, part));
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("terraform".into())
                    .stack_size(STACK)
                    .spawn_scoped(s, worker)
                    .ok()
            })
            .collect();
        // This thread works too (and alone, if no thread could be started).
        worker();
        for h in handles {
            if let Err(panic) = h.join() {
                // As a panic on this thread: the Terraform front-end's caller isolates it.
                std::panic::resume_unwind(panic);
            }
        }
    });
    let mut parts = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    parts.sort_by_key(|(i, _)| *i);
    for (_, part) in parts {
        append(out, part);
    }
}

fn append(out: &mut Lowered, part: Lowered) {
    let Lowered {
        classified,
        mut notes,
        mut releases,
        mut defaults,
        mut related,
    } = part;
    let Classified {
        mut service_accounts,
        mut workloads,
        mut policies,
        mut arn_values,
        mut objects,
        mut duplicate_keys,
        mut aws_configs,
        mut pod_identity_associations,
        mut charts,
        releases: mut classified_releases,
    } = classified;
    let c = &mut out.classified;
    c.service_accounts.append(&mut service_accounts);
    c.workloads.append(&mut workloads);
    c.policies.append(&mut policies);
    c.arn_values.append(&mut arn_values);
    c.objects.append(&mut objects);
    c.duplicate_keys.append(&mut duplicate_keys);
    c.aws_configs.append(&mut aws_configs);
    c.pod_identity_associations
        .append(&mut pod_identity_associations);
    c.charts.append(&mut charts);
    c.releases.append(&mut classified_releases);
    out.notes.append(&mut notes);
    out.releases.append(&mut releases);
    out.defaults.append(&mut defaults);
    out.related.append(&mut related);
}
