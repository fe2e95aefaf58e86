"""LoRA adapters from Python under the names of issue 15's API: `rankflow.lora.profile` and
`rankflow.lora.resize` are `rankflow.lora_profile` and `rankflow.lora_resize` (docs/python.md)."""
from __future__ import annotations

from . import lora_profile as profile, lora_resize as resize

__all__ = ["profile", "resize"]
