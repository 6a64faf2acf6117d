"""The notebook magics: each parses its line (and cell) and calls one Workbench method.

%load_ext ls_workbench
%langstream_app hello
%%langstream_agent upper --type python-processor --input in --output out
%langstream start
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from ls_workbench.errors import WorkbenchError
from ls_workbench.magics import arguments as sub
from ls_workbench.workbench import Workbench, current


class AppOpened:
    """What `%langstream_app` shows: which application, broker and folder."""

    def __init__(self, workbench: Workbench) -> None:
        self.workbench = workbench

    def __repr__(self) -> str:
        wb = self.workbench
        cluster = wb.instance.streaming_cluster
        if cluster is None:
            broker = "embedded broker"
        else:
            servers = (cluster.configuration.get("admin") or {}).get("bootstrap.servers")
            broker = f"{cluster.type} broker at {servers}"
        try:
            folder = wb.app_dir.relative_to(wb.workdir)
        except ValueError:
            folder = wb.app_dir
        gateway = "" if wb.gateway_port is None else f", gateways on port {wb.gateway_port}"
        return (
            f"application {wb.name!r} (tenant {wb.tenant!r}) on the {broker}{gateway}\n"
            f"folder: {folder}"
        )


@magics_class
class LangStreamMagics(Magics):
    """Define and run a LangStream application cell by cell."""

    @magic_arguments()
    @argument("name", help="the application name (its folder and application id)")
    @argument("--tenant", default="default", help="the tenant (gateway URLs, state paths)")
    @argument("--broker", default="memory", help="memory (embedded, default) or kafka://HOST:PORT")
    @argument(
        "--gateway-port", type=int, help="serve the gateways on this port (default: a free one)"
    )
    @argument(
        "--gateway-test-mode",
        action="store_true",
        help="accept test-credentials on gateways that allow test mode (local development)",
    )
    @argument("--workdir", help="where .ls-workbench/ goes (default: the current directory)")
    @argument("--reset", action="store_true", help="start clean: forget the folder and saved state")
    @line_magic
    def langstream_app(self, line: str) -> AppOpened:
        """Start a new application; the magics below act on it (ls_workbench.current())."""
        args = sub.parse(self.langstream_app, line)
        try:
            previous = current()
        except WorkbenchError:
            previous = None
        if previous is not None:
            previous.close()
        workbench = Workbench(
            args.name,
            tenant=args.tenant,
            broker=args.broker,
            gateway_port=args.gateway_port,
            gateway_test_mode=args.gateway_test_mode,
            workdir=args.workdir,
            reset=args.reset,
        )
        return AppOpened(workbench)

    @magic_arguments()
    @cell_magic
    def langstream_topic(self, line: str, cell: str) -> Any:
        """Declare topics; the body is YAML of one topic or a list, in LangStream spelling:

        name: questions
        creation-mode: create-if-not-exists
        partitions: 2
        """
        sub.parse(self.langstream_topic, line)
        return current().define_topics(cell)

    @magic_arguments()
    @argument("id", help="the agent id")
    @argument("--type", required=True, help="agent type: python-processor, compute, dispatch…")
    @argument("--input", help="input topic (default: the previous agent's output)")
    @argument("--output", help="output topic (default: the next agent's input)")
    @argument("--name", help="a human-readable name")
    @argument("--parallelism", type=int, help="replicas")
    @argument("--disk", metavar="SIZE", help="persistent state directory of this size, e.g. 50M")
    @argument("--retries", type=int, help="attempts per record before on-failure applies")
    @argument("--on-failure", choices=["fail", "skip", "dead-letter"], help="after the retries")
    @argument("--class-name", help="the agent class, when the cell defines several")
    @argument("--configuration", help="YAML configuration (for python-* agents; e.g. '{k: v}')")
    @cell_magic
    def langstream_agent(self, line: str, cell: str) -> Any:
        """Define or re-define an agent; a running pipeline swaps it in place.

        For python-* types the body is the Python code of the agent class; for other types
        the body is the agent's YAML `configuration` (IPython needs a body: write `{}` or a
        comment for an agent without configuration).
        """
        args = sub.parse(self.langstream_agent, line)
        from ls_workbench.agent_code import is_python_type

        python = is_python_type(args.type)
        return current().define_agent(
            args.id,
            args.type,
            code=cell if python else None,
            configuration=args.configuration if python else cell,
            input=args.input,
            output=args.output,
            name=args.name,
            parallelism=args.parallelism,
            disk=args.disk,
            retries=args.retries,
            on_failure=args.on_failure,
            class_name=args.class_name,
        )

    @magic_arguments()
    @cell_magic
    def langstream_gateway(self, line: str, cell: str) -> Any:
        """Declare gateways; the body is YAML of one gateway or a list, in LangStream spelling:

        id: ask
        type: produce
        topic: questions
        """
        sub.parse(self.langstream_gateway, line)
        return current().define_gateways(cell)

    @magic_arguments()
    @cell_magic
    def langstream_resources(self, line: str, cell: str) -> Any:
        """Declare configuration.yaml resources; the body is YAML of one resource or a list:

        type: open-ai-configuration
        name: OpenAI
        configuration:
          url: "${secrets.open-ai.url}"
          access-key: "${secrets.open-ai.access-key}"
        """
        sub.parse(self.langstream_resources, line)
        return current().define_resources(cell)

    @magic_arguments()
    @cell_magic
    def langstream_requirements(self, line: str, cell: str) -> Any:
        """Declare the pip packages the agents need; the body is requirements.txt lines:

        pypdf>=4
        requests

        The export writes them to python/requirements.txt (LangStream installs them); in this
        kernel, install them with %pip install.
        """
        sub.parse(self.langstream_requirements, line)
        return current().require(cell)

    @no_var_expand
    @line_magic
    def langstream(self, line: str) -> Any:
        """Run and inspect the application: %langstream COMMAND [ARGS]

        start [AGENT ...]            validate and start; shows live status and picture
        stop                         stop after in-flight records are committed
        status                       state, counters and errors per executor
        send TOPIC VALUE [--key K] [--header NAME=VALUE] [--text]
        collect TOPIC [-n COUNT] [--timeout S] [--latest]
        inspect [TOPIC ...] [--rows N]   live record inspector
        view                         live picture of the pipeline
        remove AGENT                 remove an agent
        export [DIR] [KEY=VALUE ...]     write the application folder, instance and secrets
        deploy [KEY=VALUE ...]       deploy to Kubernetes
        deploy --panel               the export-and-deploy panel

        `%langstream COMMAND -h` shows a command's options.
        """
        command, _, rest = line.strip().partition(" ")
        parser = sub.SUBCOMMANDS.get(command)
        if parser is None:
            raise WorkbenchError(
                f"unknown command {command!r}; use one of {', '.join(sub.SUBCOMMANDS)} "
                "(%langstream? shows usage)"
            )
        args = sub.parse(parser, rest)
        return getattr(self, f"_{command}")(current(), args)

    # -- subcommands -----------------------------------------------------------------------

    def _start(self, wb: Workbench, args: Any) -> Any:
        wb.start(args.agents or None)
        display(wb.panel())
        return None

    def _stop(self, wb: Workbench, args: Any) -> Any:
        return wb.stop()

    def _status(self, wb: Workbench, args: Any) -> Any:
        return wb.status()

    def _send(self, wb: Workbench, args: Any) -> None:
        wb.send(
            args.topic,
            sub.json_or_text(args.value, force_text=args.text),
            key=sub.json_or_text(args.key),
            headers=sub.headers(args.header),
        )

    def _collect(self, wb: Workbench, args: Any) -> Any:
        position = "latest" if args.latest else "earliest"
        return wb.collect(args.topic, args.count, args.timeout, position=position)

    def _inspect(self, wb: Workbench, args: Any) -> Any:
        return wb.inspect(args.topics or None, rows=args.rows)

    def _view(self, wb: Workbench, args: Any) -> Any:
        return wb.pipeline_view()

    def _remove(self, wb: Workbench, args: Any) -> Any:
        return wb.remove_agent(args.agent)

    def _export(self, wb: Workbench, args: Any) -> Any:
        directory, options = args.directory, list(args.options)
        if directory is not None and "=" in directory:
            directory, options = None, [directory, *options]
        return wb.export(directory, **sub.key_values(options, "export"))

    def _deploy(self, wb: Workbench, args: Any) -> Any:
        if args.panel:
            return wb.deploy_panel(**sub.key_values(args.options, "deploy"))
        return wb.deploy(**sub.key_values(args.options, "deploy"))
