"""Arguments several subcommands share."""

from __future__ import annotations

import argparse


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", help="LangStream application folder")
    parser.add_argument("-i", "--instance", help="instance.yaml, passed beside the folder")
    parser.add_argument("-s", "--secrets", help="secrets.yaml, passed beside the folder")
