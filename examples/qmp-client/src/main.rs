//! A QMP client for a running QEMU, on the async client of `qapi-types`
//! and bindings generated from QEMU's schema.
//!
//! ```text
//! qemu-system-x86_64 ... -qmp unix:/tmp/qmp.sock,server=on,wait=off
//! qmp-client /tmp/qmp.sock                 # version, status, block devices
//! qmp-client /tmp/qmp.sock stop            # or cont: run it, show the event
//! qmp-client /tmp/qmp.sock eject ID        # open the tray of drive ID
//! qmp-client /tmp/qmp.sock events SECONDS  # print the events for a while
//! ```

#[cfg(qapi_shared)]
mod client {
    /// The bindings, written by `build.rs`.
    #[allow(dead_code, clippy::all)]
    pub mod qmp {
        include!(concat!(env!("OUT_DIR"), "/qmp.rs"));
    }

    use std::time::Duration;

    use qapi_types::qmp::tokio::{Client, Events};
    use qapi_types::qmp::{Error, Options};
    use qmp::{commands, events::Event};

    pub async fn run(socket: &str, action: &[&str]) -> Result<(), Error> {
        let client = Client::connect_unix(socket, &Options::new()).await?;
        // Take the events before acting, so none is missed.
        let mut events = client.events::<Event>().expect("taken once");
        match action {
            [] => show(&client).await,
            ["stop"] => {
                client.execute(&commands::Stop).await?;
                wait_for_event(&mut events, 5).await
            }
            ["cont"] => {
                client.execute(&commands::Cont).await?;
                wait_for_event(&mut events, 5).await
            }
            ["eject", id] => {
                #[allow(deprecated)]
                let eject = commands::Eject {
                    device: None,
                    id: Some(id.to_string()),
                    force: Some(true),
                };
                client.execute(&eject).await?;
                wait_for_event(&mut events, 5).await
            }
            ["events", seconds] => {
                let seconds = seconds.parse().unwrap_or(10);
                print_events(&mut events, seconds).await;
                Ok(())
            }
            _ => {
                eprintln!("unknown action {action:?}");
                std::process::exit(2);
            }
        }
    }

    async fn show(client: &Client) -> Result<(), Error> {
        let greeting = client.greeting();
        let capabilities: Vec<String> = greeting
            .capabilities
            .iter()
            .map(|c| c.to_string())
            .collect();
        println!(
            "QEMU {} ({}), capabilities: [{}]",
            greeting.version.qemu,
            greeting.version.package,
            capabilities.join(", ")
        );
        let name = client.execute(&commands::QueryName).await?;
        println!("name: {}", name.name.as_deref().unwrap_or("(none)"));
        let status = client.execute(&commands::QueryStatus).await?;
        println!("status: {} (running: {})", status.status, status.running);
        for block in client.execute(&commands::QueryBlock).await? {
            let medium = match &block.inserted {
                Some(inserted) => format!("{} ({})", inserted.file, inserted.drv),
                None => "no medium".to_string(),
            };
            let qdev = block.qdev.as_deref().unwrap_or("-");
            println!("block {} [{qdev}]: {medium}", block.device);
        }
        // An error reply: typed, with QEMU's class and description.
        match client
            .execute(&commands::DeviceDel {
                id: "no-such-device".into(),
            })
            .await
        {
            Err(Error::Qmp(error)) => println!("device_del no-such-device: {error}"),
            other => println!("device_del no-such-device: unexpected {other:?}"),
        }
        Ok(())
    }

    /// The first event within `seconds`.
    async fn wait_for_event(events: &mut Events<Event>, seconds: u64) -> Result<(), Error> {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => println!("event: {}", describe(&event?)),
                None => println!("connection closed"),
            },
            _ = tokio::time::sleep(Duration::from_secs(seconds)) => println!("no event"),
        }
        Ok(())
    }

    async fn print_events(events: &mut Events<Event>, seconds: u64) {
        let deadline = tokio::time::sleep(Duration::from_secs(seconds));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(Ok(event)) => println!("event: {}", describe(&event)),
                    Some(Err(error)) => println!("bad event: {error}"),
                    None => return println!("connection closed"),
                },
                _ = &mut deadline => return,
            }
        }
    }

    fn describe(event: &Event) -> String {
        match event {
            Event::Stop { .. } => "STOP".to_string(),
            Event::Resume { .. } => "RESUME".to_string(),
            Event::DeviceTrayMoved { data, .. } => format!(
                "DEVICE_TRAY_MOVED {} tray-open: {}",
                data.id, data.tray_open
            ),
            Event::Shutdown { data, .. } => format!("SHUTDOWN {}", data.reason),
            Event::Unknown { name, .. } => name.clone(),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((socket, action)) = args.split_first() else {
        eprintln!("usage: qmp-client SOCKET [stop | cont | eject ID | events SECONDS]");
        std::process::exit(2);
    };
    let action: Vec<&str> = action.iter().map(String::as_str).collect();
    run(socket, &action);
}

#[cfg(qapi_shared)]
fn run(socket: &str, action: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(error) = runtime.block_on(client::run(socket, action)) {
        eprintln!("qmp-client: {error}");
        std::process::exit(1);
    }
}

#[cfg(not(qapi_shared))]
fn run(_: &str, _: &[&str]) {
    eprintln!("qmp-client was built without QEMU's schema: set QAPI_SHARED_DIR and rebuild");
    std::process::exit(1);
}
