//! Requests made from the schema tables: arguments of every command,
//! valid (required members, some optional ones, values of every type,
//! members in random order, union branches, alternate branches, nested)
//! or broken in one place (a member missing, one unexpected, a value of
//! the wrong JSON type, an integer out of its type's range, a string not
//! in its enum), at any depth.

use qapi_types::qmp::server::schema::{Object, Schema, Type};

/// A seeded random source (SplitMix64): the same seed, the same requests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// A JSON value with its members in the order they are sent.
#[derive(Clone, Debug)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Float(f) => out.push_str(&format!("{f:?}")),
            Json::Str(s) => out.push_str(&serde_json::to_string(s).expect("strings encode")),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    Json::Str(key.clone()).write(out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// How a request is broken, if it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    Missing,
    Unexpected,
    WrongType,
    OutOfRange,
    BadEnum,
}

const FAULTS: [Fault; 6] = [
    Fault::None,
    Fault::Missing,
    Fault::Unexpected,
    Fault::WrongType,
    Fault::OutOfRange,
    Fault::BadEnum,
];

/// Member names no QEMU type has.
pub const UNEXPECTED: &str = "x-differential-unexpected";

/// One command's arguments, and what was done to them.
pub struct Arguments {
    pub value: Json,
    /// The fault meant (it may not have found a place to go).
    pub fault: Fault,
    /// Whether the fault was placed.
    pub placed: bool,
    /// Whether a union's branch member comes before its discriminator.
    pub branch_first: bool,
}

/// Strings that name things this QEMU has, and some that it does not.
const STRINGS: &[&str] = &[
    "", "x", "disk0", "cdrom0", "cd0", "vdisk0", "balloon0", "/machine", "node0", "bogus id",
];

/// Nesting below which optional members and list elements are left out.
const DEEP: usize = 5;

pub struct Generator<'a> {
    pub schema: &'a Schema,
    pub rng: Rng,
    fault: Fault,
    placed: bool,
    branch_first: bool,
    /// How often (%) a fault is placed at each place it fits.
    rate: u64,
}

impl<'a> Generator<'a> {
    pub fn new(schema: &'a Schema, seed: u64) -> Generator<'a> {
        Generator {
            schema,
            rng: Rng::new(seed),
            fault: Fault::None,
            placed: false,
            branch_first: false,
            rate: 20,
        }
    }

    /// Arguments for a command whose argument type is `ty`; `valid_only`:
    /// no fault; `must_fail`: a top-level unexpected member besides any
    /// other fault, so that QEMU refuses the request before running the
    /// command whatever else it holds.
    pub fn arguments(&mut self, ty: Option<u32>, must_fail: bool) -> Arguments {
        self.fault = *self.rng.pick(&FAULTS);
        self.placed = false;
        self.branch_first = false;
        self.rate = *self.rng.pick(&[5, 20, 50]);
        let mut value = match ty {
            Some(ty) => self.value(ty, 0),
            None => Json::Object(Vec::new()),
        };
        if let Json::Object(members) = &mut value {
            let unexpected = must_fail || (self.fault == Fault::Unexpected && !self.placed);
            if unexpected && !members.iter().any(|(name, _)| name == UNEXPECTED) {
                let at = self.rng.below(members.len() + 1);
                members.insert(at, (UNEXPECTED.to_string(), Json::Int(1)));
                self.placed = true;
            }
        }
        Arguments {
            value,
            fault: self.fault,
            placed: self.placed,
            branch_first: self.branch_first,
        }
    }

    /// Whether to place the fault `fault` here.
    fn place(&mut self, fault: Fault) -> bool {
        if self.fault == fault && !self.placed && self.rng.chance(self.rate) {
            self.placed = true;
            true
        } else {
            false
        }
    }

    fn value(&mut self, ty: u32, depth: usize) -> Json {
        if self.place(Fault::WrongType) {
            return self.wrong_type(ty);
        }
        let schema = self.schema;
        match &schema.types[ty as usize] {
            Type::Str => Json::Str(self.rng.pick(STRINGS).to_string()),
            Type::Bool => Json::Bool(self.rng.chance(50)),
            Type::Null => Json::Null,
            Type::Number => self
                .rng
                .pick(&[
                    Json::Int(0),
                    Json::Float(1.5),
                    Json::Int(-7),
                    Json::Float(1e300),
                ])
                .clone(),
            Type::Any => self
                .rng
                .pick(&[
                    Json::Object(Vec::new()),
                    Json::Int(1),
                    Json::Str("x".into()),
                    Json::List(Vec::new()),
                ])
                .clone(),
            Type::Int | Type::Int64 => self.int(i64::MIN.into(), i64::MAX.into()),
            Type::Int8 => self.int(i8::MIN.into(), i8::MAX.into()),
            Type::Int16 => self.int(i16::MIN.into(), i16::MAX.into()),
            Type::Int32 => self.int(i32::MIN.into(), i32::MAX.into()),
            Type::Uint8 => self.int(0, u8::MAX.into()),
            Type::Uint16 => self.int(0, u16::MAX.into()),
            Type::Uint32 => self.int(0, u32::MAX.into()),
            Type::Uint64 | Type::Size => self.int(0, u64::MAX.into()),
            Type::Enum(e) => {
                if e.values.is_empty() || self.place(Fault::BadEnum) {
                    Json::Str("no-such-value".into())
                } else {
                    Json::Str(self.rng.pick(e.values).name.to_string())
                }
            }
            Type::Array(element) => {
                let count = if depth >= DEEP { 0 } else { self.rng.below(3) };
                Json::List(
                    (0..count)
                        .map(|_| self.value(*element, depth + 1))
                        .collect(),
                )
            }
            Type::Object(object) => self.object(object, depth),
            Type::Alternate(alternate) => {
                let branch = self.rng.pick(alternate.branches);
                self.value(branch.ty, depth)
            }
        }
    }

    /// An integer of `min..=max`: a bound, a small number, or any; one past
    /// a bound for an out-of-range fault.
    fn int(&mut self, min: i128, max: i128) -> Json {
        if self.place(Fault::OutOfRange) {
            return Json::Int(if self.rng.chance(50) {
                max + 1
            } else {
                min - 1
            });
        }
        let span = (max - min) as u128;
        let any = min + (u128::from(self.rng.next()) % (span + 1)) as i128;
        Json::Int(match self.rng.below(5) {
            0 => min,
            1 => max,
            2 => min.max(0),
            3 => min.max(1).min(max),
            _ => any,
        })
    }

    /// A value of another JSON type than `ty` takes.
    fn wrong_type(&mut self, ty: u32) -> Json {
        let candidates = [
            Json::Str("1".into()),
            Json::Int(1),
            Json::Bool(true),
            Json::Null,
            Json::List(Vec::new()),
            Json::Object(Vec::new()),
            Json::Float(0.5),
        ];
        let takes = |value: &Json| -> bool {
            match (&self.schema.types[ty as usize], value) {
                (Type::Any, _) => true,
                (Type::Str | Type::Enum(_), Json::Str(_)) => true,
                (Type::Bool, Json::Bool(_)) => true,
                (Type::Null, Json::Null) => true,
                (Type::Number, Json::Int(_) | Json::Float(_)) => true,
                (Type::Array(_), Json::List(_)) => true,
                (Type::Object(_), Json::Object(_)) => true,
                (
                    Type::Int
                    | Type::Int8
                    | Type::Int16
                    | Type::Int32
                    | Type::Int64
                    | Type::Uint8
                    | Type::Uint16
                    | Type::Uint32
                    | Type::Uint64
                    | Type::Size,
                    Json::Int(_),
                ) => true,
                (Type::Alternate(_), _) => false,
                _ => false,
            }
        };
        let others: Vec<&Json> = candidates.iter().filter(|v| !takes(v)).collect();
        if others.is_empty() {
            // `any` takes everything: nothing is of the wrong type.
            self.placed = false;
            return Json::Null;
        }
        (*self.rng.pick(&others)).clone()
    }

    fn object(&mut self, object: &Object, depth: usize) -> Json {
        let schema = self.schema;
        let mut members: Vec<(String, Json, bool)> = Vec::new();
        // The discriminator's value first, so that its branch is known.
        let tag_value = object.tag.and_then(|tag| {
            let member = object.members.iter().find(|m| m.name == tag)?;
            match &schema.types[member.ty as usize] {
                Type::Enum(e) if !e.values.is_empty() => {
                    Some(self.rng.pick(e.values).name.to_string())
                }
                _ => None,
            }
        });
        self.members(object.members, depth, &mut members, false);
        if let (Some(tag), Some(value)) = (object.tag, &tag_value) {
            for (name, json, _) in &mut members {
                if name == tag && matches!(json, Json::Str(s) if s != "no-such-value") {
                    *json = Json::Str(value.clone());
                }
            }
            let variant = object.variants.iter().find(|v| v.value == value);
            if let Some(Type::Object(branch)) = variant.map(|v| &schema.types[v.ty as usize]) {
                self.members(branch.members, depth, &mut members, true);
            }
        }
        if self.place(Fault::Unexpected) {
            members.push((UNEXPECTED.to_string(), Json::Int(1), false));
        }
        let mut order: Vec<usize> = (0..members.len()).collect();
        self.rng.shuffle(&mut order);
        if let Some(tag) = object.tag {
            let tag_at = order.iter().position(|&i| members[i].0 == tag);
            let branch_at = order.iter().position(|&i| members[i].2);
            if let (Some(tag_at), Some(branch_at)) = (tag_at, branch_at) {
                self.branch_first |= branch_at < tag_at;
            }
        }
        Json::Object(
            order
                .into_iter()
                .map(|i| (members[i].0.clone(), members[i].1.clone()))
                .collect(),
        )
    }

    /// Push the members of `list` to `out`: the required ones (but one, for
    /// a missing-member fault), and some optional ones; `branch` marks
    /// them as a union branch's.
    fn members(
        &mut self,
        list: &[qapi_types::qmp::server::schema::Member],
        depth: usize,
        out: &mut Vec<(String, Json, bool)>,
        branch: bool,
    ) {
        for member in list {
            let wanted = if member.optional {
                depth < DEEP && self.rng.chance(40)
            } else {
                !self.place(Fault::Missing)
            };
            if wanted {
                let value = self.value(member.ty, depth + 1);
                out.push((member.name.to_string(), value, branch));
            }
        }
    }
}
