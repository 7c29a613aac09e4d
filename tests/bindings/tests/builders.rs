//! Values built with the generated constructors, setters and conversions
//! (`builder!`): `Default` where every member is optional, `new` from the
//! required members, a setter per optional member, `From` a branch's type
//! for unions and alternates, `From` the value for boxed arguments; and
//! the JSON they encode.  Clients' bindings have them for commands and the
//! types their arguments reach (servers' for every type:
//! `qapi-gen/tests/builders.rs`).

use qapi_bindings_tests::demo_all::*;
use serde_json::{json, Value};

fn encode<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn all_optional_types_are_default_and_take_setters() {
    assert_eq!(encode(&BlockdevCacheOptions::default()), json!({}));
    let cache = BlockdevCacheOptions::default().direct(true).no_flush(false);
    assert_eq!(cache.direct, Some(true));
    assert_eq!(encode(&cache), json!({ "direct": true, "no-flush": false }));
    // A setter called again replaces the value.
    assert_eq!(cache.direct(false).direct, Some(false));
}

#[test]
fn new_takes_the_required_members_and_leaves_the_optional_ones_out() {
    let screendump = commands::Screendump::new("/tmp/screen.ppm");
    assert_eq!(screendump.filename, "/tmp/screen.ppm");
    assert_eq!((screendump.device, screendump.head), (None, None));
    // Numbers are taken as they are: a literal needs no suffix.
    let screendump = commands::Screendump::new(String::from("/tmp/s.png"))
        .head(1)
        .format(ImageFormat::Png)
        .device("vga0");
    assert_eq!(
        encode(&screendump),
        json!({ "filename": "/tmp/s.png", "device": "vga0", "head": 1, "format": "png" })
    );
    let limit = ThrottleLimitExplicit::new(100).burst(10);
    assert_eq!((limit.iops, limit.burst), (100, Some(10)));
}

#[test]
fn unions_from_a_branch_and_alternates_from_each_branch_type() {
    // The branch enum from a branch's type; the union then needs its
    // required base members (`node-name` here).
    let raw = BlockdevOptions::new(BlockdevOptionsRaw::new("file0").offset(512), "raw0");
    assert_eq!(
        encode(&raw),
        json!({ "driver": "raw", "node-name": "raw0", "file": "file0", "offset": 512 })
    );
    // A union whose base members besides the discriminator are optional:
    // `From` the branch's type.
    let backend = ChardevBackend::from(ChardevPty::default()).mux(true);
    assert_eq!(encode(&backend), json!({ "type": "pty", "mux": true }));
    // Alternates: each branch from its type, the string one from `&str`.
    assert_eq!(
        BlockdevRef::from("node0"),
        BlockdevRef::Reference("node0".into())
    );
    assert!(matches!(
        BlockdevRef::from(raw.clone()),
        BlockdevRef::Definition(boxed) if *boxed == raw
    ));
    assert_eq!(ThrottleLimit::from(0.5), ThrottleLimit::Ratio(0.5));
    assert_eq!(ThrottleLimit::from(true), ThrottleLimit::Enabled(true));
    assert_eq!(
        ThrottleLimit::from(ThrottlePreset::Fast),
        ThrottleLimit::Preset(ThrottlePreset::Fast)
    );
    assert_eq!(
        ThrottleLimit::from(vec![1, 2]),
        ThrottleLimit::PerQueue(vec![1, 2])
    );
    assert_eq!(
        ThrottleLimit::from(qapi_types::Null),
        ThrottleLimit::None(qapi_types::Null)
    );
    // A setter taking an alternate takes any of its branches' types.
    let throttled = raw.iops_limit(ThrottleLimitExplicit::new(100).burst(10));
    assert_eq!(
        encode(&throttled)["iops-limit"],
        json!({ "iops": 100, "burst": 10 })
    );
}

#[test]
fn qcow2_over_file_blockdev_add() {
    let file = BlockdevOptions::new(BlockdevOptionsFile::new("/srv/disk0.qcow2"), "disk0-file");
    let disk = BlockdevOptions::new(BlockdevOptionsQcow2::new(file), "disk0").read_only(true);
    let add = commands::BlockdevAdd::from(disk);
    assert_eq!(
        encode(&add),
        json!({
            "driver": "qcow2", "node-name": "disk0", "read-only": true,
            "file": { "driver": "file", "node-name": "disk0-file", "filename": "/srv/disk0.qcow2" }
        })
    );
}

#[test]
fn undeclared_members_of_gen_false_commands() {
    let add = commands::DeviceAdd::new("demo-nic")
        .id("nic1")
        .extra("mac", "52:54:00:12:34:56")
        .extra("vectors", 4);
    assert_eq!(
        encode(&add),
        json!({ "driver": "demo-nic", "id": "nic1", "mac": "52:54:00:12:34:56", "vectors": 4 })
    );
}

/// QEMU 10.0's schema: a qcow2 node over a file, as a VM manager adds it.
#[cfg(qapi_shared)]
#[test]
fn qemu_qcow2_over_file_blockdev_add() {
    use qapi_bindings_tests::real_all::{self as qmp, commands};

    let file = qmp::BlockdevOptionsFile::new("/dev/fdset/1").aio(qmp::BlockdevAioOptions::Threads);
    let file = qmp::BlockdevOptions::new(qmp::BlockdevOptionsBranch::File(file));
    let qcow2 = qmp::BlockdevOptionsQcow2::new(file).lazy_refcounts(true);
    let add = commands::BlockdevAdd::from(qmp::BlockdevOptions::from(qcow2).node_name("disk1"));
    assert_eq!(
        encode(&add),
        json!({
            "driver": "qcow2", "node-name": "disk1", "lazy-refcounts": true,
            "file": { "driver": "file", "filename": "/dev/fdset/1", "aio": "threads" }
        })
    );
    // The same node over an existing one, by name.
    let by_name = qmp::BlockdevOptions::from(qmp::BlockdevOptionsQcow2::new("disk1-file"));
    assert_eq!(
        encode(&by_name),
        json!({ "driver": "qcow2", "file": "disk1-file" })
    );
    // Every member optional: `Default`.
    let cache = qmp::BlockdevCacheOptions::default().direct(true);
    assert_eq!(encode(&cache), json!({ "direct": true }));
}
