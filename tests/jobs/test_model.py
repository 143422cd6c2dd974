"""A job's stored form: every field, and back."""

from __future__ import annotations

import json
from dataclasses import asdict

from app.jobs.model import Job, JobKind


def test_a_job_serialises_as_its_every_field_and_back() -> None:
    for kind in JobKind:
        job = Job(kind, "Acme", "Shop", 7, number=3, sha="a" * 40, ref="main", message="{}")
        assert json.loads(job.dumps()) == asdict(job)
        assert Job.loads(job.dumps()) == job
    # what an earlier version stored (the standard library's spacing) still reads
    old = json.dumps(asdict(job), sort_keys=True)
    assert Job.loads(old) == job
