//! Where each type is in a `query-qmp-schema` reply.
//!
//! A reply names commands and events, but shows numbers instead of type
//! names, and the numbers change from one QEMU to the next.  A type is
//! found again by the way to it from a command or event: libvirt's query
//! strings, `blockdev-add/arg-type/+file/aio-max-batch`:
//!
//! - the command's or event's name, then `arg-type` or `ret-type`;
//! - a member's name enters the member's type (arrays are entered
//!   through to their elements);
//! - `+CASE` enters the branch of a union for discriminator value `CASE`.
//!
//! A type's route is the shortest way to it (breadth first), commands and
//! events taken in the order of the schema's modules (QEMU's introspection
//! order), members in their order.  In span models, the route is the one that exists in
//! the most versions, so that it leads to the type in as many QEMUs as it
//! can.

use std::collections::{HashMap, VecDeque};

use super::VersionSet;
use crate::schema::{EntityId, EntityKind, ModuleItem, Schema, TypeId};

/// The route of every enum, object and alternate some command or event
/// reaches, by entity; commands' and events' arguments included
/// (`query-block/arg-type`).
pub(crate) fn routes(schema: &Schema) -> HashMap<EntityId, String> {
    let versions = schema.versions.as_deref();
    let all = versions.map_or(VersionSet::first(1), |v| v.all());
    let mut best: HashMap<EntityId, (String, VersionSet)> = HashMap::new();
    let mut queue = VecDeque::new();
    let reach = |best: &mut HashMap<EntityId, (String, VersionSet)>,
                 ty: TypeId,
                 route: String,
                 set: VersionSet,
                 queue: &mut VecDeque<TypeId>| {
        let ty = through_arrays(schema, ty);
        if !matches!(
            schema.entity(ty).kind,
            EntityKind::Enum(_) | EntityKind::Object(_) | EntityKind::Alternate(_)
        ) {
            return;
        }
        let better = match best.get(&ty) {
            None => true,
            Some((_, known)) => set.len() > known.len(),
        };
        if better {
            best.insert(ty, (route, set));
            queue.push_back(ty);
        }
    };
    for module in &schema.modules {
        for item in &module.items {
            let ModuleItem::Entity(id) = item else {
                continue;
            };
            let entity = schema.entity(*id);
            let set = versions.map_or(all, |v| v.of_entity(*id));
            let (arguments, returns) = match &entity.kind {
                EntityKind::Command(c) => (c.arg_type, c.ret_type),
                EntityKind::Event(e) => (e.arg_type, None),
                _ => continue,
            };
            if let Some(ty) = arguments {
                reach(
                    &mut best,
                    ty,
                    format!("{}/arg-type", entity.name),
                    set,
                    &mut queue,
                );
            }
            if let Some(ty) = returns {
                reach(
                    &mut best,
                    ty,
                    format!("{}/ret-type", entity.name),
                    set,
                    &mut queue,
                );
            }
        }
    }
    while let Some(id) = queue.pop_front() {
        let (route, set) = best[&id].clone();
        let EntityKind::Object(object) = &schema.entity(id).kind else {
            continue;
        };
        for member in &object.members {
            let step = versions.map_or(all, |v| v.of_member(member.defined_in, &member.name));
            reach(
                &mut best,
                member.ty,
                format!("{route}/{}", member.name),
                set.intersection(step),
                &mut queue,
            );
        }
        for variant in object.variants.iter().flat_map(|v| &v.variants) {
            let step = versions.map_or(all, |v| v.of_branch(id, &variant.name));
            reach(
                &mut best,
                variant.ty,
                format!("{route}/+{}", variant.name),
                set.intersection(step),
                &mut queue,
            );
        }
    }
    best.into_iter()
        .map(|(id, (route, _))| (id, route))
        .collect()
}

fn through_arrays(schema: &Schema, mut ty: TypeId) -> TypeId {
    while let EntityKind::Array(array) = &schema.entity(ty).kind {
        ty = array.element;
    }
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_members_branches_and_arrays() {
        let text = "{ 'enum': 'Kind', 'data': ['file', 'null'] }\n\
             { 'struct': 'File', 'data': { 'filename': 'str', 'tags': ['Tag'] } }\n\
             { 'struct': 'Tag', 'data': { 'name': 'str' } }\n\
             { 'union': 'Options', 'base': { 'driver': 'Kind' },\n\
               'discriminator': 'driver', 'data': { 'file': 'File' } }\n\
             { 'command': 'add', 'data': 'Options', 'boxed': true }\n\
             { 'command': 'list', 'returns': ['Tag'] }";
        let parsed = crate::parse::parse_str("t.json", text, &crate::parse::NoFiles).unwrap();
        let schema = Schema::build(parsed).unwrap();
        let routes = routes(&schema);
        let route = |name: &str| routes[&schema.lookup(name).unwrap()].as_str();
        assert_eq!(route("Options"), "add/arg-type");
        assert_eq!(route("Kind"), "add/arg-type/driver");
        assert_eq!(route("File"), "add/arg-type/+file");
        // Shortest: the list's elements.
        assert_eq!(route("Tag"), "list/ret-type");
    }
}
