"""Running `miles` inside the test process, against a node URL nobody listens on."""

from abci_app.cli.localnode import free_port
from abci_app.cli.main import build_parser


def run_inprocess(*argv: str) -> int:
    """Run `miles ARGV` in this process against a port nobody listens on; its exit code."""
    try:
        args = build_parser().parse_args(["--node", f"http://127.0.0.1:{free_port()}", *argv])
        return args.run(args)
    except SystemExit as exc:  # argparse's own refusals
        return exc.code
