"""Packages the benchmarks fetch at run time from PyPI and the npm registry, cached
in bench/.cache/ (not committed): real code by others, measured, never vendored."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def _pip_download(spec: str, *options: str) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", *options]
    subprocess.run([*command, "-d", str(CACHE), spec], check=True)


def _cached_wheel(spec: str) -> Path | None:
    """The cached wheel of `name==version` (wheel names normalise case and dashes)."""
    name, version = spec.split("==")
    prefix = f"{name.replace('-', '_')}-{version}-".lower()
    return next((w for w in CACHE.glob("*.whl") if w.name.lower().startswith(prefix)), None)


def wheels(specs: tuple[str, ...]) -> list[Path]:
    """The wheels of exactly these `name==version` specs (the cache is shared)."""
    for spec in specs:
        if _cached_wheel(spec) is None:
            _pip_download(spec)
    return [w for w in map(_cached_wheel, specs) if w is not None]


def sdist(spec: str) -> Path:
    """The source distribution of `name==version` (older ones keep the project's own
    capitals and dashes in the file name: `Django-3.2.25.tar.gz`)."""
    name, version = spec.split("==")

    def cached() -> Path | None:
        wanted = {f"{n}-{version}.tar.gz" for n in (name, name.replace("-", "_"))}
        return next((p for p in CACHE.glob("*.tar.gz") if p.name.lower() in wanted), None)

    if cached() is None:
        _pip_download(spec, "--no-binary", ":all:")
    path = cached()
    if path is None:
        raise FileNotFoundError(f"pip downloaded no sdist of {spec} into {CACHE}")
    return path


def npm_tarballs(specs: tuple[str, ...]) -> list[Path]:
    """`npm pack` tarballs of `name@version` specs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in specs:
        name, version = spec.rsplit("@", 1)
        # npm pack names a scoped package's tarball without its @ and slash
        path = CACHE / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
        if not path.exists():
            subprocess.run(
                ["npm", "pack", spec, "--silent"], cwd=CACHE, check=True, capture_output=True
            )
        paths.append(path)
    return paths


def debian_package(spec: str) -> Path:
    """`apt-get download` of `name=version` (Debian's archive is a registry too: its
    packages ship applications, e.g. Redmine's Rails migrations)."""
    name, version = spec.split("=", 1)
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob(f"{name}_{version.split(':')[-1]}_*.deb"))
    if not found:
        subprocess.run(["apt-get", "download", "-q", spec], cwd=CACHE, check=True)
        found = sorted(CACHE.glob(f"{name}_{version.split(':')[-1]}_*.deb"))
    return found[0]


def deb_files(deb: Path, wanted: str) -> dict[str, str]:
    """Text files of a .deb whose path contains `wanted`, by their path in the package."""
    command = ["dpkg-deb", "--fsys-tarfile", str(deb)]
    listing = subprocess.run(command, capture_output=True, check=True)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(listing.stdout)) as archive:
        for member in archive.getmembers():
            if member.isfile() and wanted in member.name:
                data = archive.extractfile(member)
                if data is not None:
                    files[member.name.lstrip("./")] = data.read().decode("utf-8", "replace")
    return files
