//! The types at the top level, in schema order: enums (`enums`), structs
//! and unions (`objects`), alternates (`alternates`).

use super::{Gen, GenerateError};
use crate::schema::EntityKind;

impl Gen<'_> {
    /// Every named type the filter and conditions keep, in schema order.
    pub(super) fn types(&self) -> Result<String, GenerateError> {
        let mut items = Vec::new();
        for (id, entity) in self.schema.iter() {
            if !self.is_kept(id) {
                continue;
            }
            let item = match &entity.kind {
                EntityKind::Enum(e) => self.enum_item(id, entity, e),
                EntityKind::Object(o) if o.implicit => continue,
                EntityKind::Object(o) if o.variants.is_some() => self.union_item(id, entity, o)?,
                EntityKind::Object(o) => self.struct_item(id, entity, o)?,
                EntityKind::Alternate(a) => self.alternate_item(id, entity, a)?,
                _ => continue,
            };
            items.push(item);
        }
        Ok(items.join("\n"))
    }
}
