//! Pairing the types of two models: which type of `new` each type of `old`
//! is.
//!
//! Types are paired by name where names mean something (schema files),
//! then through the commands and events that reach them: a command's
//! arguments with the same command's arguments, a member's type with the
//! type of the member of the same name, a branch's with the branch of the
//! same case, an array's element with the element, an alternate's branch
//! with the branch of the same JSON type.  So the numbers that
//! `query-qmp-schema` shows instead of type names find their types, and
//! so do types renamed between versions (`QCryptoCipherAlgorithm` became
//! `QCryptoCipherAlgo`).  The first pairing found wins: by name, then in
//! the order of the old model's commands and events.
//!
//! Only types of the same kind pair (enum with enum, object with object,
//! ...); built-in types pair by name only.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::schema::from_introspection::json_type;
use crate::schema::{EntityId, EntityKind, Schema, TypeId};

/// For each type, command and event of `old` that has one, its counterpart
/// in `new`.  With `masked`, `old`'s type names are not compared.
pub(crate) fn correspond(old: &Schema, masked: bool, new: &Schema) -> HashMap<EntityId, EntityId> {
    let mut home = HashMap::new();
    let mut queue = VecDeque::new();
    for (old_id, entity) in old.iter() {
        let by_name = match &entity.kind {
            EntityKind::Builtin(_) | EntityKind::Command(_) | EntityKind::Event(_) => true,
            _ => !masked,
        };
        if !by_name {
            continue;
        }
        if let Some(new_id) = new.lookup(&entity.name) {
            if same_kind(old, old_id, new, new_id) {
                home.insert(old_id, new_id);
                queue.push_back((old_id, new_id));
            }
        }
    }
    let mut seen = HashSet::new();
    while let Some((old_id, new_id)) = queue.pop_front() {
        if !seen.insert((old_id, new_id)) {
            continue;
        }
        for (o, n) in children(old, old_id, new, new_id) {
            if !same_kind(old, o, new, n) || is_builtin(old, o) {
                continue;
            }
            home.entry(o).or_insert(n);
            queue.push_back((o, n));
        }
    }
    home
}

fn is_builtin(schema: &Schema, id: TypeId) -> bool {
    matches!(schema.entity(id).kind, EntityKind::Builtin(_))
}

/// Whether two entities are of a kind that can pair.
pub(crate) fn same_kind(old: &Schema, o: EntityId, new: &Schema, n: EntityId) -> bool {
    use EntityKind::*;
    match (&old.entity(o).kind, &new.entity(n).kind) {
        (Builtin(a), Builtin(b)) => a.builtin == b.builtin,
        (Enum(_), Enum(_))
        | (Array(_), Array(_))
        | (Object(_), Object(_))
        | (Alternate(_), Alternate(_))
        | (Command(_), Command(_))
        | (Event(_), Event(_)) => true,
        _ => false,
    }
}

/// The pairs of types one step inside a pair.
fn children(old: &Schema, o: EntityId, new: &Schema, n: EntityId) -> Vec<(TypeId, TypeId)> {
    use EntityKind::*;
    let mut pairs = Vec::new();
    match (&old.entity(o).kind, &new.entity(n).kind) {
        (Command(a), Command(b)) => {
            pairs.extend(a.arg_type.zip(b.arg_type));
            pairs.extend(a.ret_type.zip(b.ret_type));
        }
        (Event(a), Event(b)) => pairs.extend(a.arg_type.zip(b.arg_type)),
        (Array(a), Array(b)) => pairs.push((a.element, b.element)),
        (Object(a), Object(b)) => {
            for member in &a.members {
                if let Some(other) = b.members.iter().find(|m| m.name == member.name) {
                    pairs.push((member.ty, other.ty));
                }
            }
            if let (Some(av), Some(bv)) = (&a.variants, &b.variants) {
                for variant in &av.variants {
                    if let Some(other) = bv.variants.iter().find(|v| v.name == variant.name) {
                        pairs.push((variant.ty, other.ty));
                    }
                }
            }
        }
        (Alternate(a), Alternate(b)) => {
            for variant in &a.variants.variants {
                let kind = json_type(old, variant.ty);
                if let Some(other) = b
                    .variants
                    .variants
                    .iter()
                    .find(|v| json_type(new, v.ty) == kind)
                {
                    pairs.push((variant.ty, other.ty));
                }
            }
        }
        _ => {}
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        let parsed = crate::parse::parse_str("t.json", text, &crate::parse::NoFiles)
            .unwrap_or_else(|e| panic!("{e}"));
        Schema::build(parsed).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn renamed_types_pair_through_members() {
        let old = schema(
            "{ 'enum': 'Algorithm', 'data': ['aes'] }\n\
             { 'struct': 'Info', 'data': { 'alg': 'Algorithm', 'list': ['Item'] } }\n\
             { 'struct': 'Item', 'data': { 'x': 'int' } }\n\
             { 'command': 'query-info', 'returns': 'Info' }",
        );
        let new = schema(
            "{ 'enum': 'Algo', 'data': ['aes', 'sm4'] }\n\
             { 'struct': 'Info', 'data': { 'alg': 'Algo', 'list': ['Element'] } }\n\
             { 'struct': 'Element', 'data': { 'x': 'int' } }\n\
             { 'command': 'query-info', 'returns': 'Info' }",
        );
        let home = correspond(&old, false, &new);
        let pair = |a: &str| {
            let n = home[&old.lookup(a).unwrap()];
            new.entity(n).name.clone()
        };
        assert_eq!(pair("Algorithm"), "Algo");
        assert_eq!(pair("Item"), "Element");
        assert_eq!(pair("ItemList"), "ElementList");
        assert_eq!(pair("query-info"), "query-info");
        assert_eq!(pair("int"), "int");
    }
}
