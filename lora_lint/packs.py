"""Find, read and order rule packs: registered packs, their `use`s, extras.

Packs come out in dependency order (a used pack before its user), each once,
so later packs can override what earlier ones declared.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LoraLintError, PackError, did_you_mean, read_utf8
from .language import ast

if TYPE_CHECKING:
    from .knowledge import Knowledge


def read_pack(path: Path) -> ast.Pack:
    """Read and parse one pack file; errors name the file."""
    from .language.parser import parse_pack  # lark is imported only when a pack is parsed

    source = read_utf8(path, "rule pack")
    return parse_pack(source.removeprefix("\ufeff"), str(path))


def load_packs(registered: list[Path], extra: list[Path] = ()) -> list[ast.Pack]:
    """All registered packs and the extra ones, with what they use, in order."""
    parsed: dict[Path, ast.Pack] = {}
    by_name: dict[str, ast.Pack] = {}
    for path in [*registered, *extra]:
        pack = _parsed(path.resolve(), parsed)
        other = by_name.get(pack.name)
        if other is not None and other is not pack:
            raise LoraLintError(f"two packs are named '{pack.name}': also {other.path}", pack.path)
        by_name[pack.name] = pack
    ordered: list[ast.Pack] = []
    done: set[str] = set()
    for path in [*registered, *extra]:
        _visit(parsed[path.resolve()], parsed, by_name, ordered, done, [])
    return ordered


def _parsed(path: Path, parsed: dict[Path, ast.Pack]) -> ast.Pack:
    if path not in parsed:
        if not path.is_file():
            raise LoraLintError("rule pack not found", str(path))
        parsed[path] = read_pack(path)
    return parsed[path]


def _visit(pack, parsed, by_name, ordered, done, stack) -> None:
    if pack.path in done:
        return
    if pack.path in stack:
        cycle = " -> ".join(Path(p).name for p in [*stack[stack.index(pack.path):], pack.path])
        raise LoraLintError(f"packs use each other in a cycle: {cycle}", pack.path)
    stack.append(pack.path)
    for use in pack.uses:
        if use.is_path:
            target = (Path(pack.path).parent / use.target).resolve()
            if not target.is_file():
                raise PackError(f"used pack file '{use.target}' not found", use.loc.path, use.loc.line, use.loc.column, None, pack.source)
            used = _parsed(target, parsed)
            by_name.setdefault(used.name, used)
        elif use.target in by_name:
            used = by_name[use.target]
        else:
            hint = did_you_mean(use.target, by_name)
            raise PackError(f"no pack named '{use.target}' is installed{hint}", use.loc.path, use.loc.line, use.loc.column + 4, use.loc.column + 4 + len(use.target), pack.source)
        _visit(used, parsed, by_name, ordered, done, stack)
    stack.pop()
    done.add(pack.path)
    ordered.append(pack)


def load_knowledge(registered: list[Path], extra: list[Path], kinds: dict) -> "Knowledge":
    """Compiled knowledge of these packs, from the cache when nothing changed.

    The cache entry is keyed by the packs' bytes, the grammar, the version and
    the rule kinds' parameters, and records every file it was built from
    (`use`d ones too), each checked again before the entry is trusted.
    """
    from .knowledge import compile_packs
    from .resources import cache_dir

    requested = [p.resolve() for p in [*registered, *extra]]
    folder = cache_dir()
    key = _cache_key(requested, kinds)
    entry = folder / f"knowledge-{key}.pickle" if folder else None
    if entry is not None:
        cached = _read_cache(entry)
        if cached is not None:
            return cached
    packs = load_packs(requested[: len(registered)], requested[len(registered):])
    knowledge = compile_packs(packs, kinds)
    # packs `use`d from elsewhere are part of what was compiled
    sources = sorted(_digest(p.source.encode()) for p in packs)
    knowledge.digest = _digest((key + "".join(sources)).encode())[:32]
    knowledge.content = _content_digest(sources)
    if entry is not None:
        _write_cache(entry, [Path(p.path) for p in packs], knowledge)
    return knowledge


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _cache_key(paths: list[Path], kinds: dict) -> str:
    from . import __version__
    from .resources import grammar_path

    # the code that builds and defines the cached objects is part of the key
    code = Path(__file__).parent
    sources = [code / name for name in ("knowledge.py", "lexicon.py", "schema.py", "tokens.py", "packs.py")]
    sources += sorted((code / "language").glob("*.py"))
    parts = [__version__, _digest(grammar_path().read_bytes())]
    parts += [_digest(source.read_bytes()) for source in sources]
    for name in sorted(kinds):  # a kind's parameters decide what its rules compile to
        kind = kinds[name]
        params = sorted((p, repr(spec)) for p, spec in kind.PARAMS.items())
        parts.append(repr((name, params, kind.PLACEHOLDERS, sorted(kind.FIXES.items()), getattr(kind, "CASES", ()))))
    for path in paths:
        try:
            parts.append(f"{path}:{_digest(path.read_bytes())}")
        except OSError:
            parts.append(f"{path}:missing")
    return _digest("\n".join(parts).encode())[:32]


def _content_digest(sources: list[str]) -> str:
    from . import __version__
    from .resources import grammar_path

    return _digest("\n".join([__version__, _digest(grammar_path().read_bytes()), *sources]).encode())[:32]


def _read_cache(entry: Path):
    import pickle

    try:
        with entry.open("rb") as handle:
            used, knowledge = pickle.load(handle)
        for path, digest in used:
            if _digest(Path(path).read_bytes()) != digest:
                return None
        return knowledge
    except Exception:  # a missing, stale or corrupt entry is rebuilt
        return None


def _write_cache(entry: Path, used: list[Path], knowledge) -> None:
    import os
    import pickle
    import tempfile

    try:
        payload = pickle.dumps(([(str(p), _digest(p.read_bytes())) for p in used], knowledge), protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, entry)
        _prune(entry.parent)
    except OSError:
        pass  # caching is an optimisation; a read-only cache folder is fine


KEEP = 16  # compiled-pack entries kept: one per combination of packs in use


def _prune(folder: Path) -> None:
    """Remove all but the most recently written cache entries."""
    entries = sorted(folder.glob("knowledge-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
