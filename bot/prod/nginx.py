"""Writes the nginx configuration of the production profile from bot/prod/nginx.conf.template.

``python -m bot.prod.nginx --listen 0.0.0.0:5005 --prefix var/prod/nginx 127.0.0.1:5006 127.0.0.1:5007``
prints it; the template uses ``{{name}}`` placeholders because nginx's own ``$variables`` must stay.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import List, Optional, Sequence

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def render(template: str, listen: str, prefix: str, servers: Sequence[str]) -> str:
    """The configuration: nginx listens on ``listen`` and balances over ``servers`` (``host:port`` each)."""
    if not servers:
        raise ValueError("at least one Rasa instance (host:port) is needed")
    for address in (listen, *servers):
        if not _ADDRESS.match(address):
            raise ValueError(f"not a host:port address: {address!r}")
    if any(c in prefix for c in ";{}\n\"' "):
        raise ValueError(f"the nginx prefix must be a plain path: {prefix!r}")
    upstream = "\n".join(f"        server {server};" for server in servers)
    text = template.replace("{{listen}}", listen).replace("{{prefix}}", prefix).replace("{{servers}}", upstream)
    left = re.findall(r"\{\{\w+\}\}", text)
    if left:
        raise ValueError(f"unknown placeholders in the template: {sorted(set(left))}")
    return text


def main(argv: Optional[List[str]] = None) -> None:
    """Prints the configuration for the command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="host:port nginx listens on")
    parser.add_argument("--prefix", required=True, help="writable directory for nginx's pid and temporary files")
    parser.add_argument("servers", nargs="+", help="host:port of each Rasa instance")
    args = parser.parse_args(argv)
    print(render(TEMPLATE.read_text(encoding="utf-8"), args.listen, str(Path(args.prefix).resolve()), args.servers),
          end="")


if __name__ == "__main__":
    main()
