"""Domain errors of the model layer (texts in the message table under ``model.``)."""

from __future__ import annotations

from ecg_viewer.core.errors import EcgError


class ModelError(EcgError):
    """Base of the model-layer errors."""


class ModelInputError(ModelError, ValueError):
    """The record cannot be brought to the model's input (missing leads, too short, NaN ...)."""


class WeightsError(ModelError, RuntimeError):
    """The shipped weights are missing, altered (hash mismatch) or do not fit the code."""


class TextEncoderError(ModelError, RuntimeError):
    """The text encoder could not be built or loaded."""
