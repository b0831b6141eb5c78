"""Languages of messages: English, Traditional and Simplified Chinese.

Packs give translations beside the English texts, as properties with the
language after a dot (`message.zh-TW "..."`, `messages.zh-CN { ... }`,
`summary.zh-TW`, `why.zh-CN`), in the rule itself or in an `override rule`
of another pack, so a pack author can translate any rule. What a translation
lacks stays English.
"""
from __future__ import annotations

import os

LANGS = ("en", "zh-TW", "zh-CN")
LOCALIZED = frozenset({"message", "messages", "summary", "why"})  # rule properties a translation may give
_TRADITIONAL = ("tw", "hk", "mo", "hant")


def localized(name: str, lang: str | None) -> str:
    """The property name of a translation (`message` in zh-TW: `message.zh-TW`)."""
    return f"{name}.{lang}" if lang and lang != "en" else name


def from_environment(environ=os.environ) -> str:
    """The language the environment asks for: LC_ALL, LC_MESSAGES, LANG, then
    LANGUAGE (`zh_TW.UTF-8`, `zh_HK` and `zh_Hant` are zh-TW; other Chinese
    is zh-CN; anything else is English)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(variable, "")
        if not value:
            continue
        first = value.split(":")[0].split(".")[0].replace("-", "_").lower()
        if first.startswith("zh"):
            return "zh-TW" if any(part in _TRADITIONAL for part in first.split("_")[1:]) else "zh-CN"
        return "en"
    return "en"
