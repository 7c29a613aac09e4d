//! QEMU's checking of command arguments: its QObject input visitor
//! (`qobject-input-visitor.c`, `qapi-visit-core.c`) driven the way its
//! generated `visit_type_*` functions drive it, over the schema tables.
//!
//! What decides the answer, as in QEMU:
//! - members are visited in schema order (base first, then a union's
//!   branch), so the first member in that order that is missing or wrong
//!   is reported;
//! - members that are not in the schema are reported only once every known
//!   member is good, and the one reported is the first left in GLib's hash
//!   table ([`GHashSet`]);
//! - most messages name the member by its path (`a.b[2].c`), but integer
//!   range, enum and alternate messages name it by its bare name, or
//!   `null` inside a list.
//!
//! [`prune`] is the output side of the compatibility policy: it drops
//! members whose features the policy hides.

use super::hash::GHashSet;
use super::qobject::{QDict, QObject};
use super::schema::{Object, Schema, Type, DEPRECATED, UNSTABLE};

/// `Deprecated`/`Unstable` `kind` `name` `disabled by policy`, for the
/// first special feature in `special & reject` (QEMU checks deprecated
/// first).
pub(crate) fn policy_error(special: u8, reject: u8, kind: &str, name: &str) -> Option<String> {
    let adjective = if special & reject & DEPRECATED != 0 {
        "Deprecated"
    } else if special & reject & UNSTABLE != 0 {
        "Unstable"
    } else {
        return None;
    };
    Some(format!("{adjective} {kind} {name} disabled by policy"))
}

/// Check `args` against the members of object type `ty` (`None`: no
/// members), as QEMU's `qmp_marshal_*` does before calling a command;
/// `reject` holds the feature bits whose input the policy rejects.
pub(crate) fn check_arguments(
    schema: &Schema,
    ty: Option<u32>,
    args: &QDict,
    reject: u8,
) -> Result<(), String> {
    let mut visitor = InputVisitor {
        schema,
        reject,
        stack: vec![Level::Dict {
            name: None,
            dict: args,
            consumed: Vec::new(),
        }],
    };
    if let Some(ty) = ty {
        if let Type::Object(object) = &schema.types[ty as usize] {
            visitor.members(object)?;
        }
    }
    visitor.check_struct()
}

impl Schema {
    /// Check `members` against object type `ty` (`None`: no members) as
    /// QEMU checks a command's arguments: `Err` holds QEMU's message.  For
    /// values made elsewhere than in a request (an event's data in a
    /// script, a recorded reply).
    pub fn check_members(&self, ty: Option<u32>, members: &QDict) -> Result<(), String> {
        check_arguments(self, ty, members, 0)
    }
}

enum Level<'a> {
    Dict {
        name: Option<&'a str>,
        dict: &'a QDict,
        /// Indices of the members visited, in visiting order.
        consumed: Vec<usize>,
    },
    List {
        name: Option<&'a str>,
        items: &'a [QObject],
        /// The element being visited.
        current: Option<usize>,
        next: usize,
    },
}

struct InputVisitor<'a> {
    schema: &'a Schema,
    reject: u8,
    stack: Vec<Level<'a>>,
}

impl<'a> InputVisitor<'a> {
    /// QEMU's `full_name()`: the path of `name` in the value being visited.
    fn full_name(&self, name: Option<&str>) -> String {
        let mut text = String::new();
        let mut name = name;
        for level in self.stack.iter().rev() {
            match level {
                Level::Dict { name: own, .. } => {
                    text.insert_str(0, name.unwrap_or("<anonymous>"));
                    text.insert(0, '.');
                    name = *own;
                }
                Level::List {
                    name: own, current, ..
                } => {
                    // QEMU counts from -1 before the first element.
                    let index = current.map_or(u32::MAX, |i| i as u32);
                    text.insert_str(0, &format!("[{index}]"));
                    name = *own;
                }
            }
        }
        if let Some(name) = name {
            text.insert_str(0, name);
        } else if text.starts_with('.') {
            text.remove(0);
        } else if text.is_empty() {
            return "<anonymous>".to_string();
        }
        text
    }

    /// The bare name QEMU uses in some messages (`name ? name : "null"`).
    fn bare(name: Option<&str>) -> &str {
        name.unwrap_or("null")
    }

    /// The value of `name` in the container being visited; `consume`
    /// marks it visited.
    fn get(&mut self, name: Option<&str>, consume: bool) -> Option<&'a QObject> {
        match self.stack.last_mut()? {
            Level::Dict { dict, consumed, .. } => {
                let index = dict.index_of(name?)?;
                if consume {
                    consumed.push(index);
                }
                Some(dict.entry(index).1)
            }
            Level::List {
                items,
                current,
                next,
                ..
            } => {
                let item = items.get(*next)?;
                if consume {
                    *current = Some(*next);
                    *next += 1;
                }
                Some(item)
            }
        }
    }

    fn present(&self, name: &str) -> bool {
        match self.stack.last() {
            Some(Level::Dict { dict, .. }) => dict.contains_key(name),
            _ => false,
        }
    }

    fn required(&mut self, name: Option<&str>, consume: bool) -> Result<&'a QObject, String> {
        match self.get(name, consume) {
            Some(value) => Ok(value),
            None => Err(format!("Parameter '{}' is missing", self.full_name(name))),
        }
    }

    fn invalid_type(&self, name: Option<&str>, expected: &str) -> String {
        format!(
            "Invalid parameter type for '{}', expected: {expected}",
            self.full_name(name)
        )
    }

    fn members(&mut self, object: &Object) -> Result<(), String> {
        for member in object.members {
            if member.optional && !self.present(member.name) {
                continue;
            }
            if let Some(error) = policy_error(member.special, self.reject, "parameter", member.name)
            {
                return Err(error);
            }
            self.value(member.ty, Some(member.name))?;
        }
        let Some(tag) = object.tag else {
            return Ok(());
        };
        let value = match self.stack.last() {
            Some(Level::Dict { dict, .. }) => dict.get(tag).and_then(QObject::as_str),
            _ => None,
        };
        let branch = object.variants.iter().find(|v| Some(v.value) == value);
        if let Some(branch) = branch {
            if let Type::Object(branch) = &self.schema.types[branch.ty as usize] {
                self.members(branch)?;
            }
        }
        Ok(())
    }

    /// `visit_check_struct()`: no member left unvisited.
    fn check_struct(&self) -> Result<(), String> {
        let Some(Level::Dict { dict, consumed, .. }) = self.stack.last() else {
            return Ok(());
        };
        if consumed.len() == dict.len() {
            return Ok(());
        }
        let mut keys = GHashSet::new();
        for index in dict.qemu_order() {
            keys.insert(dict.entry(index).0);
        }
        for &index in consumed {
            keys.remove(dict.entry(index).0);
        }
        match keys.first() {
            Some(key) => Err(format!(
                "Parameter '{}' is unexpected",
                self.full_name(Some(key))
            )),
            None => Ok(()),
        }
    }

    fn object(&mut self, object: &Object, name: Option<&'a str>) -> Result<(), String> {
        let value = self.required(name, true)?;
        let QObject::Dict(dict) = value else {
            return Err(self.invalid_type(name, "object"));
        };
        self.stack.push(Level::Dict {
            name,
            dict,
            consumed: Vec::new(),
        });
        self.members(object)?;
        self.check_struct()?;
        self.stack.pop();
        Ok(())
    }

    fn int(&mut self, name: Option<&str>) -> Result<i64, String> {
        let value = self.required(name, true)?;
        value
            .as_i64()
            .ok_or_else(|| self.invalid_type(name, "integer"))
    }

    /// QEMU's `uint64` also takes negative integers, as two's complement.
    fn uint(&mut self, name: Option<&str>) -> Result<u64, String> {
        let value = self.required(name, true)?;
        value
            .as_u64()
            .or_else(|| value.as_i64().map(|v| v as u64))
            .ok_or_else(|| format!("Parameter '{}' expects uint64", self.full_name(name)))
    }

    fn int_range(
        &mut self,
        name: Option<&str>,
        min: i64,
        max: i64,
        c_type: &str,
    ) -> Result<(), String> {
        let value = self.int(name)?;
        if value < min || value > max {
            return Err(format!("Parameter '{}' expects {c_type}", Self::bare(name)));
        }
        Ok(())
    }

    fn uint_range(&mut self, name: Option<&str>, max: u64, c_type: &str) -> Result<(), String> {
        if self.uint(name)? > max {
            return Err(format!("Parameter '{}' expects {c_type}", Self::bare(name)));
        }
        Ok(())
    }

    fn of_kind(
        &mut self,
        name: Option<&str>,
        ok: fn(&QObject) -> bool,
        expected: &str,
    ) -> Result<(), String> {
        let value = self.required(name, true)?;
        if ok(value) {
            Ok(())
        } else {
            Err(self.invalid_type(name, expected))
        }
    }

    /// `visit_type_<T>(v, name, ...)` for the type with index `ty`.
    fn value(&mut self, ty: u32, name: Option<&'a str>) -> Result<(), String> {
        let schema = self.schema;
        match &schema.types[ty as usize] {
            Type::Str => self.of_kind(name, |v| matches!(v, QObject::Str(_)), "string"),
            Type::Bool => self.of_kind(name, |v| matches!(v, QObject::Bool(_)), "boolean"),
            Type::Null => self.of_kind(name, |v| matches!(v, QObject::Null), "null"),
            Type::Number => self.of_kind(
                name,
                |v| matches!(v, QObject::Int(_) | QObject::Uint(_) | QObject::Double(_)),
                "number",
            ),
            Type::Any => self.required(name, true).map(drop),
            Type::Int | Type::Int64 => self.int(name).map(drop),
            Type::Int8 => self.int_range(name, i8::MIN.into(), i8::MAX.into(), "int8_t"),
            Type::Int16 => self.int_range(name, i16::MIN.into(), i16::MAX.into(), "int16_t"),
            Type::Int32 => self.int_range(name, i32::MIN.into(), i32::MAX.into(), "int32_t"),
            Type::Uint64 | Type::Size => self.uint(name).map(drop),
            Type::Uint8 => self.uint_range(name, u8::MAX.into(), "uint8_t"),
            Type::Uint16 => self.uint_range(name, u16::MAX.into(), "uint16_t"),
            Type::Uint32 => self.uint_range(name, u32::MAX.into(), "uint32_t"),
            Type::Enum(info) => {
                let value = self.required(name, true)?;
                let QObject::Str(text) = value else {
                    return Err(self.invalid_type(name, "string"));
                };
                let Some(known) = info.values.iter().find(|v| v.name == text) else {
                    return Err(format!(
                        "Parameter '{}' does not accept value '{text}'",
                        Self::bare(name)
                    ));
                };
                match policy_error(known.special, self.reject, "value", text) {
                    Some(error) => Err(error),
                    None => Ok(()),
                }
            }
            Type::Array(element) => {
                let value = self.required(name, true)?;
                let QObject::List(items) = value else {
                    return Err(self.invalid_type(name, "array"));
                };
                self.stack.push(Level::List {
                    name,
                    items,
                    current: None,
                    next: 0,
                });
                for _ in 0..items.len() {
                    self.value(*element, None)?;
                }
                self.stack.pop();
                Ok(())
            }
            Type::Object(object) => self.object(object, name),
            Type::Alternate(alternate) => {
                let value = self.required(name, false)?;
                let qtype = value.qtype();
                let Some(branch) = alternate.branches.iter().find(|b| b.qtype == qtype) else {
                    return Err(format!(
                        "Invalid parameter type for '{}', expected: {}",
                        Self::bare(name),
                        alternate.name
                    ));
                };
                match &schema.types[branch.ty as usize] {
                    Type::Object(object) => self.object(object, name),
                    _ => self.value(branch.ty, name),
                }
            }
        }
    }
}

/// Remove from `value`, of type `ty`, the members whose features are in
/// `hide` (QEMU's output visitor under `-compat deprecated-output=hide`).
pub(crate) fn prune(schema: &Schema, ty: u32, value: &mut QObject, hide: u8) {
    match (&schema.types[ty as usize], value) {
        (Type::Object(object), QObject::Dict(dict)) => prune_members(schema, object, dict, hide),
        (Type::Array(element), QObject::List(items)) => {
            for item in items {
                prune(schema, *element, item, hide);
            }
        }
        (Type::Alternate(alternate), value) => {
            let qtype = value.qtype();
            if let Some(branch) = alternate.branches.iter().find(|b| b.qtype == qtype) {
                prune(schema, branch.ty, value, hide);
            }
        }
        _ => {}
    }
}

fn prune_members(schema: &Schema, object: &Object, dict: &mut QDict, hide: u8) {
    for member in object.members {
        if member.special & hide != 0 {
            dict.remove(member.name);
        } else if let Some(index) = dict.index_of(member.name) {
            prune(schema, member.ty, dict.entry_mut(index), hide);
        }
    }
    let Some(tag) = object.tag else {
        return;
    };
    let value = dict.get(tag).and_then(QObject::as_str).map(str::to_owned);
    let branch = object
        .variants
        .iter()
        .find(|v| Some(v.value) == value.as_deref());
    if let Some(branch) = branch {
        if let Type::Object(branch) = &schema.types[branch.ty as usize] {
            prune_members(schema, branch, dict, hide);
        }
    }
}
