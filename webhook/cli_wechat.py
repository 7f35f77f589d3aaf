"""``flask wechat …``: the terminal chat simulator and the fake WeChat API server.

Neither command needs the application context, so the module also runs alone:
``python -m webhook.cli_wechat chat``.
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup
from werkzeug.serving import make_server

from bot.config import Settings
from devtools.fake_wechat import DEFAULT_TOKEN_GRACE_SECONDS, create_fake_wechat_app
from devtools.simulator import DEMO_OPENID, ChatConfig, ChatSession

wechat_cli = AppGroup("wechat", help="Talk to the bot as WeChat would; run the fake WeChat API.")


def _default_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/wechat"


@wechat_cli.command("chat", with_appcontext=False)
@click.option("--openid", default=DEMO_OPENID, show_default=True, help="The resident you play.")
@click.option(
    "--url",
    default=_default_url,
    show_default=False,
    help="The running service's WeChat callback [default: http://127.0.0.1:${PORT:-8000}/wechat].",
)
@click.option(
    "--linger",
    default=None,
    type=float,
    help="Seconds to keep showing customer-service messages after input ends "
    "(default 0 in a terminal, 5 when input is piped).",
)
@click.option("--verbose", is_flag=True, help="Show raw requests, replies and timings.")
def chat_command(openid: str, url: str, linger: float | None, verbose: bool) -> None:
    """Chat with the running bot in this terminal (WECHAT_TOKEN / WECHAT_AES_KEY / WECHAT_API_BASE apply)."""
    settings = Settings.from_env()
    config = ChatConfig(
        url=url,
        openid=openid,
        token=settings.wechat_token,
        aes_key=settings.wechat_aes_key or None,
        appid=settings.wechat_appid,
        api_base=settings.wechat_api_base,
        verbose=verbose,
    )
    interactive = sys.stdin.isatty()
    if linger is None:
        linger = 0.0 if interactive else 5.0
    ChatSession(config).run(sys.stdin, interactive=interactive, linger=linger)


@wechat_cli.command("fake-api", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option(
    "--grace",
    default=DEFAULT_TOKEN_GRACE_SECONDS,
    show_default=True,
    type=float,
    help="Seconds an older access_token keeps working after a newer one is fetched.",
)
def fake_api_command(host: str, port: int, grace: float) -> None:
    """Run the fake WeChat API server in the foreground (checks WECHAT_APPID/WECHAT_SECRET if set)."""
    appid = os.environ.get("WECHAT_APPID") or None
    secret = os.environ.get("WECHAT_SECRET") or None
    app = create_fake_wechat_app(appid=appid, secret=secret, token_grace_seconds=grace)
    server = make_server(host, port, app, threaded=True)
    click.echo(f"Fake WeChat API on http://{host}:{port}  (export WECHAT_API_BASE=http://{host}:{port}/cgi-bin/)")
    click.echo("Credentials: " + ("any" if secret is None else f"appid {appid or 'any'} with WECHAT_SECRET"))
    click.echo(f"Look inside: curl http://{host}:{port}/_fake/messages ; curl http://{host}:{port}/_fake/stats")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    wechat_cli()
