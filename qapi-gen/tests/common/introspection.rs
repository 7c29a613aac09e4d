//! QEMU 10.0.0's schema and the `query-qmp-schema` reply of a QEMU 10.0.2
//! x86_64 build (`shared/qmp-corpus/10.0.2`): what the introspection tests
//! of `qapi-gen` and `qapi-gen-cli` compare.

use std::path::PathBuf;

use qapi_gen::Schema;
use serde_json::Value;

/// The condition names defined in the QEMU 10.0.2 x86_64 build whose reply
/// is in `qmp-corpus/10.0.2/schema.json` (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1).
///
/// Derived from the reply itself: each of the 55 names used in the
/// schema's `if` conditions was toggled alone against this set, and every
/// toggle changes the reply except for the names in [`UNDECIDABLE`], so
/// each entry (and each absence) is witnessed by the reply.  Witnesses,
/// one per name: HAVE_IPPROTO_MPTCP `InetSocketAddress.mptcp`; CONFIG_LINUX
/// `InputLinuxProperties`; CONFIG_SECRET_KEYRING `SecretKeyringProperties`;
/// HAVE_HOST_BLOCK_DEVICE driver `host_device`; CONFIG_LINUX_IO_URING aio
/// `io_uring`; CONFIG_REPLICATION `xen-set-replication`; CONFIG_POSIX
/// `getfd`; CONFIG_ZSTD `zstd` compression; CONFIG_FUSE, _VHOST_USER_BLK_SERVER,
/// _VDUSE_BLK_EXPORT the export types; CONFIG_SPICE `query-spice`;
/// CONFIG_DBUS_DISPLAY display `dbus`; CONFIG_SPICE_PROTOCOL chardev
/// `qemu-vdagent`; HAVE_CHARDEV_SERIAL, _PARALLEL, CONFIG_BRLAPI chardevs
/// `serial`, `parallel`, `braille`; CONFIG_EBPF `request-ebpf`; CONFIG_TPM
/// `query-tpm`; CONFIG_PIXMAN `screendump`; CONFIG_VNC `query-vnc`;
/// CONFIG_GTK, _SDL, _OPENGL, _CURSES displays `gtk`, `sdl`,
/// `egl-headless`, `curses`; CONFIG_VHOST_CRYPTO `cryptodev-vhost-user`;
/// CONFIG_LIBPMEM `MemoryBackendFileProperties.pmem`; CONFIG_TCG
/// `x-query-jit`; CONFIG_FDT `dumpdtb`; TARGET_I386 `query-sev`; the six
/// CONFIG_AUDIO_* audiodev drivers.  Absent, also witnessed: CONFIG_BLKIO
/// (no `virtio-blk-vhost-user` driver), CONFIG_WIN32 (`get-win32-socket`),
/// CONFIG_AF_XDP, CONFIG_VMNET, CONFIG_COCOA, CONFIG_QATZIP, CONFIG_QPL,
/// CONFIG_UADK, TARGET_S390X, TARGET_ARM, CONFIG_AUDIO_COREAUDIO,
/// _DSOUND, _SNDIO.
pub fn enabled() -> Vec<&'static str> {
    include_str!("qemu-10.0.2-x86_64-conditions.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// Names the reply cannot decide: every condition using them is settled by
/// the others.  CONFIG_KVM appears only as `all: [TARGET_S390X,
/// CONFIG_KVM]` (TARGET_S390X is off), CONFIG_BLKIO_VHOST_VDPA_FD only
/// inside a CONFIG_BLKIO branch (off), TARGET_PPC, _MIPS, _LOONGARCH64 and
/// _RISCV only in `any` lists that hold TARGET_I386 (on).  (A real x86_64
/// build has CONFIG_KVM and none of the others.)
pub const UNDECIDABLE: &[&str] = &[
    "CONFIG_KVM",
    "CONFIG_BLKIO_VHOST_VDPA_FD",
    "TARGET_PPC",
    "TARGET_MIPS",
    "TARGET_LOONGARCH64",
    "TARGET_RISCV",
];

pub fn schema_path() -> PathBuf {
    super::shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json")
}

pub fn real_schema() -> Schema {
    qapi_gen::load_with(&schema_path(), qapi_gen::Rules::V10_0)
        .unwrap_or_else(|diags| panic!("the real schema fails:\n{diags}"))
}

pub fn real_reply() -> Value {
    let path = super::shared_dir().join("qmp-corpus/10.0.2/schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut transcript: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    transcript["response"]["return"].take()
}

pub fn enabled_in<'a>(names: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
    move |name| names.contains(&name)
}

/// Where two JSON values first differ, as a path, or `None` if equal.
pub fn first_difference(ours: &Value, theirs: &Value, path: &str) -> Option<String> {
    match (ours, theirs) {
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(diff) = first_difference(x, y, &format!("{path}[{i}]")) {
                    return Some(diff);
                }
            }
            (a.len() != b.len()).then(|| {
                let next = a.get(b.len()).or(b.get(a.len()));
                format!(
                    "{path}: {} elements, QEMU has {}; first extra: {}",
                    a.len(),
                    b.len(),
                    next.map(Value::to_string).unwrap_or_default()
                )
            })
        }
        (Value::Object(a), Value::Object(b)) => {
            for (key, x) in a {
                match b.get(key) {
                    Some(y) => {
                        if let Some(diff) = first_difference(x, y, &format!("{path}.{key}")) {
                            return Some(diff);
                        }
                    }
                    None => return Some(format!("{path}.{key}: only ours has it: {x}")),
                }
            }
            b.keys()
                .find(|key| !a.contains_key(*key))
                .map(|key| format!("{path}.{key}: only QEMU has it: {}", b[key]))
        }
        _ => (ours != theirs).then(|| format!("{path}: ours {ours}, QEMU {theirs}")),
    }
}

pub fn assert_same(ours: &Value, theirs: &Value, what: &str) {
    if let Some(diff) = first_difference(ours, theirs, "return") {
        panic!("{what}: first difference at {diff}");
    }
    assert_eq!(ours, theirs, "{what}");
}
