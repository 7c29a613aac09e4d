//! Requests made from the schema tables: arguments of every command,
//! valid (required members, some optional ones, values of every type,
//! members in random order, union branches, alternate branches, nested)
//! or broken in one place (a member missing, one unexpected, a value of
//! the wrong JSON type, an integer out of its type's range, a string not
//! in its enum), at any depth.

use qapi_types::qmp::server::schema::{Member, Object, Schema, Type};
use qapi_types::qmp::server::{QDict, QObject};

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

/// An integer as QEMU's parser takes it: `int64`, `uint64`, or beyond both
/// a double (what QEMU makes of `18446744073709551616`).
fn integer(value: i128) -> QObject {
    if let Ok(value) = i64::try_from(value) {
        QObject::Int(value)
    } else if let Ok(value) = u64::try_from(value) {
        QObject::Uint(value)
    } else {
        QObject::Double(value as f64)
    }
}

fn dict_of(members: Vec<(String, QObject)>) -> QObject {
    let mut dict = QDict::new();
    for (name, value) in members {
        dict.insert(name, value);
    }
    QObject::Dict(dict)
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
    /// An object, members in the order to send them.
    pub value: QObject,
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
            None => QObject::Dict(QDict::new()),
        };
        if let QObject::Dict(dict) = &value {
            let unexpected = must_fail || (self.fault == Fault::Unexpected && !self.placed);
            if unexpected && !dict.contains_key(UNEXPECTED) {
                let mut members: Vec<(String, QObject)> = dict
                    .iter()
                    .map(|(name, member)| (name.to_string(), member.clone()))
                    .collect();
                let at = self.rng.below(members.len() + 1);
                members.insert(at, (UNEXPECTED.to_string(), QObject::Int(1)));
                value = dict_of(members);
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

    fn value(&mut self, ty: u32, depth: usize) -> QObject {
        if self.place(Fault::WrongType) {
            return self.wrong_type(ty);
        }
        let schema = self.schema;
        let entry = &schema.types[ty as usize];
        match entry {
            Type::Str => QObject::Str(self.rng.pick(STRINGS).to_string()),
            Type::Bool => QObject::Bool(self.rng.chance(50)),
            Type::Null => QObject::Null,
            Type::Number => self
                .rng
                .pick(&[
                    QObject::Int(0),
                    QObject::Double(1.5),
                    QObject::Int(-7),
                    QObject::Double(1e300),
                ])
                .clone(),
            Type::Any => self
                .rng
                .pick(&[
                    QObject::Dict(QDict::new()),
                    QObject::Int(1),
                    QObject::Str("x".into()),
                    QObject::List(Vec::new()),
                ])
                .clone(),
            Type::Int8 => self.int(i8::MIN.into(), i8::MAX.into()),
            Type::Int16 => self.int(i16::MIN.into(), i16::MAX.into()),
            Type::Int32 => self.int(i32::MIN.into(), i32::MAX.into()),
            Type::Uint8 => self.int(0, u8::MAX.into()),
            Type::Uint16 => self.int(0, u16::MAX.into()),
            Type::Uint32 => self.int(0, u32::MAX.into()),
            Type::Uint64 | Type::Size => self.int(0, u64::MAX.into()),
            Type::Enum(e) => {
                if e.values.is_empty() || self.place(Fault::BadEnum) {
                    QObject::Str("no-such-value".into())
                } else {
                    QObject::Str(self.rng.pick(e.values).name.to_string())
                }
            }
            Type::Array(element) => {
                let count = if depth >= DEEP { 0 } else { self.rng.below(3) };
                QObject::List(
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
            // `int` and `int64`.
            _ => self.int(i64::MIN.into(), i64::MAX.into()),
        }
    }

    /// An integer of `min..=max`: a bound, a small number, or any; one past
    /// a bound for an out-of-range fault.
    fn int(&mut self, min: i128, max: i128) -> QObject {
        if self.place(Fault::OutOfRange) {
            return integer(if self.rng.chance(50) {
                max + 1
            } else {
                min - 1
            });
        }
        let span = (max - min) as u128;
        let any = min + (u128::from(self.rng.next()) % (span + 1)) as i128;
        integer(match self.rng.below(5) {
            0 => min,
            1 => max,
            2 => min.max(0),
            3 => min.max(1).min(max),
            _ => any,
        })
    }

    /// A value of another JSON type than `ty` takes.
    fn wrong_type(&mut self, ty: u32) -> QObject {
        let candidates = [
            QObject::Str("1".into()),
            QObject::Int(1),
            QObject::Bool(true),
            QObject::Null,
            QObject::List(Vec::new()),
            QObject::Dict(QDict::new()),
            QObject::Double(0.5),
        ];
        let entry = &self.schema.types[ty as usize];
        let takes = |value: &QObject| -> bool {
            match (entry, value) {
                (Type::Any, _) => true,
                (Type::Str | Type::Enum(_), QObject::Str(_)) => true,
                (Type::Bool, QObject::Bool(_)) => true,
                (Type::Null, QObject::Null) => true,
                (Type::Number, QObject::Int(_) | QObject::Double(_)) => true,
                (Type::Array(_), QObject::List(_)) => true,
                (Type::Object(_), QObject::Dict(_)) => true,
                (_, QObject::Int(_)) => entry.is_integer(),
                _ => false,
            }
        };
        let others: Vec<&QObject> = candidates.iter().filter(|v| !takes(v)).collect();
        if others.is_empty() {
            // `any` takes everything: nothing is of the wrong type.
            self.placed = false;
            return QObject::Null;
        }
        (*self.rng.pick(&others)).clone()
    }

    fn object(&mut self, object: &Object, depth: usize) -> QObject {
        let schema = self.schema;
        let mut members: Vec<(String, QObject, bool)> = Vec::new();
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
                if name == tag && matches!(json, QObject::Str(s) if s != "no-such-value") {
                    *json = QObject::Str(value.clone());
                }
            }
            let variant = object.variants.iter().find(|v| v.value == value);
            if let Some(Type::Object(branch)) = variant.map(|v| &schema.types[v.ty as usize]) {
                self.members(branch.members, depth, &mut members, true);
            }
        }
        if self.place(Fault::Unexpected) {
            members.push((UNEXPECTED.to_string(), QObject::Int(1), false));
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
        dict_of(
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
        list: &[Member],
        depth: usize,
        out: &mut Vec<(String, QObject, bool)>,
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
