"""What scripts/promote and scripts/rollback share: the images of an app's releases,
read from `flyctl releases --image` (newest first), and a deploy of one image."""

from __future__ import annotations

import os
import re
import subprocess

FLYCTL = os.environ.get("FLYCTL", "flyctl")
_IMAGE = re.compile(r"\bregistry\.fly\.io/\S+")


class FlyError(Exception):
    pass


def images(app: str) -> list[str]:
    """The image of each release of `app`, newest first, as Fly lists them."""
    done = subprocess.run(
        [FLYCTL, "releases", "--app", app, "--image"], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise FlyError(f"{FLYCTL} releases --app {app}: {done.stderr.strip()}")
    return [
        match.group(0)
        for line in done.stdout.splitlines()
        for match in [_IMAGE.search(line)]
        if match
    ]


def deploy(app: str, config: str, image: str) -> None:
    command = [FLYCTL, "deploy", "--app", app, "--config", config, "--image", image]
    print("+", " ".join(command), flush=True)
    if subprocess.run(command).returncode != 0:
        raise FlyError(f"deploying {image} to {app} failed; {app} still runs its last release")
