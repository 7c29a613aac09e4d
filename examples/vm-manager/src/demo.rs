//! `vm-manager demo`: a QEMU managed as a VM manager does it, step by step.

use std::fs::File;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use qapi_types::qmp::blocking::Client;
use serde_json::Value;

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
    let mut cpu = commands::DeviceAdd::new(&free.r#type).id("cpu1");
    cpu.extra = properties;
    vm.client.execute(&cpu)?;
    let cpus = vm.client.execute(&commands::QueryCpusFast)?;
    if cpus.len() != 2 {
        return Err(failure(format!("{} CPUs after the hotplug", cpus.len())));
    }
    Ok(format!("{} cpu1 plugged, 2 CPUs", free.r#type))
}

fn hotplug_memory(vm: &mut Vm) -> Outcome {
    let ram =
        qmp::ObjectOptionsBranch::MemoryBackendRam(qmp::MemoryBackendProperties::new(DIMM_SIZE));
    vm.client
        .execute(&commands::ObjectAdd(qmp::ObjectOptions::new(ram, "mem1")))?;
    let dimm = commands::DeviceAdd::new("pc-dimm")
        .id("dimm1")
        .extra("memdev", "mem1");
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

/// A qcow2 node over a file, named `node_name`.
fn qcow2_over_file(node_name: &str, filename: String) -> qmp::BlockdevOptions {
    let file = qmp::BlockdevOptionsBranch::File(qmp::BlockdevOptionsFile::new(filename));
    let qcow2 = qmp::BlockdevOptionsQcow2::new(qmp::BlockdevOptions::new(file));
    qmp::BlockdevOptions::from(qcow2).node_name(node_name)
}

/// A disk the manager opened: `add-fd`, `blockdev-add` on
/// `/dev/fdset/N`, `device_add` behind a root port; its fd set.
fn add_disk(vm: &mut Vm) -> Result<(i64, String), Failure> {
    let add_fd = commands::AddFd::default().opaque("disk1");
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
    let disk = commands::DeviceAdd::new("virtio-blk-pci")
        .id("vdisk1")
        .bus("rp1")
        .extra("drive", "disk1");
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
    let start = commands::BlockdevBackup(
        qmp::BlockdevBackup::new("disk1", qmp::MirrorSyncMode::Full, "backup1")
            .job_id("backup-job")
            .auto_dismiss(false),
    );
    let started = Instant::now();
    vm.client.run_job(&start, "backup-job", WAIT)?;
    let took = started.elapsed().as_millis();
    vm.client.execute(&commands::BlockdevDel::new("backup1"))?;
    Ok(format!(
        "blockdev-backup disk1 to backup1 concluded in {took} ms, dismissed"
    ))
}

/// `device_del`, the `DEVICE_DELETED` event (a reset completes the unplug
/// without a guest), `blockdev-del`, `remove-fd`.
fn remove_disk(vm: &mut Vm, fdset: i64) -> Outcome {
    vm.client.execute(&commands::DeviceDel::new("vdisk1"))?;
    vm.client.execute(&commands::SystemReset)?;
    vm.client.wait_for(
        |event: &Event| {
            matches!(event, Event::DeviceDeleted { data, .. }
                if data.device.as_deref() == Some("vdisk1"))
        },
        WAIT,
    )?;
    vm.client.execute(&commands::BlockdevDel::new("disk1"))?;
    vm.client.execute(&commands::RemoveFd::new(fdset))?;
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
    vm.client
        .execute_with_fds(&commands::Getfd::new("nic0"), &[theirs.as_fd()])?;
    drop(theirs);
    let netdev = qmp::Netdev::new("net0", qmp::NetdevSocketOptions::default().fd("nic0"));
    vm.client.execute(&commands::NetdevAdd(netdev))?;
    let nic = commands::DeviceAdd::new("virtio-net-pci")
        .id("nic1")
        .bus("rp2")
        .extra("netdev", "net0");
    vm.client.execute(&nic)?;
    let filters = vm
        .client
        .execute(&commands::QueryRxFilter::default().name("nic1"))?;
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
    let events = qmp::MigrationCapabilityStatus::new(qmp::MigrationCapability::Events, true);
    vm.client
        .execute(&commands::MigrateSetCapabilities::new(vec![events]))?;
    let file: PathBuf = vm.dir.join("state.mig");
    let migrate = commands::Migrate::default().uri(format!("file:{}", file.display()));
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
