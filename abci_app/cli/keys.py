"""`miles keys new|import|list`: Ethereum keys kept on this machine in encrypted keystore files.

The files are geth's and every wallet's Web3 Secret Storage (V3) JSON, written by eth-account:
`UTC--<time>--<address>` in the keystore folder (default ~/.miles/keystore, else $MILES_KEYSTORE or
`--keystore DIR`), the folder 0700 and each file 0600. A key is decrypted only in this process,
to sign; nothing but the signed transaction ever leaves it. A private key to import is read from
stdin or `--key-file`, never from the command line (which shells keep in their history).

Passwords come from `--password-file FILE`, else $MILES_PASSWORD, else a prompt (asked twice
when a key is stored). Keys are stored with scrypt at geth's standard cost (n=2^18, about half a
second to unlock); `--light-kdf` uses n=2^12 as geth's --lightkdf does, for tests and devnets.
Problems with the keystore, a password or a key are `KeystoreError`: the command exits 2.
"""

import argparse
import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address

KEYSTORE_ENV = "MILES_KEYSTORE"
PASSWORD_ENV = "MILES_PASSWORD"
DEFAULT_KEYSTORE = Path("~/.miles/keystore")
LIGHT_SCRYPT_N = 1 << 12        # geth --lightkdf
KEYSTORE_KDF = "scrypt"         # standard cost: eth-account's default n = 2^18


class KeystoreError(ValueError):
    """A missing or unreadable keystore, a wrong password or a malformed key: exit 2."""


# ---- the keystore folder -----------------------------------------------------------------------

def keystore_dir(flag: Path | None = None) -> Path:
    """--keystore, else $MILES_KEYSTORE, else ~/.miles/keystore."""
    if flag is not None:
        return Path(flag).expanduser()
    return Path(os.environ.get(KEYSTORE_ENV) or DEFAULT_KEYSTORE).expanduser()


def key_file_name(address: str, when: datetime | None = None) -> str:
    """geth's name: UTC--2006-01-02T15-04-05.000000000Z--<address, lowercase, no 0x>."""
    when = when or datetime.now(timezone.utc)
    stamp = when.strftime("%Y-%m-%dT%H-%M-%S") + f".{when.microsecond * 1000:09d}Z"
    return f"UTC--{stamp}--{address.lower().removeprefix('0x')}"


def list_keys(folder: Path) -> list[tuple[str, Path]]:
    """(checksummed address, file) of every keystore file in `folder`, by file name (oldest first
    for geth's names). Files that are not keystore JSON are skipped."""
    if not folder.is_dir():
        return []
    keys = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        try:
            address = json.loads(path.read_text(encoding="utf-8"))["address"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        address = "0x" + address.removeprefix("0x") if isinstance(address, str) else ""
        if is_hex_address(address):
            keys.append((to_checksum_address(address), path))
    return keys


def find_key_file(folder: Path, address: str) -> Path:
    """The keystore file of `address`; KeystoreError when there is none."""
    if not is_hex_address(address):
        raise KeystoreError(f"--from: not an address: {address}")
    for found, path in list_keys(folder):
        if found.lower() == address.lower():
            return path
    raise KeystoreError(f"no key for {to_checksum_address(address)} in the keystore {folder} "
                        f"(see `miles keys list`, or --keystore / ${KEYSTORE_ENV})")


def store_key(folder: Path, account: LocalAccount, password: str, *, light_kdf: bool = False) -> Path:
    """Encrypt `account` into a new 0600 file of `folder` (made 0700 if new); KeystoreError when
    the folder already holds this address."""
    if any(found == account.address for found, _ in list_keys(folder)):
        raise KeystoreError(f"{account.address} is already in the keystore {folder}")
    keystore = Account.encrypt(account.key, password, kdf=KEYSTORE_KDF,
                               iterations=LIGHT_SCRYPT_N if light_kdf else None)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / key_file_name(account.address)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(keystore, file)
    except OSError as exc:
        raise KeystoreError(f"cannot write to the keystore {folder}: {exc}") from None
    return path


def unlock(path: Path, password: str) -> LocalAccount:
    """The account of keystore file `path`; KeystoreError on a wrong password or a bad file."""
    try:
        keystore = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeystoreError(f"cannot read the key file {path}: {exc}") from None
    try:
        return Account.from_key(Account.decrypt(keystore, password))
    except ValueError as exc:  # eth-keyfile's "MAC mismatch" is a ValueError
        if "MAC mismatch" in str(exc):
            raise KeystoreError(f"wrong password for {path.name}") from None
        raise KeystoreError(f"cannot decrypt {path}: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise KeystoreError(f"{path} is not a keystore file: {exc}") from None


def unlock_address(args: argparse.Namespace, address: str) -> LocalAccount:
    """Find the key of `address` in args' keystore and decrypt it with args' password."""
    path = find_key_file(keystore_dir(getattr(args, "keystore", None)), address)
    return unlock(path, read_password(args, prompt=f"Password for {to_checksum_address(address)}: "))


# ---- passwords and private keys ----------------------------------------------------------------

def read_password(args: argparse.Namespace, *, confirm: bool = False, prompt: str = "Password: ") -> str:
    """--password-file (its first line), else $MILES_PASSWORD, else getpass (twice with `confirm`)."""
    password_file = getattr(args, "password_file", None)
    if password_file is not None:
        try:
            lines = Path(password_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise KeystoreError(f"--password-file: {exc}") from None
        return lines[0] if lines else ""
    if os.environ.get(PASSWORD_ENV) is not None:
        return os.environ[PASSWORD_ENV]
    try:
        password = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat the password: ") != password:
            raise KeystoreError("the passwords do not match")
    except (EOFError, KeyboardInterrupt):
        raise KeystoreError(f"no password: give --password-file or ${PASSWORD_ENV}") from None
    return password


def parse_private_key(text: str) -> LocalAccount:
    """A 32-byte hex private key (0x optional); the message never repeats the key."""
    try:
        return Account.from_key(text.strip())
    except (ValueError, TypeError):
        raise KeystoreError("not a 32-byte hex private key") from None


def read_private_key(args: argparse.Namespace) -> LocalAccount:
    if args.key_file is not None:
        try:
            text = Path(args.key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise KeystoreError(f"--key-file: {exc}") from None
    else:
        if sys.stdin.isatty():
            print("Paste the hex private key, then Enter:", file=sys.stderr)
            text = getpass.getpass("")
        else:
            text = sys.stdin.readline()
    return parse_private_key(text)


# ---- commands ----------------------------------------------------------------------------------

def add_keystore_arguments(parser: argparse.ArgumentParser) -> None:
    """--keystore DIR and --password-file FILE (also used by the sending commands' --from)."""
    parser.add_argument("--keystore", type=Path, metavar="DIR",
                        help=f"keystore folder (default ${KEYSTORE_ENV}, else {DEFAULT_KEYSTORE})")
    parser.add_argument("--password-file", type=Path, metavar="FILE",
                        help=f"read the password from FILE's first line (default ${PASSWORD_ENV}, else a prompt)")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="local encrypted keys: new, import, list").add_subparsers(
        dest="keys", required=True)
    new = keys.add_parser("new", help="create a key, store it encrypted, print its address")
    import_ = keys.add_parser("import", help="store a hex private key (from stdin or --key-file) encrypted")
    import_.add_argument("--key-file", type=Path, metavar="FILE", help="read the hex private key from FILE")
    for parser in (new, import_):
        add_keystore_arguments(parser)
        parser.add_argument("--light-kdf", action="store_true",
                            help="cheap scrypt (n=4096, as geth --lightkdf): for tests and devnets only")
    new.set_defaults(run=lambda args: _run(args, lambda: Account.create()))
    import_.set_defaults(run=lambda args: _run(args, lambda: read_private_key(args)))
    listing = keys.add_parser("list", help="the addresses in the keystore and their files")
    listing.add_argument("--keystore", type=Path, metavar="DIR",
                         help=f"keystore folder (default ${KEYSTORE_ENV}, else {DEFAULT_KEYSTORE})")
    listing.set_defaults(run=run_list)


def _run(args: argparse.Namespace, make_account) -> int:
    folder = keystore_dir(args.keystore)
    try:
        account = make_account()
        path = store_key(folder, account, read_password(args, confirm=True), light_kdf=args.light_kdf)
    except KeystoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(account.address)
    print(f"stored in {path}", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    folder = keystore_dir(args.keystore)
    keys = list_keys(folder)
    if not keys:
        print(f"no keys in {folder}", file=sys.stderr)
    for address, path in keys:
        print(f"{address}  {path}")
    return 0


__all__ = [
    "KeystoreError", "add_keystore_arguments", "add_parsers", "find_key_file", "key_file_name", "keystore_dir",
    "list_keys", "read_password", "store_key", "unlock", "unlock_address",
]
