"""The built-in detectors by name, and running them all over one diff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.detect.auth import AuthDetector
from app.detect.base import ChangedFile, Detector, DetectorSettings, Finding, Kind, Severity
from app.detect.dependencies import DependenciesDetector
from app.detect.infra import InfraDetector
from app.detect.infra.detector import PINS_ONLY
from app.detect.migrations import MigrationsDetector
from app.detect.secrets import SecretsDetector
from app.detect.secrets.redact import redact

# A file whose diff could not be read: no rule saw its lines, so every detector's and
# content condition counts it as evidence (fail closed: unreadable never requires less).
UNREADABLE = "diff.unreadable"
DETECTORS: Mapping[str, Detector] = {
    detector.name: detector
    for detector in (
        MigrationsDetector(),
        DependenciesDetector(),
        AuthDetector(),
        SecretsDetector(),
        InfraDetector(),
    )
}


def run_detectors(
    files: Sequence[ChangedFile], settings: Mapping[str, DetectorSettings]
) -> list[Finding]:
    """Every enabled detector over `files`, plus a finding per file whose diff was unreadable."""
    findings: list[Finding] = [_unreadable(f) for f in files if f.parse_error]
    for name, detector in DETECTORS.items():
        own = settings.get(name) or detector.settings_model()
        if own.enabled:
            findings.extend(_guarded(detector, files, own))
    findings = [redacted(f) for f in pins_rated(findings)]
    findings.sort(key=Finding.sort_key)
    return findings


def pins_rated(findings: list[Finding]) -> list[Finding]:
    """A pipeline edit that only moves action pins (infra marks it) is info where the
    dependencies detector rated those actions on the same file: what runs differently
    is the actions' code, rated there (a third party's major or moved commit calls
    security). Where nothing rated them (that detector off, scoped away or failed),
    the edit keeps its medium: no pin moves unseen."""
    rated = {f.file for f in findings if f.kind is Kind.DEPENDENCY and f.file}
    return [
        replace(
            f,
            severity=Severity.INFO,
            message=f"{f.message}; only its actions' pins moved, each rated as a dependency",
        )
        if f.extra.get(PINS_ONLY) and f.file in rated
        else f
        for f in findings
    ]


def redacted(finding: Finding) -> Finding:
    """No secret leaves the detectors: a migration's SQL or a workflow line quoted
    in a message may hold one (`ALTER USER … PASSWORD '…'`), and a dependency's
    version may be a URL with a token in it (`git+https://<token>@github.com/…`)."""

    def clean(value: str | None) -> str | None:
        return redact(value) if value else value

    message = redact(finding.message)
    package, old, new = (
        clean(v) for v in (finding.package, finding.from_version, finding.to_version)
    )
    extra = {k: redact(v) if isinstance(v, str) else v for k, v in finding.extra.items()}
    before = (finding.message, finding.package, finding.from_version, finding.to_version)
    if (message, package, old, new) == before and extra == finding.extra:
        return finding  # the common case: nothing to cut, no copy
    return replace(
        finding, message=message, package=package, from_version=old, to_version=new, extra=extra
    )


def content_wanted(
    files: Sequence[ChangedFile], settings: Mapping[str, DetectorSettings]
) -> list[ChangedFile]:
    """The files some enabled detector reads whole (the App fetches these first)."""
    enabled = [
        (detector, settings.get(name) or detector.settings_model())
        for name, detector in DETECTORS.items()
    ]
    return [
        changed
        for changed in files
        if not changed.binary
        and any(own.enabled and d.wants_content(changed, own) for d, own in enabled)
    ]


def _guarded(
    detector: Detector, files: Sequence[ChangedFile], settings: DetectorSettings
) -> list[Finding]:
    """A detector that fails on some input must not take the others down, nor pass in
    silence: its place is taken by one high finding of its kind, so the roles that
    rely on it are still required (fail closed)."""
    try:
        return detector.detect(files, settings)
    except Exception as error:  # a bug in one detector, met on real input
        return [
            Finding.for_change(
                detector.kind,
                Severity.HIGH,
                f"{detector.name}.failed",
                f"the {detector.name} detector failed on this change "
                f"({type(error).__name__}: {str(error)[:120]}); its findings are missing, "
                "so read the change yourself",
            )
        ]


def _unreadable(changed: ChangedFile) -> Finding:
    return Finding.for_file(
        Kind.PATH,
        changed.path,
        Severity.MEDIUM,
        UNREADABLE,
        f"the diff of this file could not be read ({changed.parse_error}), so no rule could "
        "check its lines: every detector and content condition counts it as a match",
    )
