"""`miles keys new|import|list` and the keystore signer of the sending commands, without a node:
files, permissions, passwords, and flag errors that exit 2 before anything is sent."""

import io
import json
import re
import stat

import pytest
from eth_account import Account

from abci_app.cli import keys
from abci_app.cli.tx import encode_args, parse_signature, selector
from abci_app.cli.wallet import dev_account

from .inprocess import run_inprocess

PASSWORD = "correct horse battery staple"
DEV = dev_account(3)
DEV_KEY_HEX = DEV.key.hex()
RECIPIENT = "0x" + "9a" * 20


@pytest.fixture(autouse=True)
def password(monkeypatch, tmp_path):
    """Every test has MILES_PASSWORD, and a HOME whose ~/.miles/keystore is in tmp_path."""
    monkeypatch.setenv(keys.PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(keys.KEYSTORE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def import_dev_key(monkeypatch, keystore, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(DEV_KEY_HEX + "\n"))
    return run_inprocess("keys", "import", "--keystore", str(keystore), "--light-kdf", *extra)


def key_files(keystore):
    return sorted(path for path in keystore.iterdir() if path.is_file())


# ---- keys new / import / list ------------------------------------------------------------------

def test_new_writes_an_encrypted_private_file_that_decrypts_to_the_printed_address(tmp_path, capsys):
    keystore = tmp_path / "ks"
    assert run_inprocess("keys", "new", "--keystore", str(keystore), "--light-kdf") == 0
    out, err = capsys.readouterr()
    address = out.strip()
    [path] = key_files(keystore)
    assert re.fullmatch(r"UTC--\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{9}Z--" + address[2:].lower(), path.name)
    assert stat.S_IMODE(keystore.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["version"] == 3 and document["crypto"]["kdf"] == "scrypt"
    assert document["crypto"]["kdfparams"]["n"] == keys.LIGHT_SCRYPT_N
    private_key = Account.decrypt(document, PASSWORD)
    assert Account.from_key(private_key).address == address
    assert private_key.hex() not in out + err and str(path) in err


def test_import_from_stdin_or_a_file_and_list(tmp_path, monkeypatch, capsys):
    keystore = tmp_path / "ks"
    assert import_dev_key(monkeypatch, keystore) == 0
    out, err = capsys.readouterr()
    assert out.strip() == DEV.address
    assert DEV_KEY_HEX.removeprefix("0x") not in out + err
    key_file = tmp_path / "key.txt"
    other = Account.from_key(b"\x07" * 32)
    key_file.write_text(other.key.hex() + "\n")
    assert run_inprocess("keys", "import", "--keystore", str(keystore), "--key-file", str(key_file), "--light-kdf") == 0
    assert capsys.readouterr().out.strip() == other.address

    assert run_inprocess("keys", "list", "--keystore", str(keystore)) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in listed) == sorted([DEV.address, other.address])
    for line in listed:
        address, path = line.split()
        assert Account.from_key(Account.decrypt(json.loads(open(path).read()), PASSWORD)).address == address


def test_the_keystore_folder_from_env_and_home(tmp_path, monkeypatch, capsys):
    assert run_inprocess("keys", "new", "--light-kdf") == 0
    address = capsys.readouterr().out.strip()
    assert [p.name.endswith(address[2:].lower()) for p in key_files(tmp_path / "home" / ".miles" / "keystore")] \
        == [True]
    monkeypatch.setenv(keys.KEYSTORE_ENV, str(tmp_path / "env-ks"))
    assert run_inprocess("keys", "list") == 0
    assert capsys.readouterr().out == ""
    assert import_dev_key(monkeypatch, tmp_path / "env-ks") == 0
    capsys.readouterr()
    assert run_inprocess("keys", "list") == 0
    assert capsys.readouterr().out.split()[0] == DEV.address


def test_the_standard_kdf_is_geths(tmp_path, capsys):
    assert run_inprocess("keys", "new", "--keystore", str(tmp_path)) == 0
    [path] = key_files(tmp_path)
    assert json.loads(path.read_text())["crypto"]["kdfparams"]["n"] == 1 << 18


def test_passwords_from_a_file_or_the_prompt(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(keys.PASSWORD_ENV)
    password_file = tmp_path / "password"
    password_file.write_text("from a file\n")
    assert run_inprocess("keys", "new", "--keystore", str(tmp_path / "a"), "--light-kdf",
                 "--password-file", str(password_file)) == 0
    [path] = key_files(tmp_path / "a")
    Account.decrypt(json.loads(path.read_text()), "from a file")

    answers = iter(["typed", "typed"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run_inprocess("keys", "new", "--keystore", str(tmp_path / "b"), "--light-kdf") == 0
    [path] = key_files(tmp_path / "b")
    Account.decrypt(json.loads(path.read_text()), "typed")

    answers = iter(["typed", "mistyped"])
    assert run_inprocess("keys", "new", "--keystore", str(tmp_path / "c"), "--light-kdf") == 2
    assert "do not match" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("text", ["", "0x1234", "zz" * 32, "0x" + "00" * 32])
def test_a_bad_private_key_exits_2_without_echoing_it(text, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))
    assert run_inprocess("keys", "import", "--keystore", str(tmp_path), "--light-kdf") == 2
    err = capsys.readouterr().err
    assert "not a 32-byte hex private key" in err
    assert not text or text.removeprefix("0x") not in err
    assert key_files(tmp_path) == []


def test_importing_a_key_twice_exits_2(tmp_path, monkeypatch, capsys):
    assert import_dev_key(monkeypatch, tmp_path) == 0
    assert import_dev_key(monkeypatch, tmp_path) == 2
    assert "already in the keystore" in capsys.readouterr().err
    assert len(key_files(tmp_path)) == 1


# ---- --from: the keystore signer ---------------------------------------------------------------

def test_from_unlocks_the_key_and_reaches_for_the_node(tmp_path, monkeypatch, capsys):
    assert import_dev_key(monkeypatch, tmp_path) == 0
    capsys.readouterr()
    assert run_inprocess("tx", "send", "--to", RECIPIENT, "--value", "1", "--from", DEV.address.lower(),
                 "--keystore", str(tmp_path)) == 1
    assert "cannot reach CometBFT" in capsys.readouterr().err
    # stake commands sign the same way (redelegate has its own --from: --account there)
    assert run_inprocess("stake", "delegate", "--candidate", RECIPIENT, "--amount", "1000", "--from", DEV.address,
                 "--keystore", str(tmp_path)) == 1
    assert run_inprocess("stake", "redelegate", "--from", RECIPIENT, "--to", RECIPIENT, "--amount", "1000",
                 "--account", DEV.address, "--keystore", str(tmp_path)) == 1


def test_a_wrong_password_or_a_missing_key_exits_2(tmp_path, monkeypatch, capsys):
    assert import_dev_key(monkeypatch, tmp_path / "ks") == 0
    capsys.readouterr()
    monkeypatch.setenv(keys.PASSWORD_ENV, "wrong")
    send = ("tx", "send", "--to", RECIPIENT, "--value", "1")
    assert run_inprocess(*send, "--from", DEV.address, "--keystore", str(tmp_path / "ks")) == 2
    assert "wrong password" in capsys.readouterr().err
    assert run_inprocess(*send, "--from", dev_account(4).address, "--keystore", str(tmp_path / "ks")) == 2
    assert "no key for" in capsys.readouterr().err
    assert run_inprocess(*send, "--from", DEV.address, "--keystore", str(tmp_path / "nowhere")) == 2
    assert "no key for" in capsys.readouterr().err
    assert run_inprocess(*send, "--from", "0x1234", "--keystore", str(tmp_path / "ks")) == 2
    assert "not an address" in capsys.readouterr().err
    assert run_inprocess("tx", "deploy", "--contract", "Counter", "--from", DEV.address,
                 "--keystore", str(tmp_path / "ks")) == 2


def test_only_one_signer(tmp_path):
    assert run_inprocess("tx", "send", "--to", RECIPIENT, "--value", "1", "--from", DEV.address, "--key", DEV_KEY_HEX) == 2


# ---- tx send / call / deploy flags -------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("tx", "send", "--to", RECIPIENT),                                          # nothing to send
    ("tx", "send", "--to", RECIPIENT, "--data", "0xzz"),
    ("tx", "send", "--to", RECIPIENT, "--data", "0x12", "--sig", "f()"),
    ("tx", "send", "--to", RECIPIENT, "--data", "0x12", "--args", "1"),
    ("tx", "send", "--to", RECIPIENT, "--sig", "add(uint256)"),                 # an argument short
    ("tx", "send", "--to", RECIPIENT, "--sig", "add(uint256)", "--args", "x"),
    ("tx", "send", "--to", RECIPIENT, "--sig", "add(uint8)", "--args", "256"),
    ("tx", "send", "--to", RECIPIENT, "--sig", "add(uint999)", "--args", "1"),
    ("tx", "send", "--to", RECIPIENT, "--sig", "nope", "--args", "1"),
    ("tx", "send", "--to", RECIPIENT, "--sig", "f(address)", "--args", "0x12"),
    ("tx", "send", "--to", RECIPIENT, "--value", "1", "--gas", "0"),
    ("tx", "call", "--to", "nope", "--data", "0x"),
    ("tx", "call", "--to", RECIPIENT, "--sig", "count()", "--returns", "uint7"),
    ("tx", "call", "--to", RECIPIENT, "--sig", "count()", "--from", "0x12"),
    ("tx", "deploy"),
    ("tx", "deploy", "--contract", "NoSuchContract"),
    ("tx", "deploy", "--contract", "../Counter"),
    ("tx", "deploy", "--contract", "Counter", "--args", "1"),                   # Counter takes none
    ("tx", "deploy", "--bytecode-file", "/no/such/file"),
    ("tx", "deploy", "--contract", "Counter", "--value", "-1"),
])
def test_bad_tx_flags_exit_2(argv, capsys):
    assert run_inprocess(*argv) == 2


def test_bytecode_file_with_constructor_args_needs_their_types(tmp_path, capsys):
    code = tmp_path / "code.hex"
    code.write_text("0x6000\n")
    assert run_inprocess("tx", "deploy", "--bytecode-file", str(code), "--args", "1") == 2
    assert "--sig" in capsys.readouterr().err
    assert run_inprocess("tx", "deploy", "--bytecode-file", str(code), "--sig", "constructor(uint256)", "--args", "1") == 1


def test_good_tx_flags_reach_for_the_node(capsys):
    assert run_inprocess("tx", "call", "--to", RECIPIENT, "--sig", "balanceOf(address)", "--args", RECIPIENT,
                 "--returns", "uint256") == 1
    assert run_inprocess("tx", "send", "--to", RECIPIENT, "--sig", "add(uint256)", "--args", "5") == 1
    assert run_inprocess("tx", "deploy", "--contract", "Counter") == 1
    assert capsys.readouterr().err.count("cannot reach CometBFT") == 3


def test_call_data_is_the_standard_abi_encoding():
    name, types = parse_signature("transfer(address to, uint amount)")
    assert (name, types) == ("transfer", ["address", "uint256"])
    assert selector(name, types).hex() == "a9059cbb"
    assert encode_args(types, [RECIPIENT, "0x10"]) == bytes(12) + bytes.fromhex("9a" * 20) + (16).to_bytes(32, "big")
