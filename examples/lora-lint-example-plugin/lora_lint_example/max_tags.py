"""Kind `max-tags`: a caption has at most `limit` tags.

Past about 75 tokens CLIP truncates the caption, so tags at the end are
never seen; counting tags is a cheap first guard.
"""
from lora_lint import schema

NAME = "max-tags"
SCOPE = "caption"
PARAMS = {"limit": schema.required(schema.Number(integer=True))}
PLACEHOLDERS = ("count", "limit")
FIXES = {}


def check(caption, rule):
    count = len(caption.segments)
    if count > rule.params["limit"]:
        start, end = caption.segments[rule.params["limit"]][0], caption.segments[-1][1]
        yield rule.on(caption, start, end, rule.text(rule.message, count=count, limit=rule.params["limit"]))
