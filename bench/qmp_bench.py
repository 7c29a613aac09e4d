"""Round trips per second of query-status with qemu.qmp's QMPClient.

Usage: python qmp_bench.py SOCKET COUNT  (prints the rate)
"""

import asyncio
import sys
import time

from qemu.qmp import QMPClient


async def main(socket: str, count: int) -> None:
    qmp = QMPClient("bench")
    await qmp.connect(socket)
    for _ in range(min(count, 200)):
        await qmp.execute("query-status")
    start = time.perf_counter()
    for _ in range(count):
        await qmp.execute("query-status")
    elapsed = time.perf_counter() - start
    await qmp.disconnect()
    print(f"{count / elapsed:.0f}")


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
