//! Soundness of decision trees: ids unique, every option points somewhere real,
//! every node reachable, no cycles, no dead ends.

use std::collections::HashMap;

use super::Ctx;
use crate::content::DecisionTree;
use crate::diagnostics::Report;

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Unvisited,
    OnStack,
    Done,
}

/// Checks one tree, recording every problem.
pub(super) fn check(t: &DecisionTree, ctx: &Ctx, report: &mut Report) {
    let file = t.file;
    let d = &t.data;
    let mut nodes: HashMap<&str, usize> = HashMap::new();
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    // Duplicates are reported once; they keep the first node's index so the
    // reachability walk below does not report the first one as unreachable.
    let mut duplicate = vec![false; d.nodes.len()];
    for (i, n) in d.nodes.iter().enumerate() {
        let first = *nodes.entry(n.id.get_ref()).or_insert(i);
        if first != i || d.outcomes.iter().any(|o| o.id.get_ref() == n.id.get_ref()) {
            duplicate[i] = first != i;
            report
                .error(
                    file,
                    n.id.span(),
                    format!("duplicate id `{}` in decision tree", n.id.get_ref()),
                )
                .label("already used");
        }
        if n.options.is_empty() {
            report
                .error(
                    file,
                    n.id.span(),
                    format!("node `{}` is a dead end: it has no options", n.id.get_ref()),
                )
                .label("no [[node.option]]");
        }
        if let Some(help) = &n.help {
            ctx.markdown_at(report, file, help, None);
        }
    }
    let mut duplicate_outcome = vec![false; d.outcomes.len()];
    for (i, o) in d.outcomes.iter().enumerate() {
        if *outcomes.entry(o.id.get_ref()).or_insert(i) != i {
            duplicate_outcome[i] = true;
            report
                .error(
                    file,
                    o.id.span(),
                    format!("duplicate id `{}` in decision tree", o.id.get_ref()),
                )
                .label("already used");
        }
        if o.see.is_empty() {
            report
                .warning(
                    file,
                    o.id.span(),
                    format!("outcome `{}` links to no entry", o.id.get_ref()),
                )
                .label("add `see`");
        }
        for s in &o.see {
            ctx.spanned_ref(report, file, s, "see");
        }
        ctx.markdown_at(report, file, &o.explanation, None);
    }

    // Every option: exactly one target, and it exists.
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); d.nodes.len()];
    let mut reached_outcomes = vec![false; d.outcomes.len()];
    for (i, n) in d.nodes.iter().enumerate() {
        for opt in &n.options {
            match (&opt.next, &opt.outcome) {
                (Some(_), Some(_)) | (None, None) => {
                    report
                        .error(
                            file,
                            opt.label.span(),
                            "an option needs exactly one of `next` or `outcome`",
                        )
                        .label("dangling option");
                }
                (Some(next), None) => match nodes.get(next.get_ref().as_str()) {
                    Some(&j) => edges[i].push(j),
                    None => {
                        report
                            .error(
                                file,
                                next.span(),
                                format!("option points to unknown node `{}`", next.get_ref()),
                            )
                            .label("no such node");
                    }
                },
                (None, Some(out)) => match outcomes.get(out.get_ref().as_str()) {
                    Some(&j) => reached_outcomes[j] = true,
                    None => {
                        report
                            .error(
                                file,
                                out.span(),
                                format!("option points to unknown outcome `{}`", out.get_ref()),
                            )
                            .label("no such outcome");
                    }
                },
            }
        }
    }

    let Some(&start) = nodes.get(d.start.get_ref().as_str()) else {
        report
            .error(
                file,
                d.start.span(),
                format!("`start` names unknown node `{}`", d.start.get_ref()),
            )
            .label("no such node");
        return;
    };

    // Depth-first walk from the start: finds cycles and reachability together.
    let mut mark = vec![Mark::Unvisited; d.nodes.len()];
    let mut stack = vec![(start, 0usize)];
    mark[start] = Mark::OnStack;
    while let Some(&mut (node, ref mut next_edge)) = stack.last_mut() {
        if let Some(&to) = edges[node].get(*next_edge) {
            *next_edge += 1;
            match mark[to] {
                Mark::Unvisited => {
                    mark[to] = Mark::OnStack;
                    stack.push((to, 0));
                }
                Mark::OnStack => {
                    let n = &d.nodes[node];
                    let target = &d.nodes[to];
                    let span = n
                        .options
                        .iter()
                        .filter_map(|o| o.next.as_ref())
                        .find(|s| s.get_ref() == target.id.get_ref())
                        .map_or(n.id.span(), |s| s.span());
                    report
                        .error(
                            file,
                            span,
                            format!(
                                "cycle: `{}` leads back to `{}`",
                                n.id.get_ref(),
                                target.id.get_ref()
                            ),
                        )
                        .label("creates a cycle");
                }
                Mark::Done => {}
            }
        } else {
            mark[node] = Mark::Done;
            stack.pop();
        }
    }
    for (i, n) in d.nodes.iter().enumerate() {
        if mark[i] == Mark::Unvisited && !duplicate[i] {
            report
                .error(
                    file,
                    n.id.span(),
                    format!(
                        "node `{}` is unreachable from `{}`",
                        n.id.get_ref(),
                        d.start.get_ref()
                    ),
                )
                .label("unreachable");
        }
    }
    for (i, o) in d.outcomes.iter().enumerate() {
        if !reached_outcomes[i] && !duplicate_outcome[i] {
            report
                .error(
                    file,
                    o.id.span(),
                    format!(
                        "outcome `{}` is unreachable: no option leads to it",
                        o.id.get_ref()
                    ),
                )
                .label("unreachable");
        }
    }
}
