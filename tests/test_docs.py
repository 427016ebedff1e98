"""The README stays true: every flag, mapping key, transform and exit code is documented."""

from __future__ import annotations

import re

import click
import pytest
from helpers import ROOT, readme_section

from sync.cli import cli
from sync.errors import EXIT_MEANINGS
from sync.mapping import Detect, FieldSpec, JobsJoin, MappingFile
from sync.mapping.transforms import TRANSFORMS

README = (ROOT / "README.md").read_text(encoding="utf-8")
section = readme_section


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        out.append((prefix + name, command))
        if isinstance(command, click.Group):
            out.extend(commands(command, prefix + name + " "))
    return out


FLAGS = sorted(
    {
        (name, opt)
        for name, command in [("", cli), *commands(cli)]
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    }
)


@pytest.mark.parametrize(("command", "flag"), FLAGS)
def test_every_flag_is_in_the_command_reference(command: str, flag: str) -> None:
    pattern = rf"(?<![\w-]){re.escape(flag)}(?![\w-])"
    assert re.search(pattern, section("Command reference")), f"{command or 'global'} {flag}"


def test_every_command_is_in_the_command_reference() -> None:
    ref = section("Command reference")
    for name, _ in commands(cli):
        assert name in ref, name


def test_every_mapping_key_and_transform_is_documented() -> None:
    text = section("Mapping files")
    for model in (MappingFile, FieldSpec, Detect, JobsJoin):
        for key in model.model_fields:
            assert f"`{key}" in text or f"{key}:" in text, f"{model.__name__}.{key}"
    for name in TRANSFORMS:
        assert f"`{name}`" in text, name


@pytest.mark.parametrize("code", sorted(EXIT_MEANINGS))
def test_every_exit_code_is_explained(code: int) -> None:
    assert re.search(rf"^\| `?{code}`? \|", section("Exit codes"), re.M), code


def test_the_two_commands_come_first() -> None:
    head = "\n".join(README.splitlines()[:30])
    assert "make demo" in head and "make test" in head
