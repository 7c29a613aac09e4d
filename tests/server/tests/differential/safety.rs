//! What may be sent to the QEMU under test.  QEMU runs paused, with TCG,
//! no guest, no network, `-sandbox` (no spawning, no privileges), and,
//! when the test runs as root, chrooted in an empty temporary directory;
//! still, a command that writes files, opens files or sockets, reaches
//! the host's network or devices, ends or stops the VM's process, or runs
//! arbitrary monitor commands is only ever sent with an unexpected
//! top-level member: QEMU's generated marshaller then refuses it (after
//! checking the other arguments) before the command runs.  The others get
//! any request.

use qapi_types::qmp::server::schema::{Schema, Type, NO_GEN};

/// Commands never sent, and why.
pub fn never(schema: &Schema, command: &str) -> Option<&'static str> {
    let info = schema.commands.iter().find(|c| c.name == command)?;
    (info.flags & NO_GEN != 0).then_some(
        "`gen: false`: QEMU's command checks its own arguments, so no request is certain \
         to fail before it runs",
    )
}

/// Commands sent only with an unexpected member, by name.
const DANGEROUS: &[(&str, &str)] = &[
    ("quit", "ends QEMU"),
    ("system_powerdown", "powers the VM down"),
    ("human-monitor-command", "runs any HMP command"),
    ("dump-guest-memory", "writes a file"),
    ("screendump", "writes a file"),
    ("memsave", "writes a file"),
    ("pmemsave", "writes a file"),
    ("dump-skeys", "writes a file"),
    ("dumpdtb", "writes a file"),
    ("xen-save-devices-state", "writes a file"),
    ("xen-load-devices-state", "reads a file"),
    ("blockdev-create", "creates images"),
    ("blockdev-add", "opens files and network block devices"),
    ("blockdev-reopen", "reopens files"),
    ("blockdev-change-medium", "opens a file"),
    ("drive-backup", "writes a target file"),
    ("blockdev-backup", "writes a target"),
    ("drive-mirror", "writes a target file"),
    ("blockdev-mirror", "writes a target"),
    ("block-commit", "writes images"),
    ("block-stream", "writes images"),
    ("blockdev-snapshot-sync", "creates a file"),
    ("blockdev-snapshot", "changes the image chain"),
    ("snapshot-save", "writes images"),
    ("snapshot-load", "loads VM state"),
    ("snapshot-delete", "writes images"),
    ("block_resize", "resizes the image"),
    ("change-backing-file", "writes image headers"),
    ("transaction", "its actions write files"),
    ("chardev-add", "opens files and sockets"),
    (
        "chardev-change",
        "opens files and sockets; may replace the monitor's",
    ),
    ("chardev-remove", "may remove the monitor's chardev"),
    ("netdev_add", "reaches the host's network"),
    ("object-add", "opens files (memory backends, secrets, TLS)"),
    ("qom-set", "changes any property of any object"),
    ("nbd-server-start", "listens on the network"),
    ("nbd-server-add", "exports a disk"),
    ("block-export-add", "exports a disk (NBD, FUSE, vhost-user)"),
    ("trace-event-set-state", "floods stderr"),
    ("yank", "may break the monitor's connection"),
    ("set-action", "can make the next reset or watchdog end QEMU"),
    ("watchdog-set-action", "can make a watchdog end QEMU"),
    (
        "announce-self",
        "huge timings keep QEMU's monitor busy for good",
    ),
];

/// Member names that name files, paths or addresses.
const FILE_MEMBERS: &[&str] = &["filename", "file", "path", "uri", "dir", "addr", "target"];

/// Why a command is sent only with an unexpected member; `None`: it may
/// get any request.
pub fn only_invalid(schema: &Schema, command: &str) -> Option<String> {
    if let Some((_, why)) = DANGEROUS.iter().find(|(name, _)| *name == command) {
        return Some(why.to_string());
    }
    if command.starts_with("x-") || command.starts_with("x_") {
        return Some("experimental or debugging command".to_string());
    }
    if command.starts_with("migrate") {
        return Some("migration".to_string());
    }
    let info = schema.commands.iter().find(|c| c.name == command)?;
    let mut seen = vec![false; schema.types.len()];
    let member = info
        .args
        .and_then(|ty| file_member(schema, ty, &mut seen))?;
    Some(format!(
        "its arguments name a file or an address ('{member}')"
    ))
}

/// A member of type `ty` (or of a type it holds) named like a file.
fn file_member(schema: &Schema, ty: u32, seen: &mut [bool]) -> Option<&'static str> {
    if std::mem::replace(&mut seen[ty as usize], true) {
        return None;
    }
    match &schema.types[ty as usize] {
        Type::Object(object) => {
            for member in object.members {
                if FILE_MEMBERS.contains(&member.name) {
                    return Some(member.name);
                }
                if let Some(name) = file_member(schema, member.ty, seen) {
                    return Some(name);
                }
            }
            object
                .variants
                .iter()
                .find_map(|v| file_member(schema, v.ty, seen))
        }
        Type::Array(element) => file_member(schema, *element, seen),
        Type::Alternate(alternate) => alternate
            .branches
            .iter()
            .find_map(|b| file_member(schema, b.ty, seen)),
        _ => None,
    }
}
