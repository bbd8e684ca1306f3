"""The explorer's routes under /explorer/: its pages, and same-origin doors to the node's public
interfaces, so a browser needs no CORS from the node.

- `/explorer/` and its files: the page (static/), the packages it uses as they ship
  (contracts/node_modules: ethers, topojson-client, world-atlas's land outline) and the
  precompiles' ABIs (contracts/build/I*.json);
- `/explorer/api/cometbft/<method>`: a GET of one of CometBFT's read methods (COMETBFT_METHODS,
  `abci_query` among them), passed to the node's RPC as it is;
- `/explorer/api/eth` (POST) and `/explorer/api/ws` (WebSocket): the Ethereum JSON-RPC, the
  gateway's own handlers when the gateway serves the explorer, else a pass-through to one.

Nothing else is read: the explorer shows what any client of the node could see.
"""

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

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
COMETBFT_METHODS = frozenset({"status", "block", "block_by_hash", "blockchain", "commit", "validators", "tx",
                              "tx_search", "abci_query", "net_info"})
MAX_ANSWER_BYTES = 8 * 1024 * 1024   # what one passed-through answer may hold
TIMEOUT_S = 15.0
PREFIX = "/explorer"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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

    async def cometbft(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method not in COMETBFT_METHODS:
            return web.json_response({"error": f"{method} is not one of the explorer's read methods"}, status=404)
        try:
            async with (await client()).get(f"{rpc_url}/{method}", params=request.query) as answer:
                body = await answer.content.read(MAX_ANSWER_BYTES + 1)
                if len(body) > MAX_ANSWER_BYTES:
                    return web.json_response({"error": "the answer is too large"}, status=502)
                return web.Response(body=body, status=answer.status, content_type="application/json")
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return web.json_response({"error": "the node is unavailable"}, status=502)

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def vendor(request: web.Request) -> web.FileResponse:
        path = VENDOR.get(request.match_info["name"])
        if path is not None and ASSETS:
            path = Path(ASSETS) / "vendor" / path.name
        if path is None or not path.is_file():
            raise web.HTTPNotFound(text="not shipped: run scripts/bootstrap.sh (contracts/node_modules)")
        return web.FileResponse(path)

    async def abi(request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        if name not in INTERFACES:
            raise web.HTTPNotFound()
        return web.FileResponse((Path(ASSETS) / "abi" if ASSETS else BUILD_DIR) / f"{name}.json")

    app.on_cleanup.append(close)
    async def home(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    app.router.add_get(PREFIX, home)
    app.router.add_get(f"{PREFIX}/", page)
    app.router.add_get(PREFIX + "/api/cometbft/{method}", cometbft)
    app.router.add_post(f"{PREFIX}/api/eth", eth_http)
    app.router.add_get(f"{PREFIX}/api/ws", eth_ws)
    app.router.add_get(PREFIX + "/vendor/{name}", vendor)
    app.router.add_get(PREFIX + "/abi/{name}.json", abi)
    app.router.add_static(f"{PREFIX}/static", STATIC)


def passthrough(gateway_url: str) -> tuple[Handler, Handler]:
    """Handlers that pass the Ethereum JSON-RPC to the gateway at `gateway_url` (HTTP and
    WebSocket), for an explorer served apart from it."""
    gateway_url = gateway_url.rstrip("/")
    ws_url = "ws" + gateway_url.removeprefix("http")

    async def http(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as client:
                async with client.post(gateway_url, data=body, headers={"Content-Type": "application/json"}) as answer:
                    return web.Response(body=await answer.content.read(MAX_ANSWER_BYTES), status=answer.status,
                                        content_type="application/json")
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return web.json_response({"jsonrpc": "2.0", "id": None,
                                      "error": {"code": -32000, "message": "the gateway is unavailable"}}, status=502)

    async def ws(request: web.Request) -> web.WebSocketResponse:
        browser = web.WebSocketResponse(heartbeat=30)
        await browser.prepare(request)
        try:
            async with aiohttp.ClientSession() as client, client.ws_connect(ws_url) as upstream:
                async def up() -> None:
                    async for message in browser:
                        if message.type == WSMsgType.TEXT:
                            await upstream.send_str(message.data)
                pump = asyncio.ensure_future(up())
                try:
                    async for message in upstream:
                        if message.type == WSMsgType.TEXT:
                            await browser.send_str(message.data)
                finally:
                    pump.cancel()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
        await browser.close()
        return browser

    return http, ws


def serve(rpc_url: str, gateway_url: str, host: str, port: int) -> None:
    """`miles explorer`: the explorer for any node, until interrupted."""
    app = web.Application()
    add_routes(app, rpc_url, *passthrough(gateway_url))
    print(f"explorer: http://{host}:{port}{PREFIX}/ (node {rpc_url}, gateway {gateway_url})", flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=1.0)
