//! The report: one QMP command per section.

use std::fmt::Write;

use qapi_types::qmp::blocking::{Client, Stream};
use qapi_types::qmp::Error;
use qapi_types::Mode;
use serde_json::{Map, Value};

use crate::qmp::{
    commands, AcceleratorInfo, BlockInfo, CpuInfoFast, KvmInfo, MemoryInfo, NameInfo,
    ObjectTypeInfo, PciDeviceInfo, PciInfo, RxFilterInfo, StatusInfo, UuidInfo, VersionInfo,
};

/// A running QEMU, section by section, as its commands return it.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// `query-name`
    pub name: NameInfo,
    /// `query-uuid`
    pub uuid: UuidInfo,
    /// `query-version`
    pub version: VersionInfo,
    /// `query-status`
    pub status: StatusInfo,
    /// `query-kvm`: whether KVM is the accelerator.
    pub kvm: KvmInfo,
    /// `query-accelerators` (QEMU 10.2 and later): the accelerator in use;
    /// `None` where the QEMU lacks the command (a capability check asks).
    pub accelerator: Option<AcceleratorInfo>,
    /// `qom-list-types implements=accel`: the accelerators this QEMU has.
    /// Without `query-accelerators`, when KVM is not enabled and only one
    /// other is built in, it is the one in use.
    pub accelerators: Vec<ObjectTypeInfo>,
    /// `query-cpus-fast`
    pub cpus: Vec<CpuInfoFast>,
    /// `query-memory-size-summary`
    pub memory: MemoryInfo,
    /// `query-block`
    pub block: Vec<BlockInfo>,
    /// `query-rx-filter`: the NICs that report their filters (virtio-net).
    pub network: Vec<RxFilterInfo>,
    /// `query-pci`
    pub pci: Vec<PciInfo>,
}

macro_rules! sections {
    ($($field:ident),*) => {
        /// The section names, in order (the JSON form's members).
        pub const SECTIONS: &'static [&'static str] = &[$(stringify!($field)),*];

        /// One JSON object, a member per section.
        pub fn to_json(&self) -> Result<Value, serde_json::Error> {
            let mut object = Map::new();
            $(object.insert(stringify!($field).to_string(), serde_json::to_value(&self.$field)?);)*
            Ok(Value::Object(object))
        }

        /// [`Report::to_json`] as pretty-printed text, with the sections in
        /// this order and every object's members in schema order (a
        /// `Value` would sort them).
        pub fn to_json_text(&self) -> Result<String, serde_json::Error> {
            let mut text = String::from("{");
            $(
                if text.len() > 1 {
                    text.push(',');
                }
                let section = serde_json::to_string_pretty(&self.$field)?;
                // Pretty JSON has no raw newline inside strings.
                text.push_str(&format!(
                    "\n  {:?}: {}",
                    stringify!($field),
                    section.replace('\n', "\n  ")
                ));
            )*
            text.push_str("\n}\n");
            Ok(text)
        }

        /// Decode [`Report::to_json`]'s output back into the generated
        /// types; the error names the section.
        pub fn from_json(value: &Value, mode: Mode) -> Result<Report, String> {
            Ok(Report {
                $($field: {
                    let section = value
                        .get(stringify!($field))
                        .ok_or(concat!("no section ", stringify!($field)))?;
                    qapi_types::from_value(section, mode)
                        .map_err(|e| format!("section {}: {e}", stringify!($field)))?
                },)*
            })
        }
    };
}

impl Report {
    sections!(
        name,
        uuid,
        version,
        status,
        kvm,
        accelerator,
        accelerators,
        cpus,
        memory,
        block,
        network,
        pci
    );

    /// Run the commands, one per section.
    pub fn query<S: Stream>(client: &mut Client<S>) -> Result<Report, Error> {
        Ok(Report {
            name: client.execute(&commands::QueryName)?,
            uuid: client.execute(&commands::QueryUuid)?,
            version: client.execute(&commands::QueryVersion)?,
            status: client.execute(&commands::QueryStatus)?,
            kvm: client.execute(&commands::QueryKvm)?,
            accelerator: if client.supports::<commands::QueryAccelerators>()? {
                Some(client.execute(&commands::QueryAccelerators)?)
            } else {
                None
            },
            accelerators: client.execute(&commands::QomListTypes {
                implements: Some("accel".to_string()),
                r#abstract: Some(false),
            })?,
            cpus: client.execute(&commands::QueryCpusFast)?,
            memory: client.execute(&commands::QueryMemorySizeSummary)?,
            block: client.execute(&commands::QueryBlock)?,
            network: client.execute(&commands::QueryRxFilter { name: None })?,
            pci: client.execute(&commands::QueryPci)?,
        })
    }

    /// The human summary, a line or a few per section.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let name = self.name.name.as_deref().unwrap_or("(none)");
        let _ = writeln!(out, "Name:         {name}");
        let _ = writeln!(out, "UUID:         {}", self.uuid.uuid);
        let qemu = &self.version.qemu;
        let package = match self.version.package.trim() {
            "" => String::new(),
            package => format!(" ({package})"),
        };
        let _ = writeln!(
            out,
            "QEMU:         {}.{}.{}{package}",
            qemu.major, qemu.minor, qemu.micro
        );
        // `running` only repeats the state (true for `running` alone).
        let status = member_text(&self.status, "status");
        let _ = writeln!(out, "Run state:    {status}");
        let _ = writeln!(
            out,
            "Accelerator:  {}",
            accelerator(&self.kvm, self.accelerator.as_ref(), &self.accelerators)
        );
        let _ = writeln!(out, "CPUs:         {}", self.cpu_summary());
        let _ = writeln!(out, "Memory:       {}", self.memory_summary());
        let _ = writeln!(out, "Block devices:");
        if self.block.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for device in &self.block {
            let _ = writeln!(out, "  {}", block_line(device));
        }
        let _ = writeln!(out, "Network:");
        if self.network.is_empty() {
            let _ = writeln!(out, "  (no NIC reports its filters)");
        }
        for nic in &self.network {
            let _ = writeln!(out, "  {:<10} MAC {}", nic.name, nic.main_mac);
        }
        let _ = writeln!(out, "PCI devices:");
        for bus in &self.pci {
            for device in &bus.devices {
                let _ = writeln!(out, "  {}", pci_line(device));
            }
        }
        out
    }

    fn cpu_summary(&self) -> String {
        let target = self
            .cpus
            .first()
            .map(|cpu| member_text(cpu, "target"))
            .unwrap_or_default();
        let threads: Vec<String> = self.cpus.iter().map(|c| c.thread_id.to_string()).collect();
        format!(
            "{} × {target} (host threads {})",
            self.cpus.len(),
            threads.join(", ")
        )
    }

    fn memory_summary(&self) -> String {
        let mut text = mib(self.memory.base_memory);
        if let Some(plugged) = self.memory.plugged_memory.filter(|&p| p > 0) {
            text.push_str(&format!(" + {} hot-plugged", mib(plugged)));
        }
        text
    }
}

/// KVM when it is enabled, else the one `query-accelerators` names, else
/// the one other accelerator built in, or the candidates.
fn accelerator(
    kvm: &KvmInfo,
    info: Option<&AcceleratorInfo>,
    built_in: &[ObjectTypeInfo],
) -> String {
    if kvm.enabled {
        return "KVM".to_string();
    }
    let kvm_note = if kvm.present {
        "KVM is available"
    } else {
        "KVM is not available"
    };
    if let Some(info) = info {
        return format!("{} ({kvm_note})", info.enabled.to_string().to_uppercase());
    }
    let others: Vec<String> = built_in
        .iter()
        .map(|t| t.name.strip_suffix("-accel").unwrap_or(&t.name))
        .filter(|&name| name != "kvm")
        .map(|name| name.to_uppercase())
        .collect();
    match others.as_slice() {
        [only] => format!("{only} ({kvm_note})"),
        [] => format!("not KVM ({kvm_note})"),
        _ => format!("one of {} ({kvm_note})", others.join(", ")),
    }
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / (1 << 20))
}

/// A text member of a value as it is on the wire (an enum value, a
/// union's discriminator).
fn member_text<T: serde::Serialize>(value: &T, member: &str) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| Some(value.get(member)?.as_str()?.to_string()))
        .unwrap_or_default()
}

fn block_line(device: &BlockInfo) -> String {
    let mut parts = vec![match &device.inserted {
        Some(medium) => {
            let access = if medium.ro { "read-only" } else { "read-write" };
            format!("{} {} ({access})", medium.drv, medium.file)
        }
        None => "no medium".to_string(),
    }];
    if device.removable {
        parts.push(match device.tray_open {
            Some(true) => "removable, tray open".to_string(),
            Some(false) => "removable, tray closed".to_string(),
            None => "removable".to_string(),
        });
    }
    if let Some(qdev) = &device.qdev {
        parts.push(format!("device {qdev}"));
    }
    format!("{:<10} {}", device.device, parts.join("; "))
}

fn pci_line(device: &PciDeviceInfo) -> String {
    let class = device
        .class_info
        .desc
        .clone()
        .unwrap_or_else(|| format!("class {:04x}", device.class_info.class));
    let mut line = format!(
        "{:02x}:{:02x}.{}  {:04x}:{:04x}  {class}",
        device.bus, device.slot, device.function, device.id.vendor, device.id.device
    );
    if !device.qdev_id.is_empty() {
        line.push_str(&format!(" (id {})", device.qdev_id));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(names: &[&str]) -> Vec<ObjectTypeInfo> {
        names
            .iter()
            .map(|name| ObjectTypeInfo {
                name: name.to_string(),
                r#abstract: Some(false),
                parent: Some("accel".to_string()),
            })
            .collect()
    }

    #[test]
    fn the_accelerator_is_named_when_it_can_be() {
        let kvm = |enabled, present| KvmInfo { enabled, present };
        let built_in = types(&["tcg-accel", "kvm-accel"]);
        assert_eq!(accelerator(&kvm(true, true), None, &built_in), "KVM");
        assert_eq!(
            accelerator(&kvm(false, true), None, &built_in),
            "TCG (KVM is available)"
        );
        let many = types(&["tcg-accel", "kvm-accel", "xen-accel"]);
        assert_eq!(
            accelerator(&kvm(false, false), None, &many),
            "one of TCG, XEN (KVM is not available)"
        );
        assert_eq!(
            accelerator(&kvm(false, false), None, &types(&["kvm-accel"])),
            "not KVM (KVM is not available)"
        );
        // QEMU 10.2 and later name it.
        let info: AcceleratorInfo = serde_json::from_value(serde_json::json!(
            { "enabled": "tcg", "present": ["kvm", "qtest", "tcg"] }
        ))
        .unwrap();
        assert_eq!(
            accelerator(&kvm(false, true), Some(&info), &many),
            "TCG (KVM is available)"
        );
    }
}
