//! Acceptance against a real QEMU 10.0.2 (`scripts/install-qemu.sh`), with
//! the bindings of QEMU 10.0.0's schema, for the blocking and the async
//! client: every argument-less `query-*` and `x-query-*` command of the
//! schema runs; a command this QEMU has answers with a reply that decodes
//! (strictly: no member or value left unknown) or with a typed error, one
//! it lacks with `CommandNotFound`.  `stop`, `cont` and `eject` bring STOP,
//! RESUME and DEVICE_TRAY_MOVED.  Each test runs its own QEMU.

#![cfg_attr(not(qapi_shared), allow(unused))]

#[cfg(qapi_shared)]
mod common;

#[cfg(not(qapi_shared))]
#[test]
fn live() {
    qapi_qmp_tests::shared_dir();
    panic!("the real-schema bindings were not built: ../shared was missing at build time");
}

#[cfg(qapi_shared)]
mod live {
    use std::collections::BTreeSet;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;
    use std::time::Duration;

    use qapi_bindings_tests::real_all::{self, commands, events};
    use qapi_gen::schema::EntityKind;
    use qapi_qmp_tests::{shared_dir, Qemu};

    use crate::common::queries::{corpus_error_replies, strict_options, AsyncRun, BlockingRun};
    use crate::common::runtime;
    use qapi_types::qmp::tokio::{Client as AsyncClient, Events};
    use qapi_types::qmp::{blocking, Capability, Error, ErrorClass, QmpError};

    /// The argument-less `query-*` and `x-query-*` commands of the schema:
    /// no arguments, or only optional ones.
    fn argless_queries() -> Vec<String> {
        let path = shared_dir().join("qemu/10.0.0/qapi/qapi-schema.json");
        let schema =
            qapi_gen::load_with(&path, qapi_gen::Rules::V10_0).unwrap_or_else(|e| panic!("{e}"));
        let mut names = Vec::new();
        for (entity, command) in schema.commands() {
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
                names.push(entity.name.clone());
            }
        }
        names
    }

    /// The live QEMU's argument-less commands as recorded in the corpus.
    fn corpus_argless_queries() -> BTreeSet<String> {
        let path = shared_dir().join("qmp-corpus/10.0.2/argless-commands.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let list: serde_json::Value = serde_json::from_str(&text).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .filter(|n| n.starts_with("query-") || n.starts_with("x-query-"))
            .collect()
    }

    /// What the queries gave.
    #[derive(Default, Debug)]
    struct Tally {
        decoded: Vec<String>,
        errors: Vec<(String, QmpError)>,
        not_found: Vec<String>,
        failures: Vec<String>,
    }

    impl Tally {
        fn add(&mut self, name: &str, result: Result<(), Error>) {
            match result {
                Ok(()) => self.decoded.push(name.to_string()),
                Err(Error::Qmp(error)) if error.class == ErrorClass::CommandNotFound => {
                    assert_eq!(
                        error.desc,
                        format!("The command {name} has not been found"),
                        "{name}"
                    );
                    self.not_found.push(name.to_string());
                }
                Err(Error::Qmp(error)) => {
                    assert!(!error.desc.is_empty(), "{name}: empty description");
                    self.errors.push((name.to_string(), error));
                }
                Err(error) => self.failures.push(format!("{name}: {error}")),
            }
        }

        /// Every query this QEMU has answered, and decoded; the others were
        /// not found.
        fn check(&self, live: &BTreeSet<String>, client: &str) {
            assert!(
                self.failures.is_empty(),
                "{client}: {} failures:\n{}",
                self.failures.len(),
                self.failures.join("\n")
            );
            let answered: BTreeSet<String> = self
                .decoded
                .iter()
                .chain(self.errors.iter().map(|(name, _)| name))
                .cloned()
                .collect();
            assert_eq!(
                &answered, live,
                "{client}: answered vs the live QEMU's commands"
            );
            for name in &self.not_found {
                assert!(
                    !live.contains(name),
                    "{client}: {name} exists but was not found"
                );
            }
            // The same commands fail as in the recorded corpus (no KVM, SEV,
            // SGX, ...).
            let errors: BTreeSet<String> = self.errors.iter().map(|(n, _)| n.clone()).collect();
            assert_eq!(
                errors,
                corpus_error_replies(&shared_dir().join("qmp-corpus/10.0.2")),
                "{client}: error replies"
            );
            eprintln!(
                "{client}: {} queries: {} replies decoded, {} error replies, {} not in this QEMU",
                self.decoded.len() + self.errors.len() + self.not_found.len(),
                self.decoded.len(),
                self.errors.len(),
                self.not_found.len()
            );
            for (name, error) in &self.errors {
                eprintln!("  {name}: {error}");
            }
            eprintln!("  not in this QEMU: {}", self.not_found.join(", "));
        }
    }

    /// The argument-less query commands this QEMU has (`query-commands`).
    fn live_set(names: &[String], all: Vec<real_all::CommandInfo>) -> BTreeSet<String> {
        let all: BTreeSet<String> = all.into_iter().map(|c| c.name).collect();
        let live: BTreeSet<String> = names.iter().filter(|n| all.contains(*n)).cloned().collect();
        assert_eq!(live, corpus_argless_queries(), "vs the corpus's list");
        live
    }

    // ---------------------------------------------------------------- blocking

    #[test]
    fn blocking_queries() {
        let qemu = Qemu::start();
        let mut client = blocking::Client::connect_unix(qemu.socket(), &strict_options()).unwrap();
        assert_eq!(client.greeting().version.qemu.major, 10);
        assert!(client.greeting().offers(&Capability::Oob));

        let names = argless_queries();
        let live = live_set(&names, client.execute(&commands::QueryCommands).unwrap());
        let mut tally = Tally::default();
        for name in &names {
            let result = commands::visit(name, BlockingRun(&mut client)).expect("a schema command");
            tally.add(name, result);
        }
        tally.check(&live, "blocking");
    }

    #[test]
    fn blocking_errors_and_pipelining() {
        let qemu = Qemu::start();
        let mut client = blocking::Client::connect_unix(qemu.socket(), &strict_options()).unwrap();
        let error = client
            .execute(&commands::DeviceDel { id: "nope".into() })
            .unwrap_err();
        let Error::Qmp(error) = error else {
            panic!("{error}")
        };
        assert_eq!(error.class, ErrorClass::DeviceNotFound);
        assert_eq!(error.desc, "Device 'nope' not found");

        // Many in flight, received in another order than sent.
        let tickets: Vec<_> = (0..50)
            .map(|_| client.send(&commands::QueryStatus).unwrap())
            .collect();
        let version = client.send(&commands::QueryVersion).unwrap();
        assert_eq!(client.receive(version).unwrap().qemu.major, 10);
        for ticket in tickets.into_iter().rev() {
            assert!(!client.receive(ticket).unwrap().running);
        }
    }

    #[test]
    fn blocking_events() {
        let qemu = Qemu::start();
        let mut client = blocking::Client::connect_unix(qemu.socket(), &strict_options()).unwrap();
        let expect = |client: &mut blocking::Client, name: &str| -> events::Event {
            loop {
                let event = client
                    .next_event::<events::Event>(Duration::from_secs(10))
                    .unwrap()
                    .unwrap_or_else(|| panic!("no {name} within 10 s"));
                let wire = serde_json::to_value(&event).unwrap();
                if wire["event"] == name {
                    return event;
                }
            }
        };
        client.execute(&commands::Cont).unwrap();
        assert!(matches!(
            expect(&mut client, "RESUME"),
            events::Event::Resume { .. }
        ));
        client.execute(&commands::Stop).unwrap();
        assert!(matches!(
            expect(&mut client, "STOP"),
            events::Event::Stop { .. }
        ));
        client.execute(&commands::Cont).unwrap();
        expect(&mut client, "RESUME");
        client.execute(&eject_cd()).unwrap();
        let events::Event::DeviceTrayMoved { data, .. } = expect(&mut client, "DEVICE_TRAY_MOVED")
        else {
            unreachable!()
        };
        assert_eq!((data.id.as_str(), data.tray_open), ("cd0", true));
        assert_eq!(client.dropped_events(), 0);
    }

    #[allow(deprecated)]
    fn eject_cd() -> commands::Eject {
        commands::Eject {
            device: None,
            id: Some("cd0".into()),
            force: Some(true),
        }
    }

    // ------------------------------------------------------------------- async

    /// Poll every future until all are done (they run concurrently on one
    /// connection).
    async fn join_all<T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
        let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut done = true;
            for (future, result) in futures.iter_mut().zip(&mut results) {
                if result.is_none() {
                    match future.as_mut().poll(cx) {
                        Poll::Ready(value) => *result = Some(value),
                        Poll::Pending => done = false,
                    }
                }
            }
            if done {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        results.into_iter().map(Option::unwrap).collect()
    }

    #[test]
    fn async_queries() {
        let qemu = Qemu::start();
        runtime().block_on(async {
            let client = AsyncClient::connect_unix(qemu.socket(), &strict_options())
                .await
                .unwrap();
            assert_eq!(client.greeting().version.qemu.major, 10);
            let names = argless_queries();
            let live = live_set(
                &names,
                client.execute(&commands::QueryCommands).await.unwrap(),
            );

            // One after the other.
            let mut tally = Tally::default();
            for name in &names {
                let call = commands::visit(name, AsyncRun(&client)).expect("a schema command");
                tally.add(name, call.await);
            }
            tally.check(&live, "async");

            // All at once on the one connection.
            let calls = names
                .iter()
                .map(|name| commands::visit(name, AsyncRun(&client)).unwrap())
                .collect();
            let mut tally = Tally::default();
            for (name, result) in names.iter().zip(join_all(calls).await) {
                tally.add(name, result);
            }
            tally.check(&live, "async, all in flight");
            assert_eq!(client.pending(), 0);
        });
    }

    async fn expect_event(events: &mut Events<events::Event>, name: &str) -> events::Event {
        let deadline = tokio::time::sleep(Duration::from_secs(10));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(Ok(event)) => {
                        if serde_json::to_value(&event).unwrap()["event"] == name {
                            return event;
                        }
                    }
                    Some(Err(error)) => panic!("{error}"),
                    None => panic!("the connection closed while waiting for {name}"),
                },
                _ = &mut deadline => panic!("no {name} within 10 s"),
            }
        }
    }

    #[test]
    fn async_events_and_errors() {
        let qemu = Qemu::start();
        runtime().block_on(async {
            let client = AsyncClient::connect_unix(qemu.socket(), &strict_options().oob(true))
                .await
                .unwrap();
            let mut events = client.events::<events::Event>().unwrap();
            assert!(client.events::<events::Event>().is_none(), "taken once");

            client.execute(&commands::Cont).await.unwrap();
            let event = expect_event(&mut events, "RESUME").await;
            assert!(matches!(event, events::Event::Resume { .. }));
            client.execute(&commands::Stop).await.unwrap();
            let event = expect_event(&mut events, "STOP").await;
            assert!(matches!(event, events::Event::Stop { .. }));
            client.execute(&commands::Cont).await.unwrap();
            expect_event(&mut events, "RESUME").await;
            client.execute(&eject_cd()).await.unwrap();
            let events::Event::DeviceTrayMoved { data, .. } =
                expect_event(&mut events, "DEVICE_TRAY_MOVED").await
            else {
                unreachable!()
            };
            assert_eq!((data.id.as_str(), data.tray_open), ("cd0", true));
            assert_eq!(events.dropped(), 0);

            // Typed errors.
            let error = client
                .execute(&commands::DeviceDel { id: "nope".into() })
                .await
                .unwrap_err();
            assert_eq!(
                error.as_qmp(),
                Some(&QmpError {
                    class: ErrorClass::DeviceNotFound,
                    desc: "Device 'nope' not found".into()
                })
            );
            // Out of band: a command that allows it, and one that does not.
            let error = client
                .execute_oob(&commands::MigratePause)
                .await
                .unwrap_err();
            assert_eq!(
                error.as_qmp().unwrap().class,
                ErrorClass::GenericError,
                "{error}"
            );
            let error = client
                .execute_oob(&commands::QueryStatus)
                .await
                .unwrap_err();
            assert_eq!(
                error.as_qmp().unwrap().desc,
                "The command query-status does not support OOB"
            );
        });
    }

    #[test]
    fn async_peer_killed() {
        let mut qemu = Qemu::start();
        runtime().block_on(async {
            let client = AsyncClient::connect_unix(qemu.socket(), &strict_options())
                .await
                .unwrap();
            let mut events = client.events::<events::Event>().unwrap();
            client.execute(&commands::QueryStatus).await.unwrap();
            qemu.kill();
            let error = client.execute(&commands::QueryStatus).await.unwrap_err();
            assert!(error.is_fatal(), "{error}");
            assert!(events.recv().await.is_none());
            let error = client.execute(&commands::QueryStatus).await.unwrap_err();
            assert!(error.is_fatal(), "{error}");
        });
    }
}
