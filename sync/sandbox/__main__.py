"""``python -m sync.sandbox``: the same command as ``jobmojito-sync sandbox``.

The options are defined once, on the CLI's ``sandbox`` command.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C; the exit code (2 for a bad option)."""
    import click

    from sync.cli.sandbox import sandbox

    try:
        sandbox.main(args=argv, prog_name="python -m sync.sandbox", standalone_mode=False)
    except click.ClickException as exc:  # a malformed option: click's own message
        exc.show()
        return exc.exit_code
    except SystemExit as exc:  # handle_errors' exit code for a SyncError
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
