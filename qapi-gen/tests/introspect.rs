//! `query-qmp-schema`: our introspection of QEMU's schema against the real
//! reply of a QEMU 10.0.2 x86_64 build, and the `introspect` command.

mod common;

use std::path::PathBuf;
use std::process::Command;

use qapi_gen::introspect::introspect;
use qapi_gen::schema::{Cond, EntityKind};
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
fn enabled() -> Vec<&'static str> {
    include_str!("common/qemu-10.0.2-x86_64-conditions.txt")
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
const UNDECIDABLE: &[&str] = &[
    "CONFIG_KVM",
    "CONFIG_BLKIO_VHOST_VDPA_FD",
    "TARGET_PPC",
    "TARGET_MIPS",
    "TARGET_LOONGARCH64",
    "TARGET_RISCV",
];

fn schema_path() -> PathBuf {
    common::shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json")
}

fn real_schema() -> Schema {
    qapi_gen::load_with(&schema_path(), qapi_gen::Rules::V10_0)
        .unwrap_or_else(|diags| panic!("the real schema fails:\n{diags}"))
}

fn real_reply() -> Value {
    let path = common::shared_dir().join("qmp-corpus/10.0.2/schema.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut transcript: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    transcript["response"]["return"].take()
}

fn enabled_in<'a>(names: &'a [&'a str]) -> impl Fn(&str) -> bool + 'a {
    move |name| names.contains(&name)
}

/// Where two JSON values first differ, as a path, or `None` if equal.
fn first_difference(ours: &Value, theirs: &Value, path: &str) -> Option<String> {
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

fn assert_same(ours: &Value, theirs: &Value, what: &str) {
    if let Some(diff) = first_difference(ours, theirs, "return") {
        panic!("{what}: first difference at {diff}");
    }
    assert_eq!(ours, theirs, "{what}");
}

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

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_qapi-gen"))
        .args(args)
        .output()
        .expect("qapi-gen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn cli_reply(extra: &[&str]) -> Value {
    let path = schema_path();
    let mut args = vec!["introspect", path.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    for name in enabled() {
        args.extend(["--enable", name]);
    }
    let (code, stdout, stderr) = run_cli(&args);
    assert_eq!(code, 0, "qapi-gen introspect failed:\n{stderr}");
    serde_json::from_str(&stdout).expect("qapi-gen introspect prints JSON")
}

#[test]
fn cli_prints_the_reply() {
    assert_same(&cli_reply(&[]), &real_reply(), "qapi-gen introspect");
}

#[test]
fn unmask_gives_real_type_names() {
    let schema = real_schema();
    let masked = real_reply();
    let unmasked = cli_reply(&["--unmask"]);
    let (Value::Array(masked), Value::Array(unmasked)) = (&masked, &unmasked) else {
        panic!("replies are lists");
    };
    assert_eq!(masked.len(), unmasked.len());

    let query_status = unmasked
        .iter()
        .find(|info| info["name"] == "query-status")
        .expect("query-status is there");
    assert_eq!(query_status["ret-type"], "StatusInfo");
    assert_eq!(query_status["arg-type"], "q_empty");

    // Same entries in the same order; every type name is a real one, and
    // each number stands for one name throughout.
    let mut number_of = std::collections::HashMap::new();
    for (m, u) in masked.iter().zip(unmasked) {
        assert_eq!(m["meta-type"], u["meta-type"]);
        let (m_name, u_name) = (m["name"].as_str().unwrap(), u["name"].as_str().unwrap());
        match u["meta-type"].as_str().unwrap() {
            "command" | "event" | "builtin" => assert_eq!(m_name, u_name),
            "array" => assert!(u_name.starts_with('[') && u_name.ends_with(']')),
            _ => {
                assert!(schema.lookup(u_name).is_some(), "{u_name} is a type");
                let previous = number_of.insert(u_name.to_string(), m_name.to_string());
                assert!(previous.is_none(), "{u_name} described twice");
                assert!(m_name.parse::<usize>().is_ok(), "{m_name} is a number");
            }
        }
    }
    let numbers: std::collections::HashSet<&String> = number_of.values().collect();
    assert_eq!(numbers.len(), number_of.len(), "one number per name");
}

#[test]
fn cli_errors() {
    let (code, _, stderr) = run_cli(&["introspect", "/nonexistent/qapi-schema.json"]);
    assert_eq!(code, 2, "unreadable schema: {stderr}");
    assert!(stderr.contains("can't read schema file"), "{stderr}");

    let bad = std::env::temp_dir().join(format!("introspect-bad-{}.json", std::process::id()));
    std::fs::write(&bad, "{ 'command': 'x', 'data': 'Nope' }\n").unwrap();
    let (code, _, stderr) = run_cli(&["introspect", bad.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(code, 1, "invalid schema: {stderr}");
    assert!(stderr.contains("uses unknown type 'Nope'"), "{stderr}");

    let (code, _, _) = run_cli(&["introspect"]);
    assert_eq!(code, 2, "missing argument");
}
