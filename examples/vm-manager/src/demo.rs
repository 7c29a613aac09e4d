//! `vm-manager demo`: a QEMU managed as a VM manager does it, step by step.

use std::fs::File;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use qapi_types::qmp::blocking::Client;
use serde_json::{Map, Value};

use crate::bindings::qmp::{self, commands, events::Event};
use crate::peer::{self, Peer, TempDir};
use crate::report::{failure, Failure, Outcome, Report};

/// How long QEMU may take to listen on its QMP socket.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long an event or a job may take.
const WAIT: Duration = Duration::from_secs(30);
const IMAGE_SIZE: &str = "64M";
const DIMM_SIZE: u64 = 128 << 20;

/// The machine, its files, and the connection to it.
struct Vm {
    dir: TempDir,
    qemu: Peer,
    client: Client,
    /// The disk opened by the manager, passed to QEMU with `add-fd`.
    disk: File,
    /// The manager's end of the NIC's socket pair.
    nic_socket: Option<UnixStream>,
}

pub fn run(qemu: &Path, qemu_img: &Path) -> Report {
    let mut report = Report::default();
    let Some(dir) = report.step("setup", || {
        let dir = TempDir::new("vm-manager-demo")?;
        for image in ["disk.qcow2", "backup.qcow2"] {
            let mut create = Command::new(qemu_img);
            create.args(["create", "-q", "-f", "qcow2"]);
            create.arg(dir.join(image)).arg(IMAGE_SIZE);
            peer::run(create)?;
        }
        let seen = format!("qcow2 images in {}", dir.path().display());
        Ok((dir, seen))
    }) else {
        return report;
    };
    let Some(mut vm) = report.step("connect", || connect(dir, qemu)) else {
        return report;
    };
    report.check("version", || version(&mut vm));
    report.check("vcpu", || hotplug_vcpu(&mut vm));
    report.check("memory", || hotplug_memory(&mut vm));
    match report.step("disk", || add_disk(&mut vm)) {
        Some(fdset) => {
            report.check("block-job", || backup(&mut vm));
            report.check("disk-removal", || remove_disk(&mut vm, fdset));
        }
        None => {
            report.skip("block-job", "no disk");
            report.skip("disk-removal", "no disk");
        }
    }
    report.check("nic", || add_nic(&mut vm));
    report.check("migration", || migrate(&mut vm));
    report.check("quit", || quit(&mut vm));
    report
}

/// Start QEMU and connect while it starts: its socket appears before it
/// listens, and the client tries again until QEMU answers.
fn connect(dir: TempDir, qemu: &Path) -> Result<(Vm, String), Failure> {
    let socket = dir.join("qmp.sock");
    let mut command = Command::new(qemu);
    command
        .args(["-machine", "q35", "-accel", "tcg", "-nodefaults"])
        .args(["-display", "none", "-name", "vm-manager-demo"])
        .args(["-smp", "1,maxcpus=2", "-m", "256M,slots=2,maxmem=1G"])
        // Hotplugged PCIe devices need a slot: one root port each.
        .args(["-device", "pcie-root-port,id=rp1,chassis=1"])
        .args(["-device", "pcie-root-port,id=rp2,chassis=2"])
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", socket.display()));
    let mut qemu = Peer::spawn(command, dir.join("qemu.stderr"))?;
    let started = Instant::now();
    let client = qemu.connect(START_DEADLINE, |options| {
        Client::connect_unix(&socket, options)
    })?;
    let seen = format!(
        "QMP greeting of QEMU {} after {} ms",
        client.greeting().version.qemu,
        started.elapsed().as_millis()
    );
    let disk = File::options()
        .read(true)
        .write(true)
        .open(dir.join("disk.qcow2"))?;
    let vm = Vm {
        dir,
        qemu,
        client,
        disk,
        nic_socket: None,
    };
    Ok((vm, seen))
}

fn version(vm: &mut Vm) -> Outcome {
    let version = vm.client.execute(&commands::QueryVersion)?;
    let status = vm.client.execute(&commands::QueryStatus)?;
    Ok(format!(
        "QEMU {}.{}.{} ({}), {}",
        version.qemu.major, version.qemu.minor, version.qemu.micro, version.package, status.status
    ))
}

/// `device_add` with properties beyond `driver`, `bus` and `id` (the
/// command is not typed by the schema past those).
fn device_add(
    driver: &str,
    id: &str,
    bus: Option<&str>,
    properties: &[(&str, Value)],
) -> commands::DeviceAdd {
    let extra: Map<String, Value> = properties
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    commands::DeviceAdd {
        driver: driver.to_string(),
        bus: bus.map(str::to_string),
        id: Some(id.to_string()),
        extra,
    }
}

fn hotplug_vcpu(vm: &mut Vm) -> Outcome {
    let slots = vm.client.execute(&commands::QueryHotpluggableCpus)?;
    let free = slots
        .iter()
        .find(|slot| slot.qom_path.is_none())
        .ok_or_else(|| failure("query-hotpluggable-cpus lists no free slot"))?;
    // The slot's properties (socket-id, core-id, ...) are the device's.
    let Value::Object(properties) = serde_json::to_value(&free.props)? else {
        return Err(failure("CPU properties are not an object"));
    };
    let properties: Vec<(&str, Value)> = properties
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    let cpu = device_add(&free.r#type, "cpu1", None, &properties);
    vm.client.execute(&cpu)?;
    let cpus = vm.client.execute(&commands::QueryCpusFast)?;
    if cpus.len() != 2 {
        return Err(failure(format!("{} CPUs after the hotplug", cpus.len())));
    }
    Ok(format!("{} cpu1 plugged, 2 CPUs", free.r#type))
}

fn hotplug_memory(vm: &mut Vm) -> Outcome {
    let backend = qmp::ObjectOptions {
        id: "mem1".to_string(),
        qom_type: qmp::ObjectOptionsBranch::MemoryBackendRam(qmp::MemoryBackendProperties {
            size: DIMM_SIZE,
            dump: None,
            host_nodes: None,
            merge: None,
            policy: None,
            prealloc: None,
            prealloc_threads: None,
            prealloc_context: None,
            share: None,
            reserve: None,
            x_use_canonical_path_for_ramblock_id: None,
        }),
    };
    vm.client.execute(&commands::ObjectAdd(backend))?;
    let dimm = device_add("pc-dimm", "dimm1", None, &[("memdev", "mem1".into())]);
    vm.client.execute(&dimm)?;
    let devices = vm.client.execute(&commands::QueryMemoryDevices)?;
    let plugged = devices.iter().find_map(|device| match &device.r#type {
        qmp::MemoryDeviceInfoBranch::Dimm(dimm) if dimm.data.id.as_deref() == Some("dimm1") => {
            Some(dimm.data.size)
        }
        _ => None,
    });
    match plugged {
        Some(size) => Ok(format!("pc-dimm dimm1 of {} MiB on mem1", size >> 20)),
        None => Err(failure("query-memory-devices does not list dimm1")),
    }
}

/// A block node with the given driver; every other member left out.
fn node(driver: qmp::BlockdevOptionsBranch, node_name: Option<&str>) -> qmp::BlockdevOptions {
    qmp::BlockdevOptions {
        driver,
        node_name: node_name.map(str::to_string),
        discard: None,
        cache: None,
        active: None,
        read_only: None,
        auto_read_only: None,
        force_share: None,
        detect_zeroes: None,
    }
}

/// A qcow2 node over a file, named `node_name`.
fn qcow2_over_file(node_name: &str, filename: String) -> qmp::BlockdevOptions {
    let file = node(
        qmp::BlockdevOptionsBranch::File(qmp::BlockdevOptionsFile {
            filename,
            pr_manager: None,
            locking: None,
            aio: None,
            aio_max_batch: None,
            drop_cache: None,
            x_check_cache_dropped: None,
        }),
        None,
    );
    let qcow2 = qmp::BlockdevOptionsQcow2 {
        file: qmp::BlockdevRef::Definition(Box::new(file)),
        backing: None,
        lazy_refcounts: None,
        pass_discard_request: None,
        pass_discard_snapshot: None,
        pass_discard_other: None,
        discard_no_unref: None,
        overlap_check: None,
        cache_size: None,
        l2_cache_size: None,
        l2_cache_entry_size: None,
        refcount_cache_size: None,
        cache_clean_interval: None,
        encrypt: None,
        data_file: None,
    };
    node(qmp::BlockdevOptionsBranch::Qcow2(qcow2), Some(node_name))
}

/// A disk the manager opened: `add-fd`, `blockdev-add` on
/// `/dev/fdset/N`, `device_add` behind a root port; its fd set.
fn add_disk(vm: &mut Vm) -> Result<(i64, String), Failure> {
    let add_fd = commands::AddFd {
        fdset_id: None,
        opaque: Some("disk1".to_string()),
    };
    let added = vm.client.execute_with_fds(&add_fd, &[vm.disk.as_fd()])?;
    let fdsets = vm.client.execute(&commands::QueryFdsets)?;
    if !fdsets.iter().any(|set| set.fdset_id == added.fdset_id) {
        return Err(failure(format!(
            "query-fdsets does not list fd set {}",
            added.fdset_id
        )));
    }
    let path = format!("/dev/fdset/{}", added.fdset_id);
    vm.client.execute(&commands::BlockdevAdd(qcow2_over_file(
        "disk1",
        path.clone(),
    )))?;
    let disk = device_add(
        "virtio-blk-pci",
        "vdisk1",
        Some("rp1"),
        &[("drive", "disk1".into())],
    );
    vm.client.execute(&disk)?;
    let blocks = vm.client.execute(&commands::QueryBlock)?;
    let attached = blocks.iter().find(|block| {
        block.inserted.as_ref().and_then(|i| i.node_name.as_deref()) == Some("disk1")
    });
    match attached {
        Some(block) => {
            let seen = format!(
                "fd {} in fd set {}, qcow2 node disk1 on {path}, {}",
                added.fd,
                added.fdset_id,
                block.qdev.as_deref().unwrap_or("no device")
            );
            Ok((added.fdset_id, seen))
        }
        None => Err(failure("query-block does not list node disk1")),
    }
}

/// A block job to its end: `blockdev-backup` of the disk to a second
/// image, `concluded`, dismissed.
fn backup(vm: &mut Vm) -> Outcome {
    let target = vm.dir.join("backup.qcow2").display().to_string();
    vm.client
        .execute(&commands::BlockdevAdd(qcow2_over_file("backup1", target)))?;
    let start = commands::BlockdevBackup(qmp::BlockdevBackup {
        job_id: Some("backup-job".to_string()),
        device: "disk1".to_string(),
        target: "backup1".to_string(),
        sync: qmp::MirrorSyncMode::Full,
        auto_dismiss: Some(false),
        speed: None,
        bitmap: None,
        bitmap_mode: None,
        compress: None,
        on_source_error: None,
        on_target_error: None,
        auto_finalize: None,
        filter_node_name: None,
        discard_source: None,
        x_perf: None,
    });
    let started = Instant::now();
    vm.client.run_job(&start, "backup-job", WAIT)?;
    let took = started.elapsed().as_millis();
    vm.client.execute(&commands::BlockdevDel {
        node_name: "backup1".to_string(),
    })?;
    Ok(format!(
        "blockdev-backup disk1 to backup1 concluded in {took} ms, dismissed"
    ))
}

/// `device_del`, the `DEVICE_DELETED` event (a reset completes the unplug
/// without a guest), `blockdev-del`, `remove-fd`.
fn remove_disk(vm: &mut Vm, fdset: i64) -> Outcome {
    vm.client.execute(&commands::DeviceDel {
        id: "vdisk1".to_string(),
    })?;
    vm.client.execute(&commands::SystemReset)?;
    vm.client.wait_for(
        |event: &Event| {
            matches!(event, Event::DeviceDeleted { data, .. }
                if data.device.as_deref() == Some("vdisk1"))
        },
        WAIT,
    )?;
    vm.client.execute(&commands::BlockdevDel {
        node_name: "disk1".to_string(),
    })?;
    vm.client.execute(&commands::RemoveFd {
        fdset_id: fdset,
        fd: None,
    })?;
    let left = vm.client.execute(&commands::QueryFdsets)?;
    if left.iter().any(|set| set.fdset_id == fdset) {
        return Err(failure(format!("fd set {fdset} is still there")));
    }
    Ok(format!(
        "DEVICE_DELETED vdisk1, node disk1 deleted, fd set {fdset} removed"
    ))
}

/// A NIC on a socket the manager made: `getfd` of one end of a socket
/// pair, `netdev_add` on it, `device_add` behind a root port.
fn add_nic(vm: &mut Vm) -> Outcome {
    let (ours, theirs) = UnixStream::pair()?;
    vm.client.execute_with_fds(
        &commands::Getfd {
            fdname: "nic0".to_string(),
        },
        &[theirs.as_fd()],
    )?;
    drop(theirs);
    let netdev = qmp::Netdev {
        id: "net0".to_string(),
        r#type: qmp::NetdevBranch::Socket(qmp::NetdevSocketOptions {
            fd: Some("nic0".to_string()),
            listen: None,
            connect: None,
            mcast: None,
            localaddr: None,
            udp: None,
        }),
    };
    vm.client.execute(&commands::NetdevAdd(netdev))?;
    let nic = device_add(
        "virtio-net-pci",
        "nic1",
        Some("rp2"),
        &[("netdev", "net0".into())],
    );
    vm.client.execute(&nic)?;
    let filters = vm.client.execute(&commands::QueryRxFilter {
        name: Some("nic1".to_string()),
    })?;
    let mac = filters
        .first()
        .map(|filter| filter.main_mac.clone())
        .ok_or_else(|| failure("query-rx-filter does not list nic1"))?;
    vm.nic_socket = Some(ours);
    Ok(format!(
        "virtio-net-pci nic1 (MAC {mac}) on netdev net0, socket passed as nic0"
    ))
}

/// Migration to a file: the `events` capability, `migrate`, the
/// `MIGRATION` event to `completed`.
fn migrate(vm: &mut Vm) -> Outcome {
    vm.client.execute(&commands::MigrateSetCapabilities {
        capabilities: vec![qmp::MigrationCapabilityStatus {
            capability: qmp::MigrationCapability::Events,
            state: true,
        }],
    })?;
    let file: PathBuf = vm.dir.join("state.mig");
    #[allow(deprecated)] // `detach`, ignored by QEMU, is still a member
    let migrate = commands::Migrate {
        uri: Some(format!("file:{}", file.display())),
        channels: None,
        detach: None,
        resume: None,
    };
    vm.client.execute(&migrate)?;
    let ended = vm.client.wait_for(
        |event: &Event| {
            matches!(event, Event::Migration { data, .. } if matches!(
                data.status,
                qmp::MigrationStatus::Completed
                    | qmp::MigrationStatus::Failed
                    | qmp::MigrationStatus::Cancelled
            ))
        },
        WAIT,
    )?;
    let info = vm.client.execute(&commands::QueryMigrate)?;
    match ended {
        Event::Migration { data, .. } if data.status == qmp::MigrationStatus::Completed => {
            let size = std::fs::metadata(&file)?.len();
            let status = vm.client.execute(&commands::QueryStatus)?;
            Ok(format!(
                "to {} ({} KiB in {} ms), VM {}",
                file.display(),
                size >> 10,
                info.total_time.unwrap_or_default(),
                status.status
            ))
        }
        _ => Err(failure(format!(
            "migration ended {:?}: {}",
            info.status,
            info.error_desc.unwrap_or_default()
        ))),
    }
}

/// `quit`: its reply, the `SHUTDOWN` event, the end of the connection and
/// of the process.
fn quit(vm: &mut Vm) -> Outcome {
    vm.client.execute(&commands::Quit)?;
    let shutdown = vm.client.wait_for(
        |event: &Event| matches!(event, Event::Shutdown { .. }),
        WAIT,
    )?;
    vm.client.wait_closed(WAIT)?;
    let exit = vm.qemu.wait_exit(WAIT)?;
    let reason = match shutdown {
        Event::Shutdown { data, .. } => data.reason.to_string(),
        _ => String::new(),
    };
    Ok(format!(
        "SHUTDOWN ({reason}), connection closed, QEMU {exit}"
    ))
}
