"""Replay a plan against a QMP server with qemu.qmp's QMPClient.

Usage: replay_client.py SOCKET PLAN.  The plan (written by replay.rs) holds
the greeting's version, and the calls in order, each with the reply and the
events expected.  Prints a summary; exits non-zero on the first surprise.
"""

import asyncio
import json
import sys

from qemu.qmp import ExecuteError, QMPClient


def strip(event):
    """An event without its timestamp."""
    return {key: value for key, value in event.items() if key != "timestamp"}


async def main(socket, plan_file):
    with open(plan_file) as f:
        plan = json.load(f)
    client = QMPClient("replay")
    await client.connect(socket)
    version = client.greeting.QMP.version
    assert version == plan["version"], (version, plan["version"])
    events = 0
    for call in plan["calls"]:
        try:
            outcome = {"return": await client.execute(call["execute"], call["arguments"])}
        except ExecuteError as error:
            outcome = {"error": {"class": error.error_class, "desc": str(error)}}
        assert outcome == call["expect"], (call["execute"], outcome, call["expect"])
        for expected in call["events"]:
            event = await asyncio.wait_for(client.events.get(), 5)
            assert strip(event) == expected, (call["execute"], event, expected)
            events += 1
    await asyncio.sleep(0.2)
    assert client.events.empty(), "more events than recorded"
    await client.disconnect()
    print(f"replayed {len(plan['calls'])} calls, {events} events")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
