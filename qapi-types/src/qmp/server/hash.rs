//! The two hash tables whose iteration order shows in QEMU's answers.
//!
//! - A `QDict` iterates by bucket of `tdb_hash(key) % 512`, the newest
//!   entry first within a bucket: it decides which member of a request QEMU
//!   checks first (`qmp_dispatch_check_obj`) and the order in which QEMU
//!   prints a dictionary.
//! - QEMU's input visitor copies a dictionary's keys into a GLib
//!   `GHashTable` and removes each key it visits; the first key left when
//!   iterating is the one reported as unexpected.  [`GHashSet`] replays
//!   GLib's (2.74) open addressing, growth and shrinking to find it.
//!
//! Keys are hashed as QEMU stores them: UTF-8, with U+0000 as `\xC0\x80`.

/// QEMU's `QDICT_BUCKET_MAX`.
const DICT_BUCKETS: u32 = 512;

/// The bytes of `key` as a C string in QEMU's modified UTF-8.
fn qemu_bytes(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.bytes().flat_map(|b| {
        let pair: &[u8] = if b == 0 { &[0xC0, 0x80] } else { &[] };
        let single = if b == 0 { None } else { Some(b) };
        pair.iter().copied().chain(single)
    })
}

/// QEMU's `tdb_hash()`.
fn tdb_hash(key: &str) -> u32 {
    let len = qemu_bytes(key).count() as u32;
    let mut value = 0x238F_13AFu32.wrapping_mul(len);
    for (i, byte) in qemu_bytes(key).enumerate() {
        let shift = (i as u32).wrapping_mul(5) % 24;
        value = value.wrapping_add(u32::from(byte) << shift);
    }
    1_103_515_243u32.wrapping_mul(value).wrapping_add(12345)
}

/// The `QDict` bucket of `key`.
pub(crate) fn dict_bucket(key: &str) -> u32 {
    tdb_hash(key) % DICT_BUCKETS
}

/// GLib's `g_str_hash()` (djb2 over signed chars).
fn g_str_hash(key: &str) -> u32 {
    qemu_bytes(key).fold(5381u32, |h, byte| {
        (h << 5)
            .wrapping_add(h)
            .wrapping_add(byte as i8 as i32 as u32)
    })
}

const UNUSED: u32 = 0;
const TOMBSTONE: u32 = 1;
const MIN_SHIFT: u32 = 3;

/// GLib's `prime_mod` table: the modulus for each table size.
const PRIME_MOD: [u32; 32] = [
    1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
    262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689,
    268435399, 536870909, 1073741789, 2147483647,
];

/// A GLib `GHashTable` of string keys, reduced to what decides its
/// iteration order: the slot of every key.
pub(crate) struct GHashSet<'k> {
    hashes: Vec<u32>,
    keys: Vec<Option<&'k str>>,
    modulus: u32,
    mask: u32,
    nodes: usize,
    occupied: usize,
}

impl<'k> GHashSet<'k> {
    pub(crate) fn new() -> GHashSet<'k> {
        let mut set = GHashSet {
            hashes: Vec::new(),
            keys: Vec::new(),
            modulus: 0,
            mask: 0,
            nodes: 0,
            occupied: 0,
        };
        set.set_shift(MIN_SHIFT);
        set.hashes = vec![UNUSED; set.size()];
        set.keys = vec![None; set.size()];
        set
    }

    fn size(&self) -> usize {
        self.mask as usize + 1
    }

    fn set_shift(&mut self, shift: u32) {
        self.modulus = PRIME_MOD[shift as usize];
        self.mask = (1u32 << shift) - 1;
    }

    fn to_index(&self, hash: u32) -> u32 {
        hash.wrapping_mul(11) % self.modulus
    }

    /// `g_hash_table_lookup_node`: the key's slot, or where to insert it.
    fn lookup(&self, key: &str) -> (usize, u32) {
        let mut hash = g_str_hash(key);
        if hash <= TOMBSTONE {
            hash = 2;
        }
        let mut index = self.to_index(hash);
        let mut first_tombstone = None;
        let mut step = 0u32;
        loop {
            let node = self.hashes[index as usize];
            if node == UNUSED {
                break;
            }
            if node == hash && self.keys[index as usize] == Some(key) {
                return (index as usize, hash);
            }
            if node == TOMBSTONE && first_tombstone.is_none() {
                first_tombstone = Some(index);
            }
            step += 1;
            index = index.wrapping_add(step) & self.mask;
        }
        (first_tombstone.unwrap_or(index) as usize, hash)
    }

    /// `g_hash_table_insert`.
    pub(crate) fn insert(&mut self, key: &'k str) {
        let (index, hash) = self.lookup(key);
        let old = self.hashes[index];
        if old > TOMBSTONE {
            return;
        }
        self.hashes[index] = hash;
        self.keys[index] = Some(key);
        self.nodes += 1;
        if old == UNUSED {
            self.occupied += 1;
            self.maybe_resize();
        }
    }

    /// `g_hash_table_remove`.
    pub(crate) fn remove(&mut self, key: &str) {
        let (index, _) = self.lookup(key);
        if self.hashes[index] <= TOMBSTONE {
            return;
        }
        self.hashes[index] = TOMBSTONE;
        self.keys[index] = None;
        self.nodes -= 1;
        self.maybe_resize();
    }

    /// The first key an iteration yields.
    pub(crate) fn first(&self) -> Option<&'k str> {
        self.hashes
            .iter()
            .zip(&self.keys)
            .find(|(hash, _)| **hash > TOMBSTONE)
            .and_then(|(_, key)| *key)
    }

    /// Every key in iteration order.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> Vec<&'k str> {
        self.hashes
            .iter()
            .zip(&self.keys)
            .filter(|(hash, _)| **hash > TOMBSTONE)
            .filter_map(|(_, key)| *key)
            .collect()
    }

    fn maybe_resize(&mut self) {
        let size = self.size();
        let too_sparse = size > self.nodes * 4 && size > 1 << MIN_SHIFT;
        let too_full = size <= self.occupied + self.occupied / 16;
        if too_sparse || too_full {
            self.resize();
        }
    }

    /// `g_hash_table_resize`: GLib relocates the nodes in place, evicting
    /// the occupant of a target slot and placing it next; the slots filled
    /// so far are marked in a bitmap.
    fn resize(&mut self) {
        let old_size = self.size();
        let wanted = (self.nodes as f64 * 1.333) as u32;
        let shift = (u32::BITS - wanted.leading_zeros()).max(MIN_SHIFT);
        self.set_shift(shift);
        let new_size = self.size();
        if new_size > old_size {
            self.hashes.resize(new_size, UNUSED);
            self.keys.resize(new_size, None);
        }
        let mut placed = vec![false; new_size.max(old_size)];
        for i in 0..old_size {
            let mut hash = self.hashes[i];
            if hash <= TOMBSTONE {
                self.hashes[i] = UNUSED;
                continue;
            }
            if placed[i] {
                continue;
            }
            self.hashes[i] = UNUSED;
            let mut key = self.keys[i].take();
            loop {
                let mut index = self.to_index(hash);
                let mut step = 0u32;
                while placed[index as usize] {
                    step += 1;
                    index = index.wrapping_add(step) & self.mask;
                }
                let index = index as usize;
                placed[index] = true;
                let replaced = self.hashes[index];
                self.hashes[index] = hash;
                let evicted = std::mem::replace(&mut self.keys[index], key);
                if replaced <= TOMBSTONE {
                    break;
                }
                hash = replaced;
                key = evicted;
            }
        }
        if new_size < old_size {
            self.hashes.truncate(new_size);
            self.keys.truncate(new_size);
        }
        self.occupied = self.nodes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Orders recorded from GLib 2.74 itself (through Python's ctypes):
    /// insert the keys, remove some, iterate.
    #[test]
    fn iteration_order_matches_glib() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (
                &["a", "b", "c", "bogus", "extra"],
                &[],
                &["extra", "b", "bogus", "a", "c"],
            ),
            (
                &[
                    "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11",
                    "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19",
                ],
                &["k3", "k5"],
                &[
                    "k7", "k11", "k14", "k2", "k17", "k8", "k12", "k0", "k15", "k18", "k6", "k9",
                    "k10", "k13", "k1", "k16", "k4", "k19",
                ],
            ),
        ];
        // Growth to 64 slots, then shrinking as keys go.
        let many: Vec<String> = (0..30).map(|i| format!("m{i}")).collect();
        let gone: Vec<String> = (4..30)
            .rev()
            .filter(|i| i % 6 != 0)
            .map(|i| format!("m{i}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let gone: Vec<&str> = gone.iter().map(String::as_str).collect();
        let shrunk: &[&str] = &["m3", "m6", "m1", "m12", "m18", "m2", "m24", "m0"];
        let cases = [cases, &[(&many[..], &gone[..], shrunk)][..]].concat();
        for (insert, remove, expected) in cases {
            let mut set = GHashSet::new();
            for key in insert.iter() {
                set.insert(key);
            }
            for key in remove.iter() {
                set.remove(key);
            }
            assert_eq!(set.keys(), expected);
        }
    }

    #[test]
    fn tdb_hash_buckets() {
        // "return" before "id" before "error", "class" before "desc": the
        // member order of QEMU's replies.
        assert!(dict_bucket("return") < dict_bucket("id"));
        assert!(dict_bucket("id") < dict_bucket("error"));
        assert!(dict_bucket("class") < dict_bucket("desc"));
    }
}
