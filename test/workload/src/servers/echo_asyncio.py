# An asyncio echo server and N concurrent clients in two processes, for
# test/workload/servers.test.ts:
#   python3 echo_asyncio.py server tcp PORT | server unix PATH
#   python3 echo_asyncio.py client tcp PORT N | client unix PATH N
# Each client sends a distinct payload (a few KiB to ~100 KiB), half-closes,
# and checks the echo; the client prints "echo ok K of N" and finally sends
# "QUIT", which makes the server exit 0 (silently: its output would race
# with the client's).
import asyncio
import sys

stop = None  # set in serve(): the QUIT connection sets it

async def handle(reader, writer):
    first = await reader.read(4)
    if first == b'QUIT':
        writer.close()
        stop.set()
        return
    writer.write(first)
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def serve(kind, where):
    global stop
    stop = asyncio.Event()
    if kind == 'tcp':
        server = await asyncio.start_server(handle, '127.0.0.1', int(where))
    else:
        server = await asyncio.start_unix_server(handle, where)
    async with server:
        await stop.wait()

async def connect(kind, where):
    for _ in range(300):
        try:
            if kind == 'tcp':
                return await asyncio.open_connection('127.0.0.1', int(where))
            return await asyncio.open_unix_connection(where)
        except (ConnectionRefusedError, FileNotFoundError):
            await asyncio.sleep(0.1)
    raise RuntimeError('server did not come up')

async def one(kind, where, i):
    reader, writer = await connect(kind, where)
    payload = (b'client %d;' % i) * (300 + i * 97)
    writer.write(payload)
    await writer.drain()
    writer.write_eof()
    got = bytearray()
    while True:
        data = await reader.read(65536)
        if not data:
            break
        got += data
    writer.close()
    await writer.wait_closed()
    return bytes(got) == payload

async def clients(kind, where, n):
    results = await asyncio.gather(*[one(kind, where, i) for i in range(n)])
    print('echo ok %d of %d' % (sum(results), n), flush=True)
    _, writer = await connect(kind, where)
    writer.write(b'QUIT')
    await writer.drain()
    writer.close()

role, kind, where = sys.argv[1], sys.argv[2], sys.argv[3]
if role == 'server':
    asyncio.run(serve(kind, where))
else:
    asyncio.run(clients(kind, where, int(sys.argv[4])))
