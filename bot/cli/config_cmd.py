"""`bantin config check`: validate the config and print the effective values, secrets masked."""

from __future__ import annotations

import json

from bot.cli.common import add_command, config_from, warn_about_unknown_environment
from news.config import masked


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "config",
        help="check the configuration",
        example="bantin config check\nbantin -c /etc/bantin/config.toml config check --json",
    )
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = add_command(
        sub,
        "check",
        help="validate the config and print the effective settings (secrets masked); exit 2 when invalid",
        example="bantin config check",
    )
    check.add_argument("--json", action="store_true", help="print JSON instead of TOML-like text")
    check.set_defaults(handler=check_config)


def check_config(args) -> int:
    config = config_from(args)
    warn_about_unknown_environment(config)
    data = masked(config)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"# {config.path or 'embedded defaults'}: OK")
    feeds = data.pop("feeds")
    for section, values in data.items():
        _print_table(section, values)
    for feed in feeds:
        print("\n[[feeds]]")
        for key, value in feed.items():
            print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def _print_table(name: str, values: dict) -> None:
    print(f"\n[{name}]")
    nested = {k: v for k, v in values.items() if isinstance(v, dict)}
    for key, value in values.items():
        if key not in nested:
            print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for key, value in nested.items():
        _print_table(f"{name}.{key}", value)
