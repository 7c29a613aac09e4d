//! The generated code's behaviour, on the demo schema's bindings (policy
//! `all`): decoding leniently and strictly, errors with member paths,
//! enums, alternates, unions, recursion, events, commands.

use qapi_bindings_tests::demo_all::*;
use qapi_types::{Command, Enum, Event as _, Mode, Object, UnknownValue};
use serde_json::{json, Value};

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    qapi_types::from_value(value, Mode::Lenient).unwrap_or_else(|e| panic!("{e}"))
}

fn decode_err<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    value: &Value,
    mode: Mode,
) -> String {
    qapi_types::from_value::<T>(value, mode)
        .unwrap_err()
        .to_string()
}

fn encode<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn unknown_enum_values_decode_into_unknown_and_encode_back() {
    let reply = json!({ "running": false, "status": "frozen" });
    let status: StatusInfo = decode(&reply);
    assert_eq!(
        status.status,
        RunState::Unknown(UnknownValue::new("frozen"))
    );
    assert_eq!(status.status.as_str(), "frozen");
    assert_eq!(
        status.status.as_unknown().map(|v| v.as_str()),
        Some("frozen")
    );
    assert_eq!(encode(&status), reply);
    // A value the bindings do not know yet can also be sent.
    assert_eq!(encode(&RunState::unknown("frozen".into())), json!("frozen"));
    // Strictly (a server), it is an error naming the member.
    assert_eq!(
        decode_err::<StatusInfo>(&reply, Mode::Strict),
        "status: unknown variant `frozen`, expected one of `debug`, `paused`, `running`, \
         `shutdown`, `suspended`"
    );
}

#[test]
fn enums_have_values_names_from_str_and_display() {
    assert_eq!(
        RunState::NAMES,
        ["debug", "paused", "running", "shutdown", "suspended"]
    );
    assert_eq!(RunState::VALUES.len(), 5);
    assert_eq!("paused".parse::<RunState>(), Ok(RunState::Paused));
    assert_eq!(RunState::Running.to_string(), "running");
    let err = "frozen".parse::<RunState>().unwrap_err();
    assert_eq!(err.to_string(), "unknown RunState value `frozen`");
    assert_eq!(BlockdevDriver::NullCo.as_str(), "null-co");
    // A value `unknown` keeps its name; the catch-all is renamed.
    assert_eq!(ImageFormat::NAMES, ["ppm", "png"]);
    assert_eq!(RunState::VALUE_FEATURES, [("debug", &["deprecated"][..])]);
}

#[test]
fn unknown_members_ignored_leniently_rejected_strictly() {
    let reply = json!({ "running": true, "status": "running", "singlestep": false });
    let status: StatusInfo = decode(&reply);
    assert!(status.running);
    assert_eq!(
        decode_err::<StatusInfo>(&reply, Mode::Strict),
        "singlestep: unknown member"
    );
}

#[test]
fn missing_and_duplicate_members_are_errors() {
    assert_eq!(
        decode_err::<StatusInfo>(&json!({ "running": true }), Mode::Lenient),
        "missing member `status`"
    );
    let text = r#"{"running": true, "running": false, "status": "paused"}"#;
    let err = qapi_types::from_str::<StatusInfo>(text, Mode::Lenient).unwrap_err();
    assert_eq!(err.path, "running");
    assert!(
        err.to_string().starts_with("running: duplicate member"),
        "{err}"
    );
}

#[test]
fn integers_are_range_checked() {
    let cpu = json!({ "cpu-index": 0, "thread-id": 7, "halted": false, "priority": 300 });
    assert_eq!(
        decode_err::<VcpuInfo>(&cpu, Mode::Lenient),
        "priority: invalid value: integer `300`, expected i8"
    );
    let version = json!({ "qemu": { "major": 256, "minor": 0, "micro": 0 }, "package": "" });
    assert_eq!(
        decode_err::<VersionInfo>(&version, Mode::Lenient),
        "qemu.major: invalid value: integer `256`, expected u8"
    );
    let cpu =
        json!({ "cpu-index": 0, "thread-id": 7, "halted": false, "priority": -3, "numa-node": 2 });
    let cpu: VcpuInfo = decode(&cpu);
    assert_eq!((cpu.priority, cpu.numa_node), (-3, Some(2)));
}

#[test]
fn errors_name_the_member_path_with_position() {
    let text = r#"{"device": "cd0", "locked": false, "removable": true,
        "inserted": {"node-name": "n", "ro": true, "drv": "raw",
                     "image": {"filename": "f", "format": 3, "virtual-size": 1}}}"#;
    let err = qapi_types::from_str::<BlockInfo>(text, Mode::Lenient).unwrap_err();
    assert_eq!(err.path, "inserted.image.format");
    assert_eq!(
        err.to_string(),
        "inserted.image.format: invalid type: integer `3`, expected a string (BlockdevDriver \
         value) at line 3 column 59"
    );
    let info = json!({ "node-name": "n", "ro": true, "drv": "raw", "children": ["a", 5],
                       "image": { "filename": "f", "format": "raw", "virtual-size": 1 } });
    assert_eq!(
        decode_err::<BlockDeviceInfo>(&info, Mode::Lenient),
        "children[1]: invalid type: integer `5`, expected a string"
    );
}

#[test]
fn optional_members_are_omitted_when_absent() {
    let cpu = VcpuInfo {
        cpu_index: 1,
        thread_id: 2,
        halted: true,
        priority: 0,
        numa_node: None,
    };
    assert_eq!(
        encode(&cpu),
        json!({ "cpu-index": 1, "thread-id": 2, "halted": true, "priority": 0 })
    );
}

#[test]
fn alternates_decode_by_json_type() {
    let cases = [
        (json!("slow"), ThrottleLimit::Preset(ThrottlePreset::Slow)),
        (json!(0.5), ThrottleLimit::Ratio(0.5)),
        (json!(2), ThrottleLimit::Ratio(2.0)),
        (json!(true), ThrottleLimit::Enabled(true)),
        (json!(null), ThrottleLimit::None(qapi_types::Null)),
        (
            json!({ "iops": 5 }),
            ThrottleLimit::Explicit(ThrottleLimitExplicit {
                iops: 5,
                burst: None,
            }),
        ),
        (json!([1, 2]), ThrottleLimit::PerQueue(vec![1, 2])),
    ];
    for (value, expected) in cases {
        let decoded: ThrottleLimit = decode(&value);
        assert_eq!(decoded, expected);
        // `number` encodes integral values as integers, as QEMU does.
        assert_eq!(encode(&decoded), value);
    }
    assert_eq!(
        decode_err::<BlockdevRef>(&json!(5), Mode::Lenient),
        "invalid type: integer `5`, expected an object (BlockdevOptions) or a string"
    );
    // Errors inside the selected branch keep their path.
    assert_eq!(
        decode_err::<ThrottleLimit>(&json!({ "iops": -1 }), Mode::Lenient),
        "iops: invalid value: integer `-1`, expected u64"
    );
    assert_eq!(
        decode_err::<ThrottleLimit>(&json!([1, -1]), Mode::Lenient),
        "[1]: invalid value: integer `-1`, expected u32"
    );
}

fn qcow2_node() -> Value {
    json!({
        "driver": "qcow2",
        "node-name": "disk0",
        "file": "disk0-file",
        "backing": { "node-name": "base", "filename": "/base.img", "driver": "file" },
        "cache": { "direct": true },
    })
}

#[test]
fn unions_decode_with_members_in_any_order() {
    let node: BlockdevOptions = decode(&qcow2_node());
    assert_eq!(node.node_name, "disk0");
    let BlockdevOptionsBranch::Qcow2(qcow2) = &node.driver else {
        panic!("{node:?}")
    };
    assert_eq!(qcow2.file, BlockdevRef::Reference("disk0-file".into()));
    let Some(backing) = &qcow2.backing else {
        panic!()
    };
    let BlockdevRef::Definition(base) = backing else {
        panic!()
    };
    assert_eq!(
        base.driver,
        BlockdevOptionsBranch::File(BlockdevOptionsFile {
            filename: "/base.img".into()
        })
    );
    assert_eq!(encode(&node), qcow2_node());
    assert_eq!(qapi_types::Branch::tag(&node.driver), BlockdevDriver::Qcow2);

    // The same members in every rotation: the discriminator first, last,
    // in the middle.
    let Value::Object(members) = qcow2_node() else {
        unreachable!()
    };
    let members: Vec<(String, Value)> = members.into_iter().collect();
    for rotation in 0..members.len() {
        let mut rotated = members.clone();
        rotated.rotate_left(rotation);
        let text = format!(
            "{{{}}}",
            rotated
                .iter()
                .map(|(k, v)| format!("{}: {v}", Value::String(k.clone())))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let decoded: BlockdevOptions = qapi_types::from_str(&text, Mode::Strict).unwrap();
        assert_eq!(decoded, node, "{text}");
    }
}

#[test]
fn union_errors_and_unknown_discriminators() {
    assert_eq!(
        decode_err::<BlockdevOptions>(&json!({ "node-name": "n", "filename": "f" }), Mode::Lenient),
        "missing member `driver`"
    );
    // A branch member seen before the discriminator keeps its path.
    assert_eq!(
        decode_err::<BlockdevOptions>(
            &json!({ "filename": 5, "node-name": "n", "driver": "file" }),
            Mode::Lenient
        ),
        "filename: invalid type: integer `5`, expected a string"
    );
    assert_eq!(
        decode_err::<BlockdevOptions>(&json!({ "driver": "raw", "node-name": "n" }), Mode::Lenient),
        "missing member `file`"
    );
    // A driver from a newer QEMU: the branch's members are kept, in any
    // order, and encoded back unchanged.
    let node = json!({ "driver": "vvfat", "node-name": "n", "dir": "/tmp", "rw": true });
    let decoded: BlockdevOptions = decode(&node);
    let BlockdevOptionsBranch::Unknown(branch) = &decoded.driver else {
        panic!("{decoded:?}")
    };
    assert_eq!(branch.tag, UnknownValue::new("vvfat"));
    assert_eq!(
        serde_json::Value::Object(branch.members.clone()),
        json!({ "dir": "/tmp", "rw": true })
    );
    assert_eq!(encode(&decoded), node);
    assert_eq!(
        qapi_types::Branch::tag(&decoded.driver),
        BlockdevDriver::Unknown(UnknownValue::new("vvfat"))
    );
    let text = r#"{"dir": "/tmp", "node-name": "n", "rw": true, "driver": "vvfat"}"#;
    let early: BlockdevOptions = qapi_types::from_str(text, Mode::Lenient).unwrap();
    assert_eq!(early, decoded);
    assert_eq!(
        decode_err::<BlockdevOptions>(&node, Mode::Strict),
        "driver: unknown variant `vvfat`, expected one of `file`, `null-co`, `qcow2`, `raw`, \
         `nbd`, `throttle`"
    );
    // Branchless values and empty branches.
    let throttle: BlockdevOptions = decode(&json!({ "driver": "throttle", "node-name": "t" }));
    assert_eq!(throttle.driver, BlockdevOptionsBranch::Throttle);
    let null: BlockdevOptions = decode(&json!({ "node-name": "z", "driver": "null-co" }));
    assert_eq!(
        null.driver,
        BlockdevOptionsBranch::NullCo(BlockdevOptionsNull)
    );
    // An inline base.
    let pty: ChardevBackend = decode(&json!({ "type": "null", "mux": true }));
    assert_eq!(
        (pty.r#type, pty.mux),
        (ChardevBackendBranch::Null, Some(true))
    );
}

#[test]
fn recursive_types_are_boxed() {
    let image = json!({
        "filename": "top.qcow2", "format": "qcow2", "virtual-size": 1024,
        "backing-image": {
            "filename": "mid.qcow2", "format": "qcow2", "virtual-size": 1024,
            "backing-image": { "filename": "base.raw", "format": "raw", "virtual-size": 1024 }
        }
    });
    let decoded: ImageInfo = decode(&image);
    let depth = std::iter::successors(Some(&decoded), |i| i.backing_image.as_deref()).count();
    assert_eq!(depth, 3);
    assert_eq!(encode(&decoded), image);
}

#[test]
fn events_decode_from_whole_messages() {
    let message = json!({
        "event": "SHUTDOWN",
        "data": { "guest": true, "reason": "guest-shutdown" },
        "timestamp": { "seconds": 1700000000, "microseconds": 12 }
    });
    let event: events::Event = decode(&message);
    let events::Event::Shutdown { data, timestamp } = &event else {
        panic!("{event:?}")
    };
    assert!(data.guest);
    assert_eq!(timestamp.seconds, 1700000000);
    assert_eq!(event.name(), "SHUTDOWN");
    assert_eq!(encode(&event), message);

    // Data before the name, no data, unknown events.
    let early = json!({ "data": { "device": "cd0", "tray-open": true },
                        "timestamp": { "seconds": 1, "microseconds": 2 },
                        "event": "DEVICE_TRAY_MOVED" });
    let event: events::Event = decode(&early);
    assert!(matches!(event, events::Event::DeviceTrayMoved { ref data, .. } if data.tray_open));
    let stop = json!({ "event": "STOP", "timestamp": { "seconds": 1, "microseconds": 2 } });
    let event: events::Event = decode(&stop);
    assert!(matches!(event, events::Event::Stop { .. }));
    assert_eq!(encode(&event), stop);
    let new = json!({ "event": "MEMORY_FAILURE", "data": { "action": "ignore" },
                      "timestamp": { "seconds": 1, "microseconds": 2 } });
    let event: events::Event = decode(&new);
    let events::Event::Unknown { name, data, .. } = &event else {
        panic!()
    };
    assert_eq!(
        (name.as_str(), data),
        ("MEMORY_FAILURE", &Some(json!({ "action": "ignore" })))
    );
    assert_eq!(encode(&event), new);
    assert_eq!(
        decode_err::<events::Event>(&new, Mode::Strict),
        "unknown event `MEMORY_FAILURE`"
    );
    assert_eq!(
        decode_err::<events::Event>(
            &json!({ "event": "SHUTDOWN", "data": { "guest": 1 }, "timestamp": { "seconds": 1, "microseconds": 2 } }),
            Mode::Lenient
        ),
        "data.guest: invalid type: integer `1`, expected a boolean"
    );
    assert_eq!(events::Stop::NAME, "STOP");
    assert_eq!(
        [events::Stop::HAS_DATA, events::Shutdown::HAS_DATA],
        [false, true]
    );
    assert_eq!(events::GuestPanicked::FEATURES, ["unstable"]);
}

#[test]
fn commands_carry_their_wire_name_flags_and_types() {
    assert_eq!(commands::QueryStatus::NAME, "query-status");
    let flags = [
        commands::QueryStatus::ALLOW_PRECONFIG,
        commands::Stop::ALLOW_OOB,
        commands::Screendump::COROUTINE,
        commands::PowerOff::SUCCESS_RESPONSE,
        commands::Stop::ALLOW_PRECONFIG,
    ];
    assert_eq!(flags, [true, true, true, false, false]);
    assert_eq!(commands::SystemReset::NAME, "system_reset");
    assert_eq!(commands::HumanMonitorCommand::FEATURES, ["unstable"]);
    #[allow(deprecated)]
    let features = commands::QueryCpus::FEATURES;
    assert_eq!(features, ["deprecated"]);
    // Arguments encode as the `arguments` object; none is `{}`.
    assert_eq!(encode(&commands::QueryStatus), json!({}));
    let eject = commands::Eject {
        id: "cd0".into(),
        force: Some(true),
    };
    assert_eq!(encode(&eject), json!({ "id": "cd0", "force": true }));
    // A reply without data is `{}`.
    let _: <commands::Stop as Command>::Returns = decode(&json!({}));
    assert_eq!(encode(&qapi_types::Empty), json!({}));
    // Boxed arguments are the boxed type.
    let add: commands::BlockdevAdd = decode(&qcow2_node());
    assert_eq!(encode(&add), qcow2_node());
    // Dispatch by name.
    struct Name;
    impl qapi_types::CommandVisitor for Name {
        type Output = &'static str;
        fn visit<C: Command>(self) -> &'static str {
            C::NAME
        }
    }
    assert_eq!(commands::visit("eject", Name), Some("eject"));
    assert_eq!(commands::visit("no-such-command", Name), None);
    assert_eq!(<StatusInfo as Object>::TYPE_NAME, "StatusInfo");
}

#[test]
fn any_and_sizes() {
    let reply = json!({ "anything": [1, "two", { "three": null }] });
    let value: <commands::QomGet as Command>::Returns = decode(&reply);
    assert_eq!(value, reply);
    let stats = json!({ "rd_bytes": 18446744073709551615u64, "wr_bytes": 0, "rd_operations": 1,
                        "wr_operations": 2, "idle_time_ns": -1, "avg_rd_latency": 1.5 });
    let decoded: BlockStats = decode(&stats);
    assert_eq!(decoded.rd_bytes, u64::MAX);
    assert_eq!(encode(&decoded), stats);
}

#[test]
fn commands_qemu_does_not_marshal_keep_undeclared_members() {
    let args =
        json!({ "driver": "virtio-blk-pci", "id": "vd0", "drive": "disk0", "num-queues": 2 });
    let add: commands::DeviceAdd = qapi_types::from_value(&args, Mode::Strict).unwrap();
    assert_eq!(add.driver, "virtio-blk-pci");
    assert_eq!(add.extra.get("drive"), Some(&json!("disk0")));
    assert_eq!(encode(&add), args);
}

/// Branch members before the discriminator are decoded at the end; their
/// errors keep the path and say nothing of the buffered text's positions.
#[test]
fn errors_in_members_before_the_discriminator() {
    let text = r#"{"node-name": "n", "backing": {"driver": "file", "filename": 5}, "file": "f", "driver": "qcow2"}"#;
    let error = qapi_types::from_str::<BlockdevOptions>(text, Mode::Lenient)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "backing.filename: invalid type: integer `5`, expected a string at line 1 column 96"
    );
}
