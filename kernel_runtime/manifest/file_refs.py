"""What the LangStream CLI does to instance and secrets files before sending them.

`LocalFileReferenceResolver.resolveFileReferencesInYAMLFile` (langstream-cli) parses the
file, and in every string value (not keys, not numbers) first expands environment
variables, then replaces each `<file:relative/path>` with the file's content. The path is
relative to the directory of the YAML file. Names ending in txt, yaml, yml, json or text
are inlined as UTF-8 text, anything else as `base64:` + the Base64 of its bytes. Only the
instance and secrets files get this treatment; application files are sent as they are.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kernel_runtime.manifest.env_expand import EnvExpansionError, expand_env
from kernel_runtime.manifest.problems import NodePath, ProblemSink

FILE_REFERENCE = re.compile(r"<file:(.*?)>")
TEXT_SUFFIXES = ("txt", "yaml", "yml", "json", "text")


def is_text_file(name: str) -> bool:
    """LangStream's test: the lower-cased name ends with one of the text suffixes."""
    lower = name.lower()
    return any(lower.endswith(suffix) for suffix in TEXT_SUFFIXES)


def read_file_reference(name: str, base_dir: Path) -> str:
    """The inlined value of `<file:name>`; raises OSError when the file cannot be read."""
    target = base_dir / name
    if is_text_file(name):
        return target.read_text(encoding="utf-8")
    return "base64:" + base64.b64encode(target.read_bytes()).decode("ascii")


def inline_file_refs(text: str, base_dir: Path) -> str:
    """Replace every `<file:...>` in `text` (raises OSError for an unreadable file)."""
    return FILE_REFERENCE.sub(lambda m: read_file_reference(m.group(1), base_dir), text)


def expand_string(text: str, base_dir: Path, env: Mapping[str, str]) -> str:
    """Env expansion then file inlining, in the CLI's order."""
    return inline_file_refs(expand_env(text, env), base_dir)


def preprocess_cli_data(
    data: Any,
    *,
    base_dir: Path,
    env: Mapping[str, str],
    file: str,
    sink: ProblemSink,
    path: NodePath = (),
) -> Any:
    """A copy of `data` with every string value expanded; problems go to `sink`."""
    if isinstance(data, dict):
        return {
            key: preprocess_cli_data(
                value, base_dir=base_dir, env=env, file=file, sink=sink, path=(*path, key)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            preprocess_cli_data(
                value, base_dir=base_dir, env=env, file=file, sink=sink, path=(*path, index)
            )
            for index, value in enumerate(data)
        ]
    if not isinstance(data, str):
        return data
    try:
        return expand_string(data, base_dir, env)
    except EnvExpansionError as error:
        sink.error(file, path, str(error), "break the cycle between the environment variables")
    except OSError as error:
        names = [m.group(1) for m in FILE_REFERENCE.finditer(expand_env(data, env))]
        name = next((n for n in names if not (base_dir / n).is_file()), names[0] if names else "?")
        sink.error(
            file,
            path,
            f"cannot read file '{name}' referenced as <file:{name}>: {error.strerror or error}",
            f"the path is relative to {base_dir}; create the file or fix the reference",
        )
    except UnicodeDecodeError:
        sink.error(
            file,
            path,
            "a <file:...> reference names a text file (.txt/.yaml/.yml/.json/.text) that is "
            "not UTF-8",
            "save it as UTF-8 or give it another extension to inline it as base64",
        )
    return data
