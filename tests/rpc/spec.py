"""Ethereum's JSON-RPC specification (ethereum/execution-apis: OpenRPC methods whose params and
results are JSON schemas), read from the copy beside the project, `../shared/execution-apis/`.

A method's schemas point into the shared components with `$ref: '#/components/schemas/NAME'`;
each schema is validated as a document that carries those components, so every `$ref` resolves
where the spec means it to."""

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[2]
BESIDE = Path("shared") / "execution-apis"   # relative to the directory that holds the project


@dataclass(frozen=True)
class Spec:
    methods: dict[str, dict]     # name -> the method's OpenRPC object
    components: dict[str, dict]  # schema name -> schema
    commit: str

    def _validator(self, schema: dict) -> Draft7Validator:
        return Draft7Validator({**schema, "components": {"schemas": self.components}})

    def problems(self, schema: dict, value) -> list[str]:
        """Why `value` does not conform to `schema` (none when it does)."""
        return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
                for error in self._validator(schema).iter_errors(value)]

    def result_problems(self, method: str, result) -> list[str]:
        return self.problems(self.methods[method]["result"]["schema"], result)

    def param_problems(self, method: str, params: list) -> list[str]:
        """Each param against its schema, and no required one missing."""
        declared = self.methods[method].get("params", [])
        if len(params) > len(declared):
            return [f"{len(params)} params, the spec declares {len(declared)}"]
        missing = [p["name"] for p in declared[len(params):] if p.get("required")]
        found = [f"missing required param {name!r}" for name in missing]
        for param, value in zip(declared, params):
            found += [f"param {param['name']!r}: {problem}" for problem in self.problems(param["schema"], value)]
        return found

    def error_schema(self, method: str, code: int) -> dict | None:
        """The schema of `data` in the error `code` the spec names for `method`."""
        for error in self.methods[method].get("errors", []):
            if error["code"] == code:
                return {key: value for key, value in error.get("data", {}).items() if key != "title"}
        return None


def spec_dir() -> Path:
    """../shared/execution-apis beside the project; for a clone made elsewhere from a local
    checkout (a fresh check in /tmp), the one beside the checkout it was cloned from."""
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    candidates = [ROOT.parent / BESIDE] + ([Path(origin).resolve().parent / BESIDE] if Path(origin).is_dir() else [])
    for candidate in candidates:
        if (candidate / "src" / "eth").is_dir():
            return candidate
    raise FileNotFoundError(f"the execution-apis specification is not at {' nor '.join(map(str, candidates))} "
                            f"(the project expects its copy at ../shared/execution-apis/)")


@cache
def load() -> Spec:
    where = spec_dir()
    methods, components = {}, {}
    for path in sorted((where / "src" / "eth").glob("*.yaml")):
        methods |= {method["name"]: method for method in yaml.safe_load(path.read_text())}
    for path in sorted((where / "src" / "schemas").glob("*.yaml")):
        components |= yaml.safe_load(path.read_text())
    return Spec(methods, components, (where / "COMMIT").read_text().strip())
