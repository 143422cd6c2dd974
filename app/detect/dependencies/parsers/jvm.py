"""Maven and Gradle: pom.xml (with its properties), build scripts, version catalogs."""

from __future__ import annotations

import re

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import (
    Parsed,
    UnreadableError,
    line_finder,
    load_toml,
    new_dep,
)


def pom_xml(text: str) -> Parsed:
    """Maven: dependencies (and dependencyManagement), `${property}` resolved."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise UnreadableError(f"not valid XML: {error}") from None
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    props = {
        child.tag.removeprefix(ns): (child.text or "").strip()
        for child in root.findall(f"{ns}properties/*")
    }
    for key in ("version", "parent/version"):
        value = root.findtext(f"{ns}{key.replace('/', f'/{ns}')}")
        if value:
            props.setdefault(f"project.{key.split('/')[-1]}", value.strip())

    def resolve(value: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)

    find = line_finder(text)
    out: Parsed = {}
    for dep in root.iter(f"{ns}dependency"):
        group, artifact = dep.findtext(f"{ns}groupId"), dep.findtext(f"{ns}artifactId")
        version = dep.findtext(f"{ns}version")
        if group and artifact and version:
            name = f"{group.strip()}:{artifact.strip()}"
            out[name] = new_dep(name, resolve(version.strip()), find(artifact.strip()), True)
    return out


_GRADLE = re.compile(
    r"""\b(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|kapt|ksp"""
    r"""|annotationProcessor|classpath|compile|testCompile)\s*\(?\s*["']([\w.\-]+):([\w.\-]+):([^"'\s@]+)["']"""
)


def gradle(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(split_lines(text), start=1):
        for match in _GRADLE.finditer(line):
            name = f"{match.group(1)}:{match.group(2)}"
            out[name] = new_dep(name, match.group(3), number, True)
    return out


def version_catalog(text: str) -> Parsed:
    """gradle/libs.versions.toml: [libraries] and [plugins] with `version.ref`."""
    data = load_toml(text)
    versions = {
        k: str(v if isinstance(v, str) else v.get("strictly") or v.get("require") or v)
        for k, v in (data.get("versions") or {}).items()
    }
    find = line_finder(text)
    out: Parsed = {}
    for alias, spec in (data.get("libraries") or {}).items():
        if isinstance(spec, str):
            group, artifact, version = [*spec.split(":"), "", ""][:3]
            name = f"{group}:{artifact}"
        else:
            name = spec.get("module") or f"{spec.get('group')}:{spec.get('name')}"
            version = _catalog_version(spec.get("version"), versions)
        out[name] = new_dep(name, version or "*", find(alias), True)
    for alias, spec in (data.get("plugins") or {}).items():
        if isinstance(spec, dict) and spec.get("id"):
            out[spec["id"]] = new_dep(
                spec["id"],
                _catalog_version(spec.get("version"), versions) or "*",
                find(alias),
                True,
            )
    return out


def _catalog_version(value: object, versions: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "ref" in value:
            return versions.get(str(value["ref"]), "*")
        return str(value.get("strictly") or value.get("require") or value.get("prefer") or "*")
    return ""
