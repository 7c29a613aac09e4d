"""Drive the example server with qemu.qmp's QMPClient, as a QEMU client would.

Usage: qmp_client.py SOCKET.  Prints one line per step; exits non-zero on
the first surprise.
"""

import asyncio
import sys

from qemu.qmp import ExecuteError, QMPClient


async def main(socket):
    client = QMPClient("demo")
    await client.connect(socket)
    greeting = client.greeting.QMP
    assert "oob" in greeting.capabilities, greeting
    print("greeting", greeting.version["package"])

    status = await client.execute("query-status")
    assert status == {"running": True, "status": "running"}, status
    print("query-status", status["status"])

    version = await client.execute("query-version")
    assert version["qemu"]["major"] == 1, version
    print("query-version", version["package"])

    blocks = await client.execute("query-block")
    assert blocks[0]["device"] == "cd0", blocks

    with client.listener() as listener:
        await client.execute("stop")
        async with asyncio.timeout(5):
            event = await listener.get()
        assert event["event"] == "STOP", event
        assert "timestamp" in event, event
        print("event", event["event"])
        await client.execute("cont")
        async with asyncio.timeout(5):
            event = await listener.get()
        assert event["event"] == "RESUME", event
        print("event", event["event"])
        await client.execute("eject", {"id": "cd0"})
        async with asyncio.timeout(5):
            event = await listener.get()
        assert event["event"] == "DEVICE_TRAY_MOVED", event
        assert event["data"] == {"device": "cd0", "tray-open": True}, event
        print("event", event["event"], event["data"]["device"])

    status = await client.execute("query-status")
    assert status["status"] == "running", status

    for command, arguments, error_class, desc in [
        ("eject", {"id": "nope"}, "DeviceNotFound", "Device 'nope' not found"),
        ("eject", {}, "GenericError", "Parameter 'id' is missing"),
        ("eject", {"id": 1}, "GenericError", "Invalid parameter type for 'id', expected: string"),
        ("query-status", {"x": 1}, "GenericError", "Parameter 'x' is unexpected"),
        ("no-such-command", None, "CommandNotFound", "The command no-such-command has not been found"),
        ("qmp_capabilities", None, "CommandNotFound", "Capabilities negotiation is already complete, command ignored"),
    ]:
        try:
            await client.execute(command, arguments)
        except ExecuteError as err:
            assert err.error_class == error_class, (command, err.error_class)
            assert str(err) == desc, (command, str(err))
            print("error", command, err.error_class)
        else:
            raise AssertionError(f"{command} succeeded")

    schema = await client.execute("query-qmp-schema")
    names = {entry["name"] for entry in schema}
    assert "query-status" in names and "STOP" in names, sorted(names)[:10]
    print("query-qmp-schema", len(schema))

    # Out of band: the demo's `stop` allows it, and qemu.qmp negotiated oob.
    await client.execute("stop", oob=True)
    print("oob stop")

    await client.disconnect()
    print("done")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
