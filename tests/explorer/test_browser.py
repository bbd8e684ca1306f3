"""The explorer in a real browser (issue 20): Debian's chromium, driven by selenium through
chromedriver, against a real chain served by `miles start`'s gateway under /explorer/.

The chain holds a transfer, a delegation, a coupon campaign, an order with a dispute decided by
three arbiters, and a proposal. Every page is opened; what it shows is checked against the chain's
own answers (JSON-RPC, abci_query); the browser's console stays free of errors; and each page is
photographed at a desktop's and a phone's width into build/test-output/explorer/ (the path is
printed). Skipped, with the reason, only where chromium or chromedriver is not installed
(scripts/bootstrap.sh installs them where it may)."""

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from eth_abi import decode
from eth_hash.auto import keccak
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from abci_app.cli.localnode import LocalNode, free_port, wait_until
from abci_app.cli.wallet import dev_account
from abci_app.rpc.gateway import Gateway

from ..e2e.test_middleware_chain import CMT, COUPONS, CREATE_CAMPAIGN, EIFFEL, Wallet, _block_time, _topic_id
from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "test-output" / "explorer"
STAKING, ARBITRATION, GROUPS, GOVERNANCE = ("0x000000000000000000000000000000000000" + s
                                            for s in ("cc01", "cc03", "cc05", "cc07"))
RECIPIENT = "0x000000000000000000000000000000000000bEEF"
METADATA = "10 CMT off near the tower <img src=x onerror=alert(1)>"   # anyone writes it: shown as text
REVIEW, GROUP = "slow to answer", "Night market"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
PAGE_TIMEOUT_S = 20


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A one-node chain with the explorer on its gateway, and what was done on it."""
    node = LocalNode.create(tmp_path_factory.mktemp("explorer") / "node")
    gateway = None
    try:
        node.start()
        gateway = Gateway(node.config.rpc_url, port=0, explorer=True).start()
        yield gateway, node, Wallet(node.rpc), _activity(Wallet(node.rpc))
        assert_solvent(node.rpc)
    finally:
        if gateway is not None:
            gateway.stop()
        node.stop()


def _activity(chain: Wallet) -> dict:
    done = {"transfer": chain.send(dev_account(1), RECIPIENT, b"", value=5 * CMT)["hash"],
            "delegation": chain.call(dev_account(2), STAKING, "delegate(address)", dev_account(0).address,
                                     value=2_000 * CMT)["hash"]}
    end = _block_time(chain.rpc) + 86_400
    created = chain.call(dev_account(6), COUPONS, CREATE_CAMPAIGN, dev_account(5).address, 10 * CMT, 5, *EIFFEL,
                         25_000, 0, end, "0x" + "00" * 20, METADATA, value=50 * CMT)
    done["campaign"] = _topic_id(created, b"CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,"
                                          b"uint32,uint64,uint64,address)")
    arbiters, buyer, seller = [dev_account(i) for i in (1, 2, 3)], dev_account(4), dev_account(5)
    for arbiter in arbiters:
        chain.call(arbiter, ARBITRATION, "joinPool()", value=10_000 * CMT)
    opened = chain.call(buyer, ARBITRATION, "openOrder(address,bytes32,uint64)", seller.address, b"\x01" * 32,
                        _block_time(chain.rpc) + 3600, value=100 * CMT)
    order = _topic_id(opened, b"OrderOpened(uint256,address,address,bytes32,uint256,uint256,uint64)")
    chain.call(seller, ARBITRATION, "acceptOrder(uint256)", order)   # (so its parties may review it)
    raised = chain.call(buyer, ARBITRATION, "raiseDispute(uint256,string)", order, "never arrived", value=CMT)
    draw_height = decode(["string", "uint256", "uint64"], bytes.fromhex(raised["logs"][-1]["data"][2:]))[2]
    wait_until(lambda: int(chain.rpc.status()["sync_info"]["latest_block_height"]) > draw_height, 60, "the draw block")
    chain.call(seller, ARBITRATION, "drawArbiters(uint256)", order)
    for arbiter, refund in zip(arbiters, (True, True, False)):
        chain.call(arbiter, ARBITRATION, "vote(uint256,bool)", order, refund)
    chain.call(buyer, ARBITRATION, "review(uint256,uint8,string)", order, 2, REVIEW)
    done.update(order=order, seller=seller.address)
    chain.call(dev_account(7), GROUPS, "createGroup(string,string,uint8,address,uint256,address,bytes32)", GROUP,
               "food", 0, "0x" + "00" * 20, 0, "0x" + "00" * 20, b"\0" * 32, value=1_000 * CMT)
    proposal = chain.call(dev_account(7), GOVERNANCE, "submitText(string,string)", "Open the night market",
                          "A text proposal the explorer shows", value=10_000 * CMT)
    done["proposal"] = proposal["hash"]
    return done


def _rpc(url: str, method: str, params: list):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, body, {"Content-Type": "application/json"}), timeout=30) as r:
        return json.loads(r.read())["result"]


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium and chromedriver are not installed (scripts/bootstrap.sh installs Debian's "
                    "chromium and chromium-driver where apt-get may run)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nexplorer screenshots: {SHOTS}")
    yield driver
    driver.quit()


def _open(driver, url: str, page: str):
    """Open `url` and wait for the page to be drawn; its <main>."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, PAGE_TIMEOUT_S).until(lambda d: d.execute_script(
        "const m = document.getElementById('main');"
        f"return m.getAttribute('aria-busy') === 'false' && m.dataset.page === '{page}';"))
    return driver.find_element(By.ID, "main")


def _shoot(driver, name: str) -> None:
    for size, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        driver.save_screenshot(str(SHOTS / f"{name}-{size}.png"))
    driver.set_window_size(*SIZES["desktop"])


def _cmt(wei: int) -> str:
    """As the page writes CMT: thousands grouped, every significant decimal."""
    whole, _, fraction = format(Decimal(wei) / Decimal(CMT), "f").partition(".")
    fraction = fraction.rstrip("0")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "") + " CMT"


def test_every_page_shows_what_the_chain_answers(world, browser):
    from selenium.webdriver.common.by import By

    gateway, node, chain, done = world
    base, eth = f"{gateway.url}/explorer/", gateway.url

    main = _open(browser, base, "latest")
    first_page_ms = browser.execute_script("return window.explorerFirstPageMs")
    print(f"first page drawn {first_page_ms} ms after navigation started")
    assert first_page_ms <= 1000
    latest = browser.execute_script(   # read at once: the page is redrawn as blocks come
        "return ['head', 'latest-blocks', 'latest-txs'].map((id) => document.getElementById(id).textContent)")
    assert done["proposal"][:10] in latest[2]   # the newest tx, however many empty blocks followed it
    assert int(latest[0]) >= int(_rpc(eth, "eth_getTransactionReceipt", [done["proposal"]])["blockNumber"], 16)
    assert latest[0] in latest[1]
    _shoot(browser, "latest")

    delegation = _rpc(eth, "eth_getTransactionByHash", [done["delegation"]])
    main = _open(browser, f"{base}#/tx/{done['delegation']}", "tx")
    assert "STAKING: delegate(candidate=" in main.find_element(By.ID, "decoded-call").text
    assert "Delegated(" in main.find_element(By.ID, "tx-events").text
    assert main.find_element(By.CSS_SELECTOR, '[data-field="Value"]').text == _cmt(2_000 * CMT)
    _shoot(browser, "transaction")

    number = int(delegation["blockNumber"], 16)
    main = _open(browser, f"{base}#/block/{number}", "block")
    assert done["delegation"][:10] in main.find_element(By.ID, "block-txs").text
    assert _rpc(eth, "eth_getBlockByNumber", [hex(number), False])["hash"] in main.text
    _shoot(browser, "block")

    delegator = dev_account(2).address
    main = _open(browser, f"{base}#/address/{delegator}", "address")
    balance = int(_rpc(eth, "eth_getBalance", [delegator, "latest"]), 16)
    assert main.find_element(By.CSS_SELECTOR, '[data-field="Balance"]').text == _cmt(balance)
    assert done["delegation"][:10] in main.find_element(By.ID, "account-txs").text
    assert _cmt(2_000 * CMT) in main.find_element(By.ID, "account-delegations").text
    _shoot(browser, "account")

    main = _open(browser, f"{base}#/address/{done['seller']}", "address")
    score = decode(["(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint64,uint64)", "uint256"],
                   bytes.fromhex(_rpc(eth, "eth_call", [{"to": ARBITRATION, "input": "0x" + keccak(
                       b"credit(address)")[:4].hex() + done["seller"][2:].lower().rjust(64, "0")}, "latest"])[2:]))[1]
    assert main.find_element(By.ID, "credit-score").text == str(score)
    assert REVIEW in main.find_element(By.ID, "account-reviews").text
    main = _open(browser, f"{base}#/address/{dev_account(7).address}", "address")
    assert GROUP in main.find_element(By.ID, "account-groups").text

    validators = node.rpc.query_json("/validators")["validators"]
    main = _open(browser, f"{base}#/validators", "validators")
    rows = main.find_elements(By.CSS_SELECTOR, "#validators tbody tr")
    assert len(rows) == len(validators) and str(validators[0]["power"]) in rows[0].text
    _shoot(browser, "validators")

    main = _open(browser, f"{base}#/supply", "supply")
    supply = node.rpc.query_json("/supply")
    shown = main.find_element(By.ID, "supply-total").text
    assert Decimal(shown.split()[0].replace(",", "")) * CMT >= int(supply["genesis"])
    assert main.find_elements(By.CSS_SELECTOR, "#supply-chart path")
    _shoot(browser, "supply")

    main = _open(browser, f"{base}#/coupons", "coupons")
    assert main.find_elements(By.CSS_SELECTOR, f'#coupon-map path[data-campaign="{done["campaign"]}"]')
    assert main.find_elements(By.CSS_SELECTOR, "#coupon-map path.land")
    campaigns = main.find_element(By.ID, "coupon-campaigns")
    assert METADATA in campaigns.text and not campaigns.find_elements(By.TAG_NAME, "img")
    _shoot(browser, "coupons")

    main = _open(browser, f"{base}#/orders", "orders")
    assert "resolved" in main.find_element(By.ID, "orders").text and "refunded to the buyer" in main.text
    panel = main.find_element(By.ID, f"arbiters-{done['order']}")
    votes = sorted(row.text.split(maxsplit=1)[1] for row in panel.find_elements(By.CSS_SELECTOR, "tbody tr"))
    assert votes == ["refund the buyer", "refund the buyer", "release to the seller"]
    _shoot(browser, "orders")

    main = _open(browser, f"{base}#/ads", "ads")
    assert main.find_element(By.ID, "ad-campaigns").text == "None yet."
    _shoot(browser, "ads")
    main = _open(browser, f"{base}#/groups", "groups")
    assert GROUP in main.find_element(By.ID, "groups").text
    _shoot(browser, "groups")

    main = _open(browser, f"{base}#/governance", "governance")
    assert "Open the night market" in main.find_element(By.ID, "proposals").text
    _shoot(browser, "governance")

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_miles_explorer_serves_any_node_through_its_public_interfaces(world, browser):
    """`miles explorer --rpc URL --gateway URL` serves the same pages apart from the node: CometBFT's
    read methods and the JSON-RPC (HTTP and WebSocket) pass through; nothing else does."""
    gateway, node, _, done = world
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "abci_app.cli.main", "explorer", "--rpc", node.config.rpc_url,
                                "--gateway", gateway.url, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/explorer"
    try:
        wait_until(lambda: _get(f"{base}/")[0] == 200, 30, "miles explorer to serve")
        status, body = _get(f"{base}/api/cometbft/blockchain")
        assert status == 200 and int(json.loads(body)["result"]["last_height"]) >= 1
        quoted = urllib.parse.quote
        for refused in ("broadcast_tx_sync?tx=0x00", "unsafe_flush_mempool", "dial_peers", "genesis", "status",
                        "net_info", "blockchain?minHeight=1&maxHeight=20",
                        f"abci_query?path={quoted(json.dumps('/logs'))}",
                        f"abci_query?path={quoted(json.dumps('/supply'))}&data=0x00",
                        f"tx_search?query={quoted(json.dumps('tx.height>=0'))}",
                        f"tx_search?query={quoted(json.dumps('eth.from=' + repr(RECIPIENT.lower())))}&per_page=100"):
            assert _get(f"{base}/api/cometbft/{refused}")[0] == 404, refused
        assert _get(f"{base}/api/cometbft/abci_query?path={quoted(json.dumps('/supply'))}")[0] == 200
        with pytest.raises(InvalidStatus):   # another site's page may not use the gateway through it
            connect(f"ws://127.0.0.1:{port}/explorer/api/ws", origin="https://evil.example", open_timeout=10)
        assert _get(f"{base}/vendor/../../pyproject.toml")[0] == 404
        assert _get(f"{base}/abi/Token.json")[0] == 404   # the precompiles' interfaces only
        head = _rpc(f"{base}/api/eth", "eth_blockNumber", [])
        assert int(head, 16) >= 1
        main = _open(browser, f"{base}/#/tx/{done['transfer']}", "tx")
        assert _cmt(5 * CMT) in main.text
        wait_until(lambda: browser.find_element("id", "status").text.startswith("Live"), 30,
                   "the page to follow blocks over the WebSocket")
    finally:
        process.terminate()
        process.wait(10)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def test_the_search_box_and_the_menu_work_from_the_keyboard(world, browser):
    """Tab reaches the search box; a tx hash, an address and a block number each open their page;
    the menu's links are reachable and named."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    gateway, _, _, done = world
    _open(browser, f"{gateway.url}/explorer/#/validators", "validators")
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(3):   # the skip link, the brand, the search box
        body.send_keys(Keys.TAB) if browser.switch_to.active_element.tag_name == "body" else \
            browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "search-input"
    for query, page in ((done["delegation"], "tx"), (dev_account(2).address, "address"), ("3", "block")):
        field = browser.find_element(By.ID, "search-input")
        field.clear()
        field.send_keys(query, Keys.ENTER)
        main = _open_current(browser, page)
        assert (query.lower() in main.text.lower()) if page != "block" else main.text.startswith("Block 3")
    links = browser.find_elements(By.CSS_SELECTOR, "nav a")
    assert [link.text for link in links] == ["Latest", "Validators", "Supply", "Coupons", "Orders", "Ads", "Groups",
                                             "Governance"]
    assert browser.find_element(By.TAG_NAME, "nav").get_attribute("aria-label") == "Sections"


def _open_current(driver, page: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, PAGE_TIMEOUT_S).until(lambda d: d.execute_script(
        "const m = document.getElementById('main');"
        f"return m.getAttribute('aria-busy') === 'false' && m.dataset.page === '{page}';"))
    return driver.find_element(By.ID, "main")
