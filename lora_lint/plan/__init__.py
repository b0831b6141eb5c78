"""`lora-lint plan` and `lora-lint doctor`: training settings from the packs, for a dataset."""
from .recommend import Plan, Request, make_plan
from .survey import Survey, read_settings, survey

__all__ = ["Plan", "Request", "Survey", "make_plan", "read_settings", "survey"]
