//! Which entities are generated (the `only` filter and the conditions), and
//! which by-value references must be boxed (recursive types).

use std::collections::HashSet;

use super::cond::CondPolicy;
use super::GenerateError;
use crate::schema::{EntityId, EntityKind, Schema, TypeId};

/// How an entity refers to a type; the order is the preference for boxing
/// (last: most willingly).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    /// Through a list, or from a command or event: never inline.
    Indirect,
    Required,
    Optional,
    UnionBranch,
    AlternateBranch,
}

/// The types an entity refers to, and how.  Members and branches the
/// conditions drop are skipped.
fn references(schema: &Schema, conds: &CondPolicy, id: EntityId) -> Vec<(TypeId, Edge)> {
    let mut refs = Vec::new();
    let push =
        |ty: TypeId, edge: Edge, refs: &mut Vec<(TypeId, Edge)>| match &schema.entity(ty).kind {
            EntityKind::Array(array) => refs.push((array.element, Edge::Indirect)),
            _ => refs.push((ty, edge)),
        };
    match &schema.entity(id).kind {
        EntityKind::Object(object) => {
            for member in &object.members {
                if conds.keeps(member.cond.as_ref()) {
                    let edge = if member.optional {
                        Edge::Optional
                    } else {
                        Edge::Required
                    };
                    push(member.ty, edge, &mut refs);
                }
            }
            if let Some(variants) = &object.variants {
                if let Some(tag) = variants.tag_type {
                    push(tag, Edge::Required, &mut refs);
                }
                for variant in &variants.variants {
                    if conds.keeps(variant.cond.as_ref()) {
                        push(variant.ty, Edge::UnionBranch, &mut refs);
                    }
                }
            }
        }
        EntityKind::Alternate(alternate) => {
            for variant in &alternate.variants.variants {
                if conds.keeps(variant.cond.as_ref()) {
                    push(variant.ty, Edge::AlternateBranch, &mut refs);
                }
            }
        }
        EntityKind::Command(command) => {
            refs.extend(command.arg_type.map(|t| (t, Edge::Indirect)));
            if let Some(ret) = command.ret_type {
                push(ret, Edge::Indirect, &mut refs);
            }
        }
        EntityKind::Event(event) => refs.extend(event.arg_type.map(|t| (t, Edge::Indirect))),
        EntityKind::Array(array) => refs.push((array.element, Edge::Indirect)),
        EntityKind::Builtin(_) | EntityKind::Enum(_) => {}
    }
    refs
}

/// For each entity, whether it is generated: the conditions keep it and,
/// with `only`, a named command or event reaches it.
pub(crate) fn kept(
    schema: &Schema,
    conds: &CondPolicy,
    only: &[String],
) -> Result<Vec<bool>, GenerateError> {
    let mut kept = vec![false; schema.entities.len()];
    let mut work: Vec<EntityId> = Vec::new();
    if only.is_empty() {
        work.extend(schema.iter().map(|(id, _)| id));
    } else {
        for name in only {
            match schema.lookup(name) {
                Some(id)
                    if matches!(
                        schema.entity(id).kind,
                        EntityKind::Command(_) | EntityKind::Event(_)
                    ) =>
                {
                    work.push(id)
                }
                _ => {
                    return Err(GenerateError::setting(
                        "only",
                        format!("'{name}' is not a command or event of the schema"),
                    ))
                }
            }
        }
    }
    while let Some(id) = work.pop() {
        let index = id.0 as usize;
        if kept[index] || !conds.keeps(schema.entity(id).cond.as_ref()) {
            continue;
        }
        kept[index] = true;
        work.extend(references(schema, conds, id).into_iter().map(|(ty, _)| ty));
    }
    Ok(kept)
}

/// The by-value references `(from, to)` to box so that no type contains
/// itself.  Only references inside a strongly connected component of the
/// "holds inline" graph can close a cycle; of those, they are kept inline
/// greedily, least willing to box first (required members, then optional
/// ones, union branches, alternate branches), unless that would close a
/// cycle: so `BlockdevRef::Definition(Box<BlockdevOptions>)` is boxed rather
/// than the members that lead back to it.
pub(crate) fn boxed_edges(schema: &Schema, conds: &CondPolicy) -> HashSet<(EntityId, TypeId)> {
    let n = schema.entities.len();
    let edges: Vec<Vec<(TypeId, Edge)>> = (0..n)
        .map(|i| {
            let id = EntityId(i as u32);
            match schema.entity(id).kind {
                EntityKind::Object(_) | EntityKind::Alternate(_) => references(schema, conds, id)
                    .into_iter()
                    .filter(|&(_, edge)| edge != Edge::Indirect)
                    .collect(),
                _ => Vec::new(),
            }
        })
        .collect();
    let targets: Vec<Vec<TypeId>> = edges
        .iter()
        .map(|list| list.iter().map(|&(ty, _)| ty).collect())
        .collect();
    let component = components(&targets);
    let mut candidates: Vec<(Edge, usize, usize)> = Vec::new();
    for (from, list) in edges.iter().enumerate() {
        for &(to, edge) in list {
            if component[from] == component[to.0 as usize] {
                candidates.push((edge, from, to.0 as usize));
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    let mut inline: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut boxed = HashSet::new();
    for (_, from, to) in candidates {
        if from == to || reaches(&inline, to, from) {
            boxed.insert((EntityId(from as u32), EntityId(to as u32)));
        } else {
            inline[from].push(to);
        }
    }
    boxed
}

/// Whether `to` can be reached from `from` in `graph`.
fn reaches(graph: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; graph.len()];
    let mut work = vec![from];
    while let Some(node) = work.pop() {
        if node == to {
            return true;
        }
        if !std::mem::replace(&mut seen[node], true) {
            work.extend(&graph[node]);
        }
    }
    false
}

/// Strongly connected components (Tarjan's algorithm, iterative): a
/// component number per node; nodes alone without a self-edge get a
/// component of their own that no edge stays in.
fn components(edges: &[Vec<TypeId>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![UNSEEN; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, position in its edge list)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(node, pos)) = call.last() {
            if pos < edges[node].len() {
                let to = edges[node][pos].0 as usize;
                if let Some(top) = call.last_mut() {
                    top.1 += 1;
                }
                if index[to] == UNSEEN {
                    index[to] = next_index;
                    low[to] = next_index;
                    next_index += 1;
                    stack.push(to);
                    on_stack[to] = true;
                    call.push((to, 0));
                } else if on_stack[to] {
                    low[node] = low[node].min(index[to]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    // A node alone in its component is only recursive through a self-edge,
    // which the caller sees as an edge within the component: correct.
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[&[u32]]) -> Vec<Vec<TypeId>> {
        list.iter()
            .map(|targets| targets.iter().map(|&t| EntityId(t)).collect())
            .collect()
    }

    #[test]
    fn cycles_share_a_component() {
        // 0 → 1 → 2 → 0, 3 → 0, 4 → 4
        let c = components(&edges(&[&[1], &[2], &[0], &[0], &[4]]));
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[3], c[0]);
        assert_ne!(c[4], c[0]);
        assert_ne!(c[4], c[3]);
    }
}
