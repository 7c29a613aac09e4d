//! Span bindings against real QEMUs of two versions: QEMU 10.0.2
//! (`scripts/install-qemu.sh`) and QEMU 11.1.3 (`scripts/install-qemu-11.sh`,
//! or `QAPI_QEMU_11_BIN`), with the bindings of QEMU 10.2.0's schema
//! spanning 10.0.0's and QEMU 11.1.3's `query-qmp-schema` reply
//! (`tests/corpus/qemu-11.1.3`).  For each QEMU and both clients:
//!
//! - every argument-less `query-*` and `x-query-*` command it has decodes
//!   strictly (or answers with the error it answered when its corpus was
//!   recorded);
//! - the run-time capability checks (`supports`) agree with the peer's
//!   `query-commands` for every command of the bindings and with the
//!   versions the bindings carry, for every event with the schema recorded
//!   in the peer's corpus, and, for items that differ between 10.0.2 and
//!   11.1.3, with what each has;
//! - with `Options::check_commands`, a command the peer lacks fails before
//!   it is sent.

#![cfg_attr(not(qapi_shared), allow(unused))]

#[cfg(qapi_shared)]
mod common;

#[cfg(not(qapi_shared))]
#[test]
fn span_live() {
    qapi_qmp_tests::shared_dir();
    panic!("the span bindings were not built: ../shared was missing at build time");
}

#[cfg(qapi_shared)]
#[allow(deprecated)]
mod live {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use qapi_bindings_tests::span_11_1::{
        commands, events, BlockDeviceInfo, CpuInfoFast, GuestPanicInformationType, MigMode,
        MigrationStatus,
    };
    use qapi_gen::schema::EntityKind;
    use qapi_qmp_tests::{shared_dir, Peer, Qemu};
    use qapi_types::qmp::tokio::Client as AsyncClient;
    use qapi_types::qmp::{blocking, Error, ErrorClass, PeerSchema};
    use qapi_types::{Command, CommandVisitor, Event, Object};

    use crate::common::queries::{corpus_error_replies, strict_options, AsyncRun, BlockingRun};
    use crate::common::runtime;

    /// A QEMU under test: how to start it, its label in the span, and its
    /// recorded corpus.
    struct Version {
        peer: Peer,
        label: &'static str,
        corpus: PathBuf,
    }

    fn qemu_10_0_2() -> Version {
        Version {
            peer: Peer::qemu_10(),
            label: "10.0",
            corpus: shared_dir().join("qmp-corpus/10.0.2"),
        }
    }

    fn qemu_11_1_3() -> Version {
        Version {
            peer: Peer::qemu_11(),
            label: "11.1.3",
            corpus: corpus_11_1(),
        }
    }

    fn corpus_11_1() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/qemu-11.1.3")
    }

    /// The span model the bindings were generated from (as
    /// `tests/bindings/build.rs` makes it).
    fn span_model() -> qapi_gen::Schema {
        qapi_gen::Builder::new(shared_dir().join("qemu/10.2.0/qapi/qapi-schema.json"))
            .compat(
                shared_dir()
                    .join("qemu/10.0.0/qapi/qapi-schema.json")
                    .display()
                    .to_string(),
            )
            .compat(corpus_11_1().join("schema.json").display().to_string())
            .load()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The argument-less `query-*` and `x-query-*` commands of the span,
    /// and every command and event name.
    struct Names {
        argless_queries: Vec<String>,
        commands: Vec<String>,
        events: Vec<String>,
    }

    fn names() -> Names {
        let schema = span_model();
        let mut names = Names {
            argless_queries: Vec::new(),
            commands: Vec::new(),
            events: Vec::new(),
        };
        for (entity, command) in schema.commands() {
            names.commands.push(entity.name.clone());
            if !(entity.name.starts_with("query-") || entity.name.starts_with("x-query-")) {
                continue;
            }
            let argless = match command.arg_type {
                None => true,
                Some(id) => match &schema.entity(id).kind {
                    EntityKind::Object(object) => object.members.iter().all(|m| m.optional),
                    _ => false,
                },
            };
            if argless {
                names.argless_queries.push(entity.name.clone());
            }
        }
        names.events = schema.events().map(|(e, _)| e.name.clone()).collect();
        names
    }

    fn start(version: &Version) -> Qemu {
        Qemu::start_peer(&version.peer, &[])
    }

    /// What the queries gave.
    #[derive(Default)]
    struct Tally {
        decoded: usize,
        errors: BTreeSet<String>,
        not_found: usize,
        failures: Vec<String>,
    }

    impl Tally {
        fn add(&mut self, name: &str, result: Result<(), Error>) {
            match result {
                Ok(()) => self.decoded += 1,
                Err(Error::Qmp(error)) if error.class == ErrorClass::CommandNotFound => {
                    self.not_found += 1
                }
                Err(Error::Qmp(_)) => {
                    self.errors.insert(name.to_string());
                }
                Err(error) => self.failures.push(format!("{name}: {error}")),
            }
        }

        /// Every query decoded or answered as when the corpus was recorded.
        fn check(&self, version: &Version, client: &str) {
            let what = format!("QEMU {} ({client})", version.label);
            assert!(
                self.failures.is_empty(),
                "{what}: {} failures:\n{}",
                self.failures.len(),
                self.failures.join("\n")
            );
            assert_eq!(
                self.errors,
                corpus_error_replies(&version.corpus),
                "{what}: error replies"
            );
            assert!(self.decoded > 40, "{what}: only {} decoded", self.decoded);
            eprintln!(
                "{what}: {} replies decoded strictly, {} error replies, {} not in this QEMU",
                self.decoded,
                self.errors.len(),
                self.not_found
            );
        }
    }

    /// The commands the peer lists, and the events of the schema recorded
    /// in its corpus.
    fn listed(
        version: &Version,
        commands: Vec<qapi_bindings_tests::span_11_1::CommandInfo>,
    ) -> (BTreeSet<String>, BTreeSet<String>) {
        let path = version.corpus.join("schema.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let record: serde_json::Value = serde_json::from_str(&text).unwrap();
        let events = record["response"]["return"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|info| info["meta-type"] == "event")
            .map(|info| info["name"].as_str().unwrap().to_string())
            .collect();
        (commands.into_iter().map(|c| c.name).collect(), events)
    }

    /// A command's `supports` answer and the versions the bindings give it.
    struct Supports<'a>(&'a PeerSchema);

    impl CommandVisitor for Supports<'_> {
        type Output = (bool, &'static [&'static str]);
        fn visit<C: Command>(self) -> Self::Output {
            (self.0.supports::<C>(), C::VERSIONS)
        }
    }

    /// `supports` for every command and event agrees with the peer's
    /// lists and with the versions the bindings carry; the items that
    /// differ between 10.0.2 and 11.1.3 are answered as each has them.
    fn check_supports(
        version: &Version,
        schema: &PeerSchema,
        names: &Names,
        listed: &(BTreeSet<String>, BTreeSet<String>),
    ) {
        let label = version.label;
        let exact = label == "11.1.3";
        for name in &names.commands {
            let (supported, versions) = commands::visit(name, Supports(schema)).unwrap();
            assert_eq!(
                supported,
                listed.0.contains(name),
                "QEMU {label}: supports {name}"
            );
            let in_span = versions.is_empty() || versions.contains(&label);
            // The reply of 11.1.3 is the very build: exact; 10.0's schema
            // file has commands its x86-64 build lacks.
            if exact {
                assert_eq!(supported, in_span, "QEMU {label}: {name} {versions:?}");
            } else if !in_span {
                assert!(!supported, "QEMU {label}: {name} {versions:?}");
            }
        }
        for name in &names.events {
            assert_eq!(
                schema.has_event(name),
                listed.1.contains(name),
                "QEMU {label}: event {name}"
            );
        }
        let v11 = version.peer.major == 11;
        // Commands: new in 10.2, gone in 11.
        assert_eq!(schema.supports::<commands::QueryAccelerators>(), v11);
        assert_eq!(commands::QueryAccelerators::VERSIONS, ["10.2", "11.1.3"]);
        assert_eq!(schema.supports::<commands::QueryMigrationthreads>(), !v11);
        assert_eq!(commands::QueryMigrationthreads::VERSIONS, ["10.0", "10.2"]);
        assert_eq!(schema.supports::<commands::XQueryOpcount>(), !v11);
        // Events, members, enum values, features.
        assert_eq!(schema.supports_event::<events::SclpCpiInfoAvailable>(), v11);
        assert_eq!(events::SclpCpiInfoAvailable::VERSIONS, ["10.2", "11.1.3"]);
        assert_eq!(schema.supports_member::<BlockDeviceInfo>("children"), v11);
        assert!(schema.supports_member::<BlockDeviceInfo>("file"));
        assert!(BlockDeviceInfo::MEMBER_VERSIONS.contains(&("children", &["10.2", "11.1.3"][..])));
        assert_eq!(schema.supports_member::<CpuInfoFast>("qom-type"), v11);
        assert_eq!(schema.supports_value(&MigrationStatus::PostcopyDevice), v11);
        assert!(schema.supports_value(&MigrationStatus::Active));
        assert_eq!(schema.supports_value(&MigMode::CprExec), v11);
        assert_eq!(schema.supports_value(&GuestPanicInformationType::Tdx), v11);
        let deprecated = |features: Option<&[String]>| {
            features.is_some_and(|f| f.iter().any(|f| f == "deprecated"))
        };
        assert_eq!(
            deprecated(schema.command_features::<commands::BlockJobPause>()),
            v11
        );
        // The same, as libvirt-style queries.
        assert_eq!(schema.query("query-block/ret-type/inserted/children"), v11);
        assert_eq!(
            schema.query("query-migrate/ret-type/status/^postcopy-device"),
            v11
        );
        assert_eq!(schema.query("block-job-pause/$deprecated"), v11);
        assert!(schema.query("blockdev-add/arg-type/+file/filename"));
        assert_eq!(schema.version().qemu.major, i64::from(version.peer.major));
    }

    // ---------------------------------------------------------------- blocking

    fn blocking(version: Version) {
        let names = names();
        let qemu = start(&version);
        let mut client = blocking::Client::connect_unix(qemu.socket(), &strict_options()).unwrap();
        assert_eq!(
            client.greeting().version.qemu.major,
            i64::from(version.peer.major)
        );
        let mut tally = Tally::default();
        for name in &names.argless_queries {
            let result = commands::visit(name, BlockingRun(&mut client)).expect("a span command");
            tally.add(name, result);
        }
        tally.check(&version, "blocking");

        let listed = listed(&version, client.execute(&commands::QueryCommands).unwrap());
        let schema = client.peer_schema().unwrap();
        check_supports(&version, &schema, &names, &listed);
        assert_eq!(
            client.supports::<commands::QueryAccelerators>().unwrap(),
            version.peer.major == 11
        );

        // Checked before sending: the peer's version in the error.  QEMU
        // serves one client at a time: the first one goes first.
        drop(client);
        let mut checked =
            blocking::Client::connect_unix(qemu.socket(), &strict_options().check_commands(true))
                .unwrap();
        let result = checked.execute(&commands::QueryAccelerators);
        check_unsupported(&version, result.map(drop), "query-accelerators");
        checked.execute(&commands::QueryStatus).unwrap();
    }

    fn check_unsupported(version: &Version, result: Result<(), Error>, name: &str) {
        match result {
            Ok(()) => assert_eq!(
                version.peer.major, 11,
                "{name} ran on QEMU {}",
                version.label
            ),
            Err(Error::Unsupported {
                command,
                version: peer,
            }) => {
                assert_eq!(version.peer.major, 10);
                assert_eq!(command, name);
                assert_eq!((peer.qemu.major, peer.qemu.minor), (10, 0));
                let message = Error::Unsupported {
                    command,
                    version: peer,
                }
                .to_string();
                assert!(message.starts_with("QEMU 10.0."), "{message}");
            }
            Err(error) => panic!("QEMU {}: {name}: {error}", version.label),
        }
    }

    #[test]
    fn blocking_qemu_10_0_2() {
        blocking(qemu_10_0_2());
    }

    #[test]
    fn blocking_qemu_11_1_3() {
        blocking(qemu_11_1_3());
    }

    // ------------------------------------------------------------------- async

    fn asynchronous(version: Version) {
        let names = names();
        let qemu = start(&version);
        runtime().block_on(async {
            let client =
                AsyncClient::connect_unix(qemu.socket(), &strict_options().check_commands(true))
                    .await
                    .unwrap();
            let mut tally = Tally::default();
            for name in &names.argless_queries {
                let call = commands::visit(name, AsyncRun(&client)).expect("a span command");
                let result = match call.await {
                    // Checked before sending: not in this QEMU.
                    Err(Error::Unsupported { .. }) => {
                        tally.not_found += 1;
                        continue;
                    }
                    result => result,
                };
                tally.add(name, result);
            }
            tally.check(&version, "async, commands checked");

            let listed = listed(
                &version,
                client.execute(&commands::QueryCommands).await.unwrap(),
            );
            let schema = client.peer_schema().await.unwrap();
            check_supports(&version, &schema, &names, &listed);
            let result = client.execute(&commands::QueryAccelerators).await;
            check_unsupported(&version, result.map(drop), "query-accelerators");
        });
    }

    #[test]
    fn async_qemu_10_0_2() {
        asynchronous(qemu_10_0_2());
    }

    #[test]
    fn async_qemu_11_1_3() {
        asynchronous(qemu_11_1_3());
    }

    /// Which object types the route of the bindings finds in each peer:
    /// the command's arguments, and a union branch.
    #[test]
    fn routes_find_types_in_both() {
        use qapi_bindings_tests::span_11_1::BlockdevOptionsFile;
        assert_eq!(BlockdevOptionsFile::ROUTE, "blockdev-add/arg-type/+file");
        // A command's arguments have no route: their TYPE_NAME, the
        // command, locates them.
        assert_eq!(<commands::Eject as Object>::ROUTE, "");
        for version in [qemu_10_0_2(), qemu_11_1_3()] {
            let qemu = start(&version);
            let mut client =
                blocking::Client::connect_unix(qemu.socket(), &strict_options()).unwrap();
            let schema = client.peer_schema().unwrap();
            assert!(schema.supports_type::<BlockdevOptionsFile>());
            assert!(schema.supports_member::<BlockdevOptionsFile>("aio-max-batch"));
            assert!(schema.supports_member::<commands::Eject>("force"));
            assert!(!schema.supports_member::<commands::Eject>("forse"));
        }
    }
}
