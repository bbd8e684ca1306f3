"""The explorer's routes under /explorer/: its pages, and same-origin doors to the node's public
interfaces, so a browser needs no CORS from the node.

- `/explorer/` and its files: the page (static/), the packages it uses as they ship
  (contracts/node_modules: ethers, topojson-client, world-atlas's land outline) and the
  precompiles' ABIs (contracts/build/I*.json);
- `/explorer/api/cometbft/<method>`: a GET of CometBFT's RPC in the shapes the page reads
  (`blockchain`; `tx_search` of an account's txs or of recent blocks; `abci_query` of the app paths
  it shows), passed to the node's RPC as it is; anything else 404;
- `/explorer/api/eth` (POST) and `/explorer/api/ws` (WebSocket): the Ethereum JSON-RPC, the
  gateway's own handlers when the gateway serves the explorer, else a pass-through to one.

Nothing else is read: the explorer shows what any client of the node could see.
"""

import asyncio
import json
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import WSMsgType, web

from ..contracts import BUILD_DIR

STATIC = Path(__file__).resolve().parent / "static"
NODE_MODULES = BUILD_DIR.parent / "node_modules"
VENDOR = {   # the name the page asks for -> the file as its package ships it
    "ethers.js": NODE_MODULES / "ethers" / "dist" / "ethers.min.js",
    "topojson.js": NODE_MODULES / "topojson-client" / "dist" / "topojson-client.min.js",
    "land-110m.json": NODE_MODULES / "world-atlas" / "land-110m.json",
}
# An installed copy instead of the checkout's (the Docker image's: vendor/<file>, abi/<IName>.json)
ASSETS = os.environ.get("MILES_EXPLORER_ASSETS")
INTERFACES = ("IStaking", "ICoupons", "IArbitration", "IAds", "IGroups", "IIdentity", "IGovernance")
# What the page reads of CometBFT, and no more: the latest block metas, the tx index in the shapes
# the page asks (an account's txs, the txs of recent blocks), and the app paths it shows.
ACCOUNT_TXS = re.compile(r"eth\.(from|to)='0x[0-9a-f]{40}'")
RECENT_TXS = re.compile(r"tx\.height>(\d{1,19})")
RECENT_BLOCKS = 1_000          # how far back `tx.height>N` may reach (CometBFT loads every match)
MAX_PER_PAGE = 20
ABCI_PATHS = re.compile(r"/(validators|params|supply|history|(delegations|rewards)/0x[0-9a-f]{40})")
MAX_ANSWER_BYTES = 8 * 1024 * 1024   # what one passed-through answer may hold
MAX_SOCKETS = 64                     # WebSockets `miles explorer` passes to the gateway at once
TIMEOUT_S = 15.0
PREFIX = "/explorer"
PAGE_HEADERS = {   # the page runs its own scripts only, and talks to its own origin only
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TooLarge(Exception):
    pass


async def read_bounded(stream: aiohttp.StreamReader, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The whole body, TooLarge past `limit` (StreamReader.read(n) stops at what has arrived)."""
    chunks, size = [], 0
    async for chunk in stream.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def same_origin(request: web.Request) -> bool:
    """A browser page of this host and port (its scheme aside: a TLS proxy may stand in front)."""
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc == request.host


def add_routes(app: web.Application, rpc_url: str, eth_http: Handler, eth_ws: Handler) -> None:
    """The explorer's routes on `app`: CometBFT reads go to `rpc_url`, Ethereum JSON-RPC to the
    two handlers."""
    rpc_url = rpc_url.rstrip("/")
    session: dict[str, aiohttp.ClientSession] = {}

    async def client() -> aiohttp.ClientSession:
        if "client" not in session:
            session["client"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        return session["client"]

    async def close(_app: web.Application) -> None:
        if "client" in session:
            await session.pop("client").close()

    async def upstream(method: str, params) -> tuple[int, bytes]:
        async with (await client()).get(f"{rpc_url}/{method}", params=params) as answer:
            return answer.status, await read_bounded(answer.content)

    async def head_height() -> int:
        _, body = await upstream("status", {})
        return int(json.loads(body)["result"]["sync_info"]["latest_block_height"])

    async def refusal(method: str, query) -> str | None:
        """Why the page would never ask this (None: it may pass)."""
        if method == "blockchain":
            return None if not query else "blockchain takes no range here"
        if method == "abci_query":
            path = json.loads(query.get("path", '""'))
            return None if ABCI_PATHS.fullmatch(path) and "data" not in query else f"abci_query {path} is not read here"
        if method != "tx_search":
            return f"{method} is not one of the explorer's read methods"
        if int(query.get("per_page", MAX_PER_PAGE)) > MAX_PER_PAGE or int(query.get("page", 1)) != 1:
            return f"tx_search answers its first page of at most {MAX_PER_PAGE} here"
        search = json.loads(query.get("query", '""'))
        if ACCOUNT_TXS.fullmatch(search):
            return None
        recent = RECENT_TXS.fullmatch(search)
        if recent and int(recent[1]) >= await head_height() - RECENT_BLOCKS:
            return None
        return f"tx_search {search!r} is not asked here (an account's txs, or those of the last {RECENT_BLOCKS} blocks)"

    async def cometbft(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            why = await refusal(method, request.query)
            if why is not None:
                return web.json_response({"error": why}, status=404)
            status, body = await upstream(method, request.query)
        except TooLarge:
            return web.json_response({"error": "the answer is too large"}, status=502)
        except (ValueError, TypeError, KeyError):
            return web.json_response({"error": "malformed parameters"}, status=400)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return web.json_response({"error": "the node is unavailable"}, status=502)
        return web.Response(body=body, status=status, content_type="application/json")

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)

    async def vendor(request: web.Request) -> web.FileResponse:
        path = VENDOR.get(request.match_info["name"])
        if path is not None and ASSETS:
            path = Path(ASSETS) / "vendor" / path.name
        if path is None or not path.is_file():
            raise web.HTTPNotFound(text="not shipped: run scripts/bootstrap.sh (contracts/node_modules)")
        return web.FileResponse(path, headers={"X-Content-Type-Options": "nosniff"})

    async def abi(request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        if name not in INTERFACES:
            raise web.HTTPNotFound()
        return web.FileResponse((Path(ASSETS) / "abi" if ASSETS else BUILD_DIR) / f"{name}.json")

    async def home(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    app.on_cleanup.append(close)
    app.router.add_get(PREFIX, home)
    app.router.add_get(f"{PREFIX}/", page)
    app.router.add_get(PREFIX + "/api/cometbft/{method}", cometbft)
    app.router.add_post(f"{PREFIX}/api/eth", eth_http)
    app.router.add_get(f"{PREFIX}/api/ws", eth_ws)
    app.router.add_get(PREFIX + "/vendor/{name}", vendor)
    app.router.add_get(PREFIX + "/abi/{name}.json", abi)
    app.router.add_static(f"{PREFIX}/static", STATIC)


def passthrough(gateway_url: str) -> tuple[Handler, Handler]:
    """Handlers that pass the Ethereum JSON-RPC to the gateway at `gateway_url`, for an explorer
    served apart from it: HTTP as it is; a WebSocket of the explorer's own page only, at most
    MAX_SOCKETS at once, carrying its one newHeads subscription, closed with the browser's."""
    gateway_url = gateway_url.rstrip("/")
    ws_url = "ws" + gateway_url.removeprefix("http")
    sockets = asyncio.Semaphore(MAX_SOCKETS)

    async def http(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as client:
                async with client.post(gateway_url, data=body, headers={"Content-Type": "application/json"}) as answer:
                    return web.Response(body=await read_bounded(answer.content), status=answer.status,
                                        content_type="application/json")
        except (aiohttp.ClientError, asyncio.TimeoutError, TooLarge):
            return web.json_response({"jsonrpc": "2.0", "id": None,
                                      "error": {"code": -32000, "message": "the gateway is unavailable"}}, status=502)

    async def ws(request: web.Request) -> web.StreamResponse:
        if not same_origin(request):
            return web.Response(status=403, text="origin not allowed")
        if sockets.locked():
            return web.Response(status=503, text="too many live pages")
        async with sockets:
            browser = web.WebSocketResponse(heartbeat=30, max_msg_size=4096)
            await browser.prepare(request)
            try:
                async with aiohttp.ClientSession() as client, client.ws_connect(ws_url) as gateway:
                    await _pump(browser, gateway)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await browser.close()
            return browser

    return http, ws


async def _pump(browser: web.WebSocketResponse, gateway) -> None:
    """Pass the page's subscription up and what the gateway pushes down, until either side closes."""
    async def up() -> None:
        async for message in browser:
            if message.type == WSMsgType.TEXT and _is_new_heads(message.data):
                await gateway.send_str(message.data)
                break   # one subscription per page; the loop below drains the rest
        async for _ in browser:
            pass

    async def down() -> None:
        async for message in gateway:
            if message.type == WSMsgType.TEXT:
                await browser.send_str(message.data)

    tasks = [asyncio.ensure_future(up()), asyncio.ensure_future(down())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await gateway.close()


def _is_new_heads(text: str) -> bool:
    try:
        request = json.loads(text)
    except ValueError:
        return False
    return isinstance(request, dict) and request.get("method") == "eth_subscribe" and request.get("params") == ["newHeads"]


def serve(rpc_url: str, gateway_url: str, host: str, port: int) -> None:
    """`miles explorer`: the explorer for any node, until interrupted."""
    app = web.Application()
    add_routes(app, rpc_url, *passthrough(gateway_url))
    print(f"explorer: http://{host}:{port}{PREFIX}/ (node {rpc_url}, gateway {gateway_url})", flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=1.0)
