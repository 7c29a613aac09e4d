//! `query-qmp-schema`: our introspection of QEMU's schema against the real
//! reply of a QEMU 10.0.2 x86_64 build (the `introspect` command:
//! `qapi-gen-cli/tests/schemas.rs`).

mod common;

use common::introspection::{
    assert_same, enabled, enabled_in, real_reply, real_schema, UNDECIDABLE,
};
use qapi_gen::introspect::introspect;
use qapi_gen::schema::{Cond, EntityKind};
use qapi_gen::Schema;

#[test]
fn real_schema_gives_qemu_10_0_2_reply() {
    let ours = introspect(&real_schema(), &enabled_in(&enabled()), false);
    assert_same(&ours, &real_reply(), "x86_64 QEMU 10.0.2");
}

/// Every condition name the schema uses, once, in no particular order.
fn condition_names(schema: &Schema) -> Vec<String> {
    fn walk(cond: &Cond, names: &mut Vec<String>) {
        match cond {
            Cond::Name(name) if !names.contains(name) => names.push(name.clone()),
            Cond::Name(_) => {}
            Cond::All(conds) | Cond::Any(conds) => conds.iter().for_each(|c| walk(c, names)),
            Cond::Not(c) => walk(c, names),
        }
    }
    let mut conds: Vec<&Cond> = Vec::new();
    for entity in &schema.entities {
        conds.extend(&entity.cond);
        conds.extend(entity.features.iter().filter_map(|f| f.cond.as_ref()));
        match &entity.kind {
            EntityKind::Enum(e) => {
                for m in &e.members {
                    conds.extend(&m.cond);
                    conds.extend(m.features.iter().filter_map(|f| f.cond.as_ref()));
                }
            }
            EntityKind::Object(o) => {
                for m in &o.members {
                    conds.extend(&m.cond);
                    conds.extend(m.features.iter().filter_map(|f| f.cond.as_ref()));
                }
                if let Some(v) = &o.variants {
                    conds.extend(v.variants.iter().filter_map(|v| v.cond.as_ref()));
                }
            }
            EntityKind::Alternate(a) => {
                conds.extend(a.variants.variants.iter().filter_map(|v| v.cond.as_ref()));
            }
            _ => {}
        }
    }
    let mut names = Vec::new();
    conds.into_iter().for_each(|c| walk(c, &mut names));
    names
}

/// How the lists were derived: from [`enabled`], switching any one name
/// (on to off, or off to on) changes the reply, except the undecidable.
#[test]
fn every_decidable_name_is_witnessed_by_the_reply() {
    let schema = real_schema();
    let reply = real_reply();
    let names = condition_names(&schema);
    assert_eq!(names.len(), 55, "condition names in the schema: {names:?}");
    let enabled = enabled();
    for name in enabled.iter().chain(UNDECIDABLE) {
        assert!(names.iter().any(|n| n == name), "{name} is not used");
    }
    for name in &names {
        let toggled: Vec<&str> = if enabled.contains(&name.as_str()) {
            enabled.iter().copied().filter(|n| n != name).collect()
        } else {
            enabled.iter().copied().chain([name.as_str()]).collect()
        };
        let ours = introspect(&schema, &enabled_in(&toggled), false);
        let decided = ours != reply;
        assert_eq!(
            decided,
            !UNDECIDABLE.contains(&name.as_str()),
            "switching {name} {} the reply",
            if decided {
                "changes"
            } else {
                "does not change"
            }
        );
    }
}
