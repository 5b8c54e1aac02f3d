"""What the hand-written WebSocket posters of pybase.realtime.delivery save against boto3.

Posts one event frame per connection to a local keep-alive HTTP/1.1 server (started here, in its own
process, answering 200 at once, so the figures are the client's cost) and prints posts/s and the
client's CPU per post for: boto3's `apigatewaymanagementapi.post_to_connection` (SigV4-signed),
ManagementApiPoster signed with botocore's SigV4 signer over http.client, the same unsigned on one
thread and on 32 threads, and PipelinedPoster's pipelined batch. Needs no services; prints the load.

    .venv/bin/python bench/poster_bench.py [--posts 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
FRAME = (
    '{"type":"events","events":[{"id":1,"type":"record.updated","table_id":"tblAAAAAAAAAAAAAA",'
    '"record_id":"recAAAAAAAAAAAAAA","fields":{"Name":"Bracket"}}]}'
)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Answers every complete request in what has arrived, in order (pipelining-safe).
    buf = b""
    try:
        while chunk := await reader.read(65536):
            buf += chunk
            answers = []
            while (end := buf.find(b"\r\n\r\n")) >= 0:
                length = 0
                for line in buf[:end].lower().split(b"\r\n")[1:]:
                    if line.startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if len(buf) < end + 4 + length:
                    break
                buf = buf[end + 4 + length :]
                answers.append(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            if answers:
                writer.write(b"".join(answers))
                await writer.drain()
    finally:
        writer.close()


async def _serve(port: int) -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _measure(label: str, run: Callable[[int], None], posts: int) -> None:
    run(min(50, posts))  # connections opened, clients built
    cpu, wall = time.process_time(), time.perf_counter()
    run(posts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label:44s} {posts / wall:9,.0f} posts/s {cpu / posts * 1e6:7.0f} us CPU/post", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return
    # Dummy credentials and a local stage: signing needs keys, not AWS.
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", PYBASE_STAGE="test")
    import boto3

    from pybase.realtime.delivery import ManagementApiPoster, PipelinedPoster

    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        url = f"http://127.0.0.1:{port}/local"
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, {args.posts} posts each")
        client = boto3.client("apigatewaymanagementapi", endpoint_url=url, region_name="us-east-1")
        signed, plain = ManagementApiPoster(url, sign=True), ManagementApiPoster(url, sign=False)
        piped = PipelinedPoster(url)
        pool = ThreadPoolExecutor(32)
        data = FRAME.encode()

        def via_boto3(n: int) -> None:
            for i in range(n):
                client.post_to_connection(ConnectionId=f"c{i}", Data=data)

        def one_thread(poster: ManagementApiPoster) -> Callable[[int], None]:
            def run(n: int) -> None:
                for i in range(n):
                    poster.post(f"c{i}", FRAME)

            return run

        def threads(n: int) -> None:
            list(pool.map(lambda i: plain.post(f"c{i}", FRAME), range(n)))

        def pipelined(n: int) -> None:
            piped.post_batch({f"c{i}": [FRAME] for i in range(n)})

        _measure("boto3 post_to_connection (signed)", via_boto3, args.posts)
        _measure("http.client + SigV4 (signed), 1 thread", one_thread(signed), args.posts)
        _measure("http.client unsigned, 1 thread", one_thread(plain), args.posts)
        _measure("http.client unsigned, 32 threads", threads, args.posts)
        _measure("pipelined, 4 sockets, one batch", pipelined, args.posts)
        pool.shutdown()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
