//! Which types get a `builder!` invocation: commands and the types their
//! arguments reach in a client's bindings, every type with `server` (the
//! code is compiled and exercised by `tests/bindings/tests/builders.rs`).

mod common;

use qapi_gen::rust::generate_file;
use qapi_gen::Settings;

fn generate(server: bool) -> String {
    let mut settings = Settings::default();
    settings.server = server;
    generate_with(&settings)
}

fn generate_with(settings: &Settings) -> String {
    let schema = qapi_gen::load(&common::workspace_dir().join("schema/qapi-schema.json")).unwrap();
    generate_file(&schema, settings).unwrap_or_else(|e| panic!("{e}"))
}

fn built(text: &str, header: &str) -> bool {
    text.contains(&format!("__private::builder! {{\n    {header}"))
}

#[test]
fn clients_build_arguments_servers_build_everything() {
    let client = generate(false);
    let server = generate(true);
    for text in [&client, &server] {
        // blockdev-add's arguments and what they reach.
        assert!(built(
            text,
            "BlockdevOptions { into driver: BlockdevOptionsBranch,"
        ));
        assert!(built(text, "from BlockdevOptionsBranch;"));
        assert!(built(text, "from BlockdevRef;"));
        assert!(built(text, "BlockdevCacheOptions {}"));
        assert!(text.contains("__private::builder!(BlockdevAdd(super::BlockdevOptions));"));
        assert!(built(text, "    Eject { into id: String, }"));
    }
    // Replies and events: only a server builds them.
    for header in ["VersionTriple {", "ImageInfo {", "StatusInfo {"] {
        assert!(!built(&client, header), "{header}");
        assert!(built(&server, header), "{header}");
    }
    assert!(!client.contains("builder!(BlockdevAdded("));
    assert!(server.contains("builder!(BlockdevAdded(super::BlockdevOptions));"));
}

/// `builders = false`: none at all, for a server too.
#[test]
fn builders_off() {
    for server in [false, true] {
        let mut settings = Settings::default();
        settings.server = server;
        settings.builders = false;
        let text = generate_with(&settings);
        assert!(!text.contains("builder!"), "server: {server}");
        assert!(text.contains("object_impls!"), "server: {server}");
    }
}
