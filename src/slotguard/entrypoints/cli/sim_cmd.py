"""``slotguard sim``: run the Microsoft Graph + Entra ID simulator until Ctrl-C."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("sim")
    def sim(
        port: Annotated[
            int, typer.Option(help="HTTPS port on 127.0.0.1 (0 picks a free one).")
        ] = 8443,
        scenario: Annotated[
            str, typer.Option(help="'demo', a scenario JSON file, or generate:SELLERS[:SEED].")
        ] = "demo",
        state_dir: Annotated[
            Path | None,
            typer.Option(
                help="Where the local CA and certificate live "
                "(default: $SLOTGUARD_STATE_DIR/sim or ./.slotguard/sim)."
            ),
        ] = None,
        faults: Annotated[
            str,
            typer.Option(
                help="Fault options as name=value pairs, e.g. "
                "'throttle_rate=0.05,unavailable_rate=0.01,latency=0.02,seed=7'."
            ),
        ] = "",
        token_lifetime: Annotated[
            int, typer.Option(help="Access token lifetime in seconds.")
        ] = 3600,
        quirks: Annotated[
            str,
            typer.Option(
                help="Behaviour Graph does not document, as name=value pairs, e.g. "
                "'collection_extended_expand=ignored,repeated_transaction_id=conflict' "
                "(the names and values: slotguard.sim.quirks)."
            ),
        ] = "",
    ) -> None:
        """Serve a local Microsoft 365 tenant (Graph v1.0 + token endpoint) over HTTPS."""
        from slotguard.sim.faults import FaultOptions
        from slotguard.sim.quirks import Quirks
        from slotguard.sim.scenario import ScenarioError
        from slotguard.sim.server import SimServer

        try:
            options = FaultOptions.parse(faults) if faults else None
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--faults") from None
        try:
            switches = Quirks.parse(quirks) if quirks else None
        except (TypeError, ValueError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--quirks") from None
        base = Path(os.environ.get("SLOTGUARD_STATE_DIR", ".slotguard"))
        try:
            server = SimServer(
                scenario=scenario,
                faults=options,
                token_lifetime=token_lifetime,
                state_dir=state_dir or base / "sim",
                port=port,
                quirks=switches,
            )
        except ScenarioError as exc:
            raise typer.BadParameter(str(exc), param_hint="--scenario") from None
        try:
            server.start()
        except OSError as exc:
            typer.echo(
                f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror}; "
                "pick another --port (0 = any free port)",
                err=True,
            )
            raise typer.Exit(2) from None
        tenant = server.tenant
        typer.echo(
            f"slotguard simulator listening on {server.graph_url} "
            f"(Graph v1.0 at {server.graph_url}/v1.0, tenant {tenant.display_name}, "
            f"{len(tenant.users)} users)"
        )
        typer.echo(f"Trust this CA file: {server.ca_file}")
        typer.echo("Point slotguard at it:")
        for key, value in server.env().items():
            typer.echo(f"  export {key}={value}")
        typer.echo(
            f"Inspect: {server.graph_url}/_sim/requests, /_sim/outbox, /_sim/faults, /_sim/quirks."
            " Ctrl-C stops."
        )
        from slotguard.entrypoints.runtime import settle_heap

        settle_heap()  # the tenant is loaded: it stays out of the collector's walks
        server.serve_forever()
