"""The pip packages a notebook's agents need: checked lines for python/requirements.txt.

LangStream installs an application's `python/requirements.txt` when it builds the agents'
environment; in the kernel the packages must already be installed. So a declaration is checked
as pip would read it (a bad line is refused naming it), and the packages this kernel lacks are
named, with the `%pip install` that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ls_workbench.errors import DefinitionError


def parse_requirements(text: str) -> list[Requirement]:
    """requirements.txt lines (comments and blank lines skipped); raises on a line pip refuses."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            raise DefinitionError(
                f"line {number}: {line!r} is a pip option; declare packages only "
                "(name and version, e.g. `requests>=2.31`)"
            )
        try:
            found.append(Requirement(line))
        except InvalidRequirement as error:
            raise DefinitionError(
                f"line {number}: {line!r} is not a requirement pip understands ({error}); "
                "write it as in requirements.txt, e.g. `requests>=2.31`"
            ) from None
    return found


def merge_requirements(current: Iterable[str], new: Iterable[Requirement]) -> list[str]:
    """`current` lines with `new` added; a package declared again takes its new line."""
    lines = {canonicalize_name(Requirement(line).name): line for line in current}
    for requirement in new:
        lines[canonicalize_name(requirement.name)] = str(requirement)
    return list(lines.values())


def not_installed(requirements: Iterable[Requirement]) -> list[tuple[Requirement, str | None]]:
    """The requirements this interpreter does not satisfy, each with the version it has
    (None when the package is missing)."""
    lacking: list[tuple[Requirement, str | None]] = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            lacking.append((requirement, None))
            continue
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            lacking.append((requirement, version))
    return lacking
