//! The `server` setting: the `server` module of the bindings (compiled and
//! exercised in `tests/server/`).

use std::path::Path;

use qapi_gen::{IfPolicy, Settings};

fn demo(settings: &Settings) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/qapi-schema.json");
    let schema = qapi_gen::load(&path).unwrap_or_else(|e| panic!("{e}"));
    qapi_gen::rust::generate_file(&schema, settings).unwrap()
}

#[test]
fn off_by_default() {
    assert!(!demo(&Settings::default()).contains("pub mod server"));
}

#[test]
fn handler_tables_and_dispatcher() {
    let mut settings = Settings::default();
    settings.set("server", "true").unwrap();
    let text = demo(&settings);
    assert!(text.contains("pub mod server"));
    assert!(text.contains("pub trait Handler"));
    // One method per command, named after it; none for the commands the
    // dispatcher answers itself.
    for method in [
        "fn query_status(",
        "fn system_reset(",
        "fn blockdev_add(",
        "fn power_off(",
    ] {
        assert!(text.contains(method), "{method}");
    }
    assert!(!text.contains("fn qmp_capabilities("));
    assert!(text.contains("pub static SCHEMA: s::Schema"));
    assert!(text.contains(r#"s::command("power-off", None, None, s::NO_SUCCESS_RESPONSE, 0)"#));
    assert!(text.contains(r#"s::command("stop", None, None, s::ALLOW_OOB, 0)"#));
    assert!(text.contains("pub fn dispatcher<H: Handler>("));
    // Policy `all`: the introspection is one JSON text.
    assert!(text.contains("introspection: s::Node::Json("));
}

#[test]
fn conditions_become_cfg_attributes_in_the_tables() {
    let mut settings = Settings::default();
    settings.if_policy = IfPolicy::Cfg;
    settings.cfg = vec![("CONFIG_SUSPEND".into(), "feature = \"suspend\"".into())];
    settings.server = true;
    let text = demo(&settings);
    let suspend = text
        .find(r#"s::event("SUSPEND""#)
        .expect("the SUSPEND event entry");
    assert!(text[..suspend]
        .trim_end()
        .ends_with("#[cfg(feature = \"suspend\")]"));
    // The introspection splits where a condition selects elements.
    assert!(text.contains("introspection: s::Node::List("));
}
