#!/usr/bin/env python3
"""Regenerate rules/vocabulary.lora and rules/identity.lora from the seed and the tag data.

    python tools/build_vocabulary.py [--data ../shared/data] [--out rules]

`tools/vocabulary-seed.yaml` says, for each category, which terms it holds:
hand-written terms and `canonical = variant` pairs, Danbooru tags (with their
aliases), prompt-tag groups, compositions of word lists, Chinese translations
and exclusions. The data (`danbooru-tags.csv`, `group-tags/*.yaml`, both MIT)
supplies the tags, aliases and translations. The packs it writes must not be
edited by hand: change the seed and run this again.

An alias becomes a *variant* (which vocab-variant flags) only when it spells
the canonical term another way: joined or split words, a British spelling, a
typo, or the singular of a plural tag that no tag uses on its own (`earmuff`
for `earmuffs`, but not `thighhigh`: `single thighhigh` is a tag). Any other
alias is a word of its own (`smiling` for `smile`, `shirts` for `shirt`) and
becomes its own canonical term. Junk aliases (`/lh`, `:)`, fewer than 3
letters) and the seed's ambiguous everyday words are never taken.

Chinese translations are split into their alternatives, stripped of notes in
brackets, and kept when short enough to be a caption word; one that holds a
shorter term of the category adds nothing (Chinese is matched without spaces).
A pulled vocabulary term that changes no match (`striped bikini` beside
`bikini`) is dropped, to keep the packs small; terms of forbidden lists
(identity, style) keep their full span, which is what a fix removes.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "tools" / "vocabulary-seed.yaml"
DEFAULT_DATA = REPO.parent / "shared" / "data"

# --- words, as lora_lint.tokens cuts them (kept in step by tests/test_vocabulary_build.py)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
IS_CJK = re.compile(rf"[{_CJK}]")
ALL_CJK = re.compile(rf"[{_CJK}]+")
ZH_LONGEST = 4  # longer translations are descriptions, not caption words


def key(text: str) -> str:
    """A term's lookup key: lower-case words, CJK characters joined without spaces."""
    out = ""
    for word in WORD.findall(text.lower().replace("_", " ")):
        if out and len(word) == 1 and IS_CJK.match(word) and IS_CJK.match(out[-1]):
            out += word
        else:
            out = f"{out} {word}" if out else word
    return out


class SeedError(Exception):
    """A mistake in the seed or a missing data file."""


# --- the data ------------------------------------------------------------------
@dataclass
class Tag:
    name: str
    kind: int
    posts: int
    aliases: list[str]


@dataclass
class Data:
    tags: dict[str, Tag]                         # Danbooru name -> tag
    groups: dict[str, list[str]]                 # "Top/Group" -> prompt tags, in order
    translations: dict[str, list[str]]           # term key -> Chinese (Traditional, then Simplified)
    _words: set[str] | None = None

    @classmethod
    def load(cls, folder: Path) -> "Data":
        csv_path, group_dir = folder / "danbooru-tags.csv", folder / "group-tags"
        for path in (csv_path, group_dir / "default.yaml", group_dir / "zh_TW.yaml", group_dir / "zh_CN.yaml"):
            if not path.is_file():
                raise SeedError(f"data file not found: {path}")
        tags = {}
        with csv_path.open(encoding="utf-8", newline="") as stream:
            for number, row in enumerate(csv.reader(stream), 1):
                try:
                    name, kind, posts = row[0], int(row[1]), int(row[2])
                except (IndexError, ValueError):
                    raise SeedError(f"{csv_path}:{number}: not a 'name,type,post_count,aliases' row") from None
                aliases = [a for a in (row[3].split(",") if len(row) > 3 else []) if a]
                tags.setdefault(name, Tag(name, kind, posts, aliases))
        groups: dict[str, list[str]] = {}
        for top in _yaml(group_dir / "default.yaml"):
            for group in top.get("groups") or []:
                name = f"{top.get('name')}/{group.get('name')}"
                groups.setdefault(name, []).extend(str(t) for t in (group.get("tags") or {}))
        translations: dict[str, list[str]] = {}
        for file in ("zh_TW.yaml", "zh_CN.yaml"):
            for top in _yaml(group_dir / file):
                for group in top.get("groups") or []:
                    for tag, text in (group.get("tags") or {}).items():
                        for chinese in _chinese(str(text or "")):
                            found = translations.setdefault(key(str(tag)), [])
                            if chinese not in found:
                                found.append(chinese)
        return cls(tags, groups, translations)

    def tag(self, name: str) -> Tag | None:
        return self.tags.get(name.strip().lower().replace(" ", "_"))

    def used_in_tags(self, word: str, least: int = 500) -> bool:
        """True when a general tag (with `least` posts) writes `word` as one of its words."""
        if self._words is None:
            self._words = {w for t in self.tags.values() if t.kind == 0 and t.posts >= least for w in t.name.split("_")}
        return word in self._words


def _yaml(path: Path):
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream) or []


def _chinese(text: str) -> list[str]:
    """The usable Chinese words of a translation: notes in brackets dropped,
    alternatives split, a trailing or inner 的 also tried without it."""
    text = re.sub(r"[（(][^）)]*[）)]?", "", text)
    out = []
    for part in re.split(r"[|/，,、;；｜]", text):
        part = part.strip()
        for form in (part.replace("的", ""), part.removesuffix("的"), part):  # the shortest first
            if len(form) >= 2 and ALL_CJK.fullmatch(form) and form not in out:
                out.append(form)
    return out


# --- building a category ----------------------------------------------------
@dataclass
class Entry:
    canonical: str
    variants: list[str] = field(default_factory=list)
    pattern: bool = False
    hand: bool = False


@dataclass
class Category:
    name: str
    block: str                                   # "vocabulary" or "terms"
    comment: str
    entries: list[Entry] = field(default_factory=list)
    where: dict[str, Entry] = field(default_factory=dict)  # key -> the entry holding it
    excluded: set[str] = field(default_factory=set)
    variants: set[str] = field(default_factory=set)  # keys that are variants in some vocabulary (shared)

    def has(self, text: str) -> bool:
        return key(text) in self.where

    def add(self, canonical: str, variants=(), pattern: bool = False, hand: bool = False) -> Entry | None:
        """A new entry; from the data, terms already here or excluded are skipped."""
        ident = ("pattern:" + canonical) if pattern else key(canonical)
        if not ident or ident in self.where:
            if hand:
                raise SeedError(f"{self.name}: term '{canonical}' is written twice")
            return None
        if not hand and (ident in self.excluded or (self.block == "vocabulary" and ident in self.variants)):
            return None  # a variant elsewhere stays a variant: no canonical twin to hide it
        entry = Entry(canonical, [], pattern, hand)
        self.entries.append(entry)
        self.where[ident] = entry
        for variant in variants:
            self.add_variant(entry, variant, hand)
        return entry

    def add_variant(self, entry: Entry, variant: str, hand: bool = False) -> None:
        ident = key(variant)
        if not ident or ident in self.where or (not hand and ident in self.excluded):
            if hand and ident in self.where:
                raise SeedError(f"{self.name}: term '{variant}' is written twice")
            return
        entry.variants.append(variant)
        self.where[ident] = entry
        self.variants.add(ident)

    def terms(self) -> list[str]:
        return [t for e in self.entries for t in (e.canonical, *e.variants)]


class Builder:
    def __init__(self, seed: dict, data: Data) -> None:
        self.seed, self.data = seed, data
        self.lists: dict[str, list[str]] = {k: [str(v) for v in vs] for k, vs in (seed.get("lists") or {}).items()}
        self.ambiguous = {key(w) for w in seed.get("ambiguous") or ()}
        self.british = [(key(a), key(b)) for a, b in (seed.get("british") or {}).items()]
        self.not_variants = {key(w) for w in seed.get("not_variants") or ()}
        self.categories: dict[str, Category] = {}
        self.variants: set[str] = set()

    def build(self) -> None:
        """Hand-written terms of every category first (they win), then the data, then translations."""
        specs = [(name, spec or {}) for pack in self.seed["packs"].values() for name, spec in (pack["categories"] or {}).items()]
        for name, spec in specs:
            unknown = set(spec) - {"block", "comment", "terms", "compose", "danbooru", "danbooru_match", "groups", "zh", "exclude", "aliases"}
            if unknown:
                raise SeedError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}")
            if name in self.categories:
                raise SeedError(f"category '{name}' is declared twice")
            block = spec.get("block", "terms")
            if block not in ("terms", "vocabulary"):
                raise SeedError(f"{name}: block is 'terms' or 'vocabulary', not '{block}'")
            category = Category(name, block, (spec.get("comment") or "").strip())
            category.excluded = {key(w) for w in self._words(spec.get("exclude") or ())}
            category.variants = self.variants if block == "vocabulary" else set()
            self.categories[name] = category
            for line in spec.get("terms") or ():
                self._hand(category, str(line))
        for name, spec in specs:
            category = self.categories[name]
            for parts in spec.get("compose") or ():
                for words in product(*[self._words(p if isinstance(p, list) else [p]) for p in parts]):
                    self._take(category, _joined(words))
            aliases = spec.get("aliases", True)
            for name_ in spec.get("danbooru") or ():
                tag = self.data.tag(str(name_))
                if tag is None:
                    raise SeedError(f"{name}: no Danbooru tag '{name_}'")
                self._tag(category, tag, aliases)
            for match in spec.get("danbooru_match") or ():
                regex, least = re.compile(match["regex"]), int(match.get("min_posts", 1000))
                for tag in self.data.tags.values():
                    if tag.kind == 0 and tag.posts >= least and regex.fullmatch(tag.name):
                        self._tag(category, tag, aliases)
            for group in spec.get("groups") or ():
                if group not in self.data.groups:
                    raise SeedError(f"{name}: no prompt-tag group '{group}'")
                for text in self.data.groups[group]:
                    tag = self.data.tag(text)
                    if tag is not None:
                        self._tag(category, tag, aliases)
                    else:
                        self._take(category, _display(text))
        for name, spec in specs:  # translations come last: they read the English terms
            category = self.categories[name]
            for source in spec.get("zh") or ():
                if source not in self.categories:
                    raise SeedError(f"{name}: zh names unknown category '{source}'")
                for term in self.categories[source].terms():
                    for chinese in self.data.translations.get(key(term), ()):
                        # Chinese has no spaces: a shorter term inside it already matches
                        held = [t for t in category.where if ALL_CJK.fullmatch(t) and t in chinese]
                        if len(chinese) <= ZH_LONGEST and not held:
                            self._take(category, chinese)
        self._prune()
        self._check_variants()

    def _check_variants(self) -> None:
        """A variant in one vocabulary must not be canonical in another: vocab-variant would never flag it."""
        canonical = {key(e.canonical): c.name for c in self.categories.values() if c.block == "vocabulary" for e in c.entries}
        for category in self.categories.values():
            for entry in category.entries if category.block == "vocabulary" else ():
                for variant in entry.variants:
                    if key(variant) in canonical:
                        raise SeedError(
                            f"'{variant}' is a variant of '{entry.canonical}' in {category.name} "
                            f"but a canonical term in {canonical[key(variant)]}"
                        )

    def _prune(self) -> None:
        """Drop pulled terms that change no match: `striped bikini` where
        `bikini` is a canonical term of the same category and nothing of
        another category starts in `striped`. Kept: `red hair ribbon`, whose
        `red hair` would otherwise be found."""
        owners: dict[str, set[str]] = {}
        for category in self.categories.values():
            for ident in category.where:
                owners.setdefault(ident, set()).add(category.name)
        for category in self.categories.values():
            if category.block != "vocabulary":  # a forbidden term's span is what a fix removes: keep it whole
                continue
            canonical = {key(e.canonical) for e in category.entries if not e.pattern}
            keep = []
            for entry in category.entries:
                words = key(entry.canonical).split()
                if entry.hand or entry.variants or entry.pattern or len(words) < 2 or IS_CJK.search(entry.canonical):
                    keep.append(entry)
                    continue
                cut = next((k for k in range(1, len(words)) if " ".join(words[k:]) in canonical), None)
                foreign = cut is None or any(
                    owners.get(" ".join(words[i : j + 1]), set()) - {category.name}
                    for i in range(cut) for j in range(i, len(words))
                )
                if foreign:
                    keep.append(entry)
                else:
                    del category.where[key(entry.canonical)]
            category.entries = keep

    def _words(self, items) -> list[str]:
        out = []
        for item in items:
            item = str(item)
            if item.startswith("$"):
                if item[1:] not in self.lists:
                    raise SeedError(f"no list '{item[1:]}' in the seed's lists")
                out.extend(self.lists[item[1:]])
            else:
                out.append(item)
        return out

    def _hand(self, category: Category, line: str) -> None:
        if line.startswith("pattern "):
            glob = line.removeprefix("pattern ").strip().strip('"')
            _check_pattern(category.name, glob)
            category.add(glob, pattern=True, hand=True)
            return
        canonical, _, rest = line.partition(" = ")
        variants = [v.strip() for v in rest.split(", ") if v.strip()]
        if category.block == "terms" and variants:
            raise SeedError(f"{category.name}: a terms list has no variants ('{line}')")
        for term in (canonical, *variants):
            if '"' in term or "\\" in term or not key(term):
                raise SeedError(f"{category.name}: unusable term '{term}'")
        category.add(canonical.strip(), variants, hand=True)

    def _take(self, category: Category, text: str) -> Entry | None:
        """A term from the data or a composition, if it is usable here."""
        if not _usable(text) or key(text) in self.ambiguous:
            return None
        return category.add(text)

    def _tag(self, category: Category, tag: Tag, aliases: bool) -> None:
        name = _display(tag.name)
        if not _usable(name) or key(name) in self.ambiguous or key(name) in category.excluded:
            return
        entry = category.where.get(key(name)) or category.add(name)
        if entry is None or not aliases:
            return
        for alias in tag.aliases:
            text = _display(alias)
            if alias.startswith("/") or not _usable(text) or key(text) in self.ambiguous:
                continue
            if category.has(text) or key(text) in category.excluded:
                continue
            if category.block == "vocabulary" and key(text) not in self.not_variants and (
                self.spells(text, entry.canonical) or self.spells(text, name)
            ):
                category.add_variant(entry, text)
            else:
                category.add(text)

    def spells(self, alias: str, canonical: str) -> bool:
        """True when `alias` writes `canonical` another way: words joined or
        split, a British spelling, the singular of a plural tag (`sock` for
        `socks`; a plural of a singular tag names several things and is a term
        of its own), or one slip of the keyboard in a long word."""
        a, c = key(alias), key(canonical)
        for british, american in self.british:
            a, c = _swap(a, british, american), _swap(c, british, american)
        if a.replace(" ", "") == c.replace(" ", ""):
            return True
        aw, cw = a.split(), c.split()
        if len(aw) != len(cw):
            return False
        pairs = [(x, y) for x, y in zip(aw, cw) if x != y]
        if all(_plural(y, x) for x, y in pairs):
            # unless tags use the singular for one of a pair: `single thighhigh`, `shoe soles`
            return not any(self.data.used_in_tags(x) for x, _ in pairs)
        if any(_plural(x, y) for x, y in pairs):
            return False
        return len(pairs) == 1 and min(map(len, pairs[0])) >= 5 and _distance(*pairs[0]) == 1


def _joined(words) -> str:
    """Words joined by spaces, except beside a hyphen: ("blue", "-eyed") -> "blue-eyed"."""
    out = ""
    for word in (w for w in words if w):
        out += word if not out or out.endswith("-") or word.startswith("-") else " " + word
    return out


def _display(tag: str) -> str:
    """A Danbooru or prompt tag as a caption writes it: spaces, no `(qualifier)`."""
    text = tag.replace("_", " ").strip()
    text = re.sub(r"\s*\((medium|clothes|clothing|object|action|symbol|shape|texture)\)$", "", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip().lower() if not IS_CJK.search(text) else text.strip()


def _usable(text: str) -> bool:
    """Not junk: no brackets, weights or markup, at least 3 letters (or 2 CJK characters)."""
    if not text or re.search(r"[()\[\]{}<>:;,\"\\|@#*+=!?~^%$&]", text):
        return False
    if ALL_CJK.fullmatch(text):
        return len(text) >= 2
    return sum(ch.isalpha() for ch in text) >= 3 and not IS_CJK.search(text)


def _swap(text: str, british: str, american: str) -> str:
    return " ".join(american if w == british else w for w in text.split())


def _plural(word: str, single: str) -> bool:
    return word in (single + "s", single + "es") or (single.endswith("y") and word == single[:-1] + "ies")


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _check_pattern(category: str, glob: str) -> None:
    text = glob.lower().replace("_", " ")
    if any(a in "*#" and b in "*#" for a, b in zip(text, text[1:])) or not any(c.isalnum() for c in text):
        raise SeedError(f"{category}: unusable pattern '{glob}'")


# --- writing a pack ------------------------------------------------------------
WIDTH = 110


def _quote(term: str, pattern: bool = False) -> str:
    return f'pattern "{term}"' if pattern else f'"{term}"'


def render(pack: dict, categories: list[Category], sources: str) -> str:
    lines = [
        "# GENERATED FILE: do not edit by hand. Change tools/vocabulary-seed.yaml and run",
        "# `python tools/build_vocabulary.py`. Built from the seed's hand-written terms and from",
        f"# {sources}.",
        "#",
    ]
    lines += [f"# {line}".rstrip() for line in pack.get("comment", "").strip().splitlines()]
    lines.append(f'pack {pack["name"]} "{pack["title"]}"')
    for category in categories:
        lines.append("")
        lines += [f"# {line}".rstrip() for line in category.comment.splitlines()]
        lines.append(f"{category.block} {category.name} {{")
        if category.block == "vocabulary":
            plain: list[str] = []  # canonical terms without variants share lines
            for entry in category.entries:
                if not entry.variants:
                    plain.append(_quote(entry.canonical, entry.pattern))
                    continue
                if plain:
                    lines += _wrapped("    ", plain)
                    plain = []
                lines += _wrapped("    " + _quote(entry.canonical, entry.pattern) + " = ", [_quote(v) for v in entry.variants])
            if plain:
                lines += _wrapped("    ", plain)
        else:
            lines += _wrapped("    ", [_quote(e.canonical, e.pattern) for e in category.entries])
        lines.append("}")
    return "\n".join(lines) + "\n"


def _wrapped(head: str, items: list[str]) -> list[str]:
    """`head` then items joined by ", ", continued on indented lines after a comma."""
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line.strip() and len(line) + len(piece) + 1 > WIDTH and line != head:
            lines.append(line.rstrip())
            line = "        "
        line += piece + ("" if i == len(items) - 1 else " ")
    lines.append(line.rstrip())
    return lines


SOURCES = (
    "Danbooru tags and aliases of a1111-sd-webui-tagcomplete (Dominik Reh, MIT) and the prompt-tag\n"
    "# groups and Chinese translations of sd-webui-prompt-all-in-one (Physton, MIT); see NOTICE"
)


def build(data_dir: Path, out_dir: Path, seed_path: Path = SEED) -> dict[str, dict[str, int]]:
    """Write the packs; return the number of terms per category, per pack."""
    with seed_path.open(encoding="utf-8") as stream:
        seed = yaml.safe_load(stream)
    packs = seed.get("packs") if isinstance(seed, dict) else None
    if not isinstance(packs, dict) or not packs:
        raise SeedError(f"{seed_path}: no 'packs' to write")
    for label, pack in packs.items():
        missing = {"file", "name", "title", "categories"} - set(pack or ())
        if missing:
            raise SeedError(f"{seed_path}: pack '{label}' lacks {', '.join(sorted(missing))}")
    builder = Builder(seed, Data.load(data_dir))
    builder.build()
    counts = {}
    for pack in seed["packs"].values():
        categories = [builder.categories[name] for name in pack["categories"] or ()]
        (out_dir / pack["file"]).write_text(render(pack, categories, SOURCES), encoding="utf-8")
        counts[pack["name"]] = {c.name: len(c.terms()) for c in categories}
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the tag data folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=REPO / "rules", help="where the packs go (default: %(default)s)")
    parser.add_argument("--seed", type=Path, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help="print the number of terms per category")
    args = parser.parse_args(argv)
    try:
        counts = build(args.data, args.out, args.seed)
    except (SeedError, OSError, yaml.YAMLError) as error:
        print(f"build_vocabulary: error: {error}", file=sys.stderr)
        return 2
    for pack, categories in counts.items():
        print(f"{pack}: {sum(categories.values())} terms in {len(categories)} categories", file=sys.stderr)
        if args.verbose:
            for name, count in categories.items():
                print(f"    {name:28} {count:5}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
