"""Command line of the Sozialmonitor (placeholder until the full CLI lands)."""
import typer

app = typer.Typer(help="Sozialmonitor: kleinräumiges Sozialmonitoring – command line", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Sozialmonitor command line."""


@app.command()
def setup() -> None:
    """Prepare the local installation: DuckDB extensions from the installed wheels (offline)."""
    from orchestration.warehouse import install_extensions

    path = install_extensions(["spatial", "encodings"])
    typer.echo(f"DuckDB extensions ready in {path}")


if __name__ == "__main__":
    app()
