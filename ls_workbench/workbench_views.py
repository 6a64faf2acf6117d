"""Live views, gateway URLs, export and deploy: the parts of the Workbench API around the run.

A mixin of `Workbench`. Views are widgets refreshed by the Workbench's monitor while they live;
export and deploy are implemented in `ls_workbench.export` and `ls_workbench.deploy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import weakref

    from ls_workbench.monitor import Monitor


class ViewsAPI:
    """`inspect`, `pipeline_view`, `panel`, `gateway_url(s)`, `export`, `deploy`, `deploy_panel`
    of a Workbench."""

    monitor: Monitor
    _views: weakref.WeakSet[Any]

    def gateway_urls(self) -> dict[str, str]:
        """URL(s) per gateway id while the pipeline and its gateways run.

        Gateways are served on `gateway_port` (`%langstream_app --gateway-port`), or on a free
        loopback port when none was given.
        """
        from ls_workbench.gateways import gateway_urls

        return gateway_urls(self)

    def gateway_url(self, gateway_id: str, protocol: str | None = None) -> str:
        """The URL to call a running gateway with: HTTP (produce, consume as Server-Sent Events,
        service) or, for chat or with `protocol="ws"`, WebSocket."""
        from ls_workbench.gateways import gateway_endpoint

        return gateway_endpoint(self, gateway_id, protocol)

    def inspect(self, topics: list[str] | str | None = None, **options: Any) -> Any:
        """A live record inspector widget on `topics` (default: every topic of the application)."""
        from ls_workbench.widgets.inspector import RecordInspector

        if isinstance(topics, str):
            topics = [topics]
        inspector = RecordInspector(self, topics, **options)
        self.attach(inspector)
        return inspector

    def pipeline_view(self) -> Any:
        """A live picture of the pipeline: topics, agents, counts, errors and state."""
        from ls_workbench.widgets.pipeline_view import PipelineView

        view = PipelineView(self)
        self.attach(view)
        return view

    def panel(self) -> Any:
        """Status, errors, gateway URLs and the pipeline picture: what `start` shows in its cell."""
        from ls_workbench.widgets.status import PipelinePanel

        panel = PipelinePanel(self)
        self.attach(panel)
        return panel

    def attach(self, view: Any) -> None:
        """Keep `view` refreshed by the monitor (a few times a second) while it lives."""
        self._views.add(view)
        self.monitor.ensure_running()

    def views(self) -> list[Any]:
        return list(self._views)

    def _refresh_views(self) -> None:
        self.monitor.poke()

    # -- export and deploy (implemented in ls_workbench.export / ls_workbench.deploy) ---------

    def export(self, out_dir: str | Path | None = None, **options: Any) -> Any:
        """Write the application folder with instance.yaml and secrets.yaml beside it."""
        from ls_workbench.integrations import call_export

        return call_export(self, out_dir, **options)

    def deploy(self, **options: Any) -> Any:
        """Deploy the application to Kubernetes (see ls_workbench.deploy)."""
        from ls_workbench.integrations import call_deploy

        return call_deploy(self, **options)

    def deploy_panel(self, **options: Any) -> Any:
        """The export-and-deploy widget: pick folder or cluster, validate, export, deploy.

        `options` go to `DeployPanel` (e.g. `kubeconfig=`)."""
        from ls_workbench.widgets.deploy_panel import DeployPanel

        return DeployPanel(self, **options)
