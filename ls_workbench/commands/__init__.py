"""Subcommands of `ls-workbench`: each module has `register(subparsers)` and `run(args) -> int`.

To add one, write a module here and list it in `COMMANDS` in `ls_workbench/cli.py`.
"""
