"""The infra detector: pipelines, deployment and infrastructure."""

from app.detect.infra.detector import InfraDetector

__all__ = ["InfraDetector"]
