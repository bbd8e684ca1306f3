"""A small client for CometBFT's JSON-RPC over HTTP (broadcast, abci_query, status, blocks)."""

import base64
import json
import urllib.error
import urllib.request


class RpcError(Exception):
    """CometBFT answered with an error, or could not be reached."""


class CometRPC:
    def __init__(self, url: str = "http://127.0.0.1:26657", timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def _post(self, what: str, payload):
        request = urllib.request.Request(self.url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RpcError(f"{what}: cannot reach CometBFT at {self.url}: {exc}") from None

    @staticmethod
    def _result(method: str, answer: dict):
        if "error" in answer:
            raise RpcError(f"{method}: {answer['error']}")
        return answer["result"]

    def call(self, method: str, **params):
        return self._result(method, self._post(method, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))

    def broadcast_batch(self, raws: list[bytes]) -> list[dict]:
        """broadcast_tx_sync for many transactions in one JSON-RPC batch, answers in order."""
        batch = [
            {"jsonrpc": "2.0", "id": i, "method": "broadcast_tx_sync", "params": {"tx": base64.b64encode(raw).decode()}}
            for i, raw in enumerate(raws)
        ]
        answers = sorted(self.post_batch("broadcast_tx_sync batch", batch), key=lambda answer: answer["id"])
        return [self._result("broadcast_tx_sync", answer) for answer in answers]

    def post_batch(self, what: str, batch: list[dict]) -> list[dict]:
        """A JSON-RPC batch's answers, in any order. CometBFT answers a batch of one with a bare
        object, and a batch it refuses as a whole (e.g. too many requests) with one error object."""
        answers = self._post(what, batch)
        if isinstance(answers, dict):
            if len(batch) != 1:
                raise RpcError(f"{what}: {answers.get('error')}")
            answers = [answers]
        return answers

    def status(self) -> dict:
        return self.call("status")

    def height(self) -> int:
        return int(self.status()["sync_info"]["latest_block_height"])

    def broadcast_tx_sync(self, raw: bytes) -> dict:
        return self.call("broadcast_tx_sync", tx=base64.b64encode(raw).decode())

    def abci_query(self, path: str, data: bytes = b"", height: int = 0) -> tuple[int, bytes, str]:
        """(code, value, log) of an abci_query; `height` 0 asks for the latest committed state."""
        params = {"path": path, "data": data.hex()}
        if height:
            params["height"] = str(height)
        result = self.call("abci_query", **params)["response"]
        value = base64.b64decode(result.get("value") or "")
        return int(result.get("code", 0)), value, result.get("log", "")

    def query_json(self, path: str):
        code, value, log = self.abci_query(path)
        if code != 0:
            raise RpcError(f"abci_query {path}: code {code}: {log}")
        return json.loads(value)
