//! Schema-valid replies made from a command's return type, for commands
//! the corpus has no recording of: the smallest value of the type (the
//! required members only, empty lists, zeros, empty strings, `false`, an
//! enum's first value, a union's first branch, an alternate's first).

use qapi_types::qmp::server::schema::{Object, Schema, Type};
use qapi_types::qmp::server::{QDict, QObject};

/// Types deeper than this are not expanded (`null`): a schema cannot
/// require an infinitely deep value, but a malformed one might.
const MAX_DEPTH: usize = 64;

/// The smallest value of type `ty` of `schema`.
pub fn smallest(schema: &Schema, ty: u32, depth: usize) -> QObject {
    let Some(entry) = schema.types.get(ty as usize) else {
        return QObject::Null;
    };
    if depth > MAX_DEPTH {
        return QObject::Null;
    }
    match entry {
        Type::Str => QObject::Str(String::new()),
        Type::Bool => QObject::Bool(false),
        Type::Null => QObject::Null,
        Type::Any => QObject::Dict(QDict::new()),
        Type::Number => QObject::Int(0),
        Type::Enum(e) => QObject::Str(e.values.first().map_or("", |v| v.name).to_string()),
        Type::Array(_) => QObject::List(Vec::new()),
        Type::Object(object) => {
            let mut dict = QDict::new();
            required_members(schema, object, &mut dict, depth);
            QObject::Dict(dict)
        }
        Type::Alternate(alternate) => match alternate.branches.first() {
            Some(branch) => smallest(schema, branch.ty, depth + 1),
            None => QObject::Null,
        },
        // The integer types.
        _ => QObject::Int(0),
    }
}

fn required_members(schema: &Schema, object: &Object, dict: &mut QDict, depth: usize) {
    for member in object.members.iter().filter(|m| !m.optional) {
        dict.insert(
            member.name.to_string(),
            smallest(schema, member.ty, depth + 1),
        );
    }
    let Some(tag) = object.tag else {
        return;
    };
    let value = dict.get(tag).and_then(QObject::as_str).map(str::to_string);
    let variant = object
        .variants
        .iter()
        .find(|v| Some(v.value) == value.as_deref());
    if let Some(Type::Object(branch)) = variant.and_then(|v| schema.types.get(v.ty as usize)) {
        required_members(schema, branch, dict, depth + 1);
    }
}
