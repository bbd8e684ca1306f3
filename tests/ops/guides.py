"""The operators' words (README.md, docs/operators.md), read by the tests that do what they say."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
OPERATORS = ROOT / "docs" / "operators.md"


def section(path: Path, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of that level."""
    text = path.read_text()
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def fenced(text: str, language: str) -> list[str]:
    """The contents of the ```<language> blocks of `text`, in order."""
    return [block.split("```", 1)[0] for block in text.split(f"```{language}\n")[1:]]


def commands(text: str) -> list[str]:
    """The command lines of the ```sh blocks, comments and trailing spaces taken off."""
    return [line.split(" #", 1)[0].rstrip() for block in fenced(text, "sh") for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def node_file() -> str:
    """compose.node4.yml as the operators' guide gives it (Join a new node)."""
    return fenced(section(OPERATORS, "Join a new node"), "yaml")[0]
