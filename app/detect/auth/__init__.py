"""The auth detector: auth-sensitive paths and code."""

from app.detect.auth.detector import AuthDetector

__all__ = ["AuthDetector"]
