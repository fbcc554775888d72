"""Static files for slow venue Wi-Fi: content-hashed names cached for a year, gzip and
brotli copies made once, all served by WhiteNoise ahead of Flask.

At start the app copies every file of `static/` into a build folder (STATIC_BUILD_DIR,
by default `<instance>/static`) under its own name and under a name carrying a hash of
its content (`css/app.css` -> `css/app.3f2a9c01d4e5.css`), with `.gz` and `.br` copies
of text files beside them. References between files (CSS `url()`/`@import`, relative
JavaScript module imports) are rewritten to the hashed names before hashing, so a hashed
name changes whenever anything it loads changes. Nothing is built by hand: a fresh
machine builds on its first start; later starts only re-hash the sources (a few
milliseconds) and write what is missing. Every write is a rename of a finished file,
so workers of one server starting together cannot see a half-written file. Old hashed
files stay: a page rendered before a deployment still finds its assets.

Templates call `static_url('css/app.css')`; in debug mode (or with STATIC_HASHED off, or
when the build folder cannot be written) it falls back to Flask's `url_for('static')`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask import current_app
from flask import url_for
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

log = logging.getLogger(__name__)

HASH_LENGTH = 12
# A hashed name in a URL: `name.<12 hex>.ext` (what WhiteNoise marks immutable).
HASHED_URL = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$")
# Text worth compressing; images, fonts for browsers and archives are compressed already.
COMPRESSIBLE = {".css", ".js", ".mjs", ".json", ".map", ".svg", ".txt", ".html", ".xml", ".ttf"}
# Brotli at its best setting takes seconds per megabyte: large files (PDF fonts) get gzip.
BROTLI_MAX_BYTES = 256 * 1024
CSS_REFERENCE = re.compile(
    r"""(url\(\s*['"]?)([^'")\s]+)(['"]?\s*\))|(@import\s+['"])([^'"]+)(['"])"""
)
JS_REFERENCE = re.compile(
    r"""(\bimport\s*(?:[\w*{}\s,$]+from\s*)?['"])(\.{1,2}/[^'"]+)(['"])"""
    r"""|(\bimport\(\s*['"])(\.{1,2}/[^'"]+)(['"]\s*\))"""
)


@dataclass(frozen=True)
class Manifest:
    """Source name -> hashed name of every static file, and a version over all of them."""

    names: dict[str, str]
    version: str


_builds: dict[tuple[str, str], tuple[tuple, Manifest]] = {}
_builds_lock = threading.Lock()


def hashed_name(name: str, content: bytes) -> str:
    """`js/scanner.js` with content -> `js/scanner.<hash>.js`."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, base = posixpath.split(name)
    stem, dot, ext = base.rpartition(".")
    new = f"{stem}.{digest}.{ext}" if dot and stem else f"{base}.{digest}"
    return posixpath.join(folder, new)


def _sources(source: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            found[path.relative_to(source).as_posix()] = path
    return found


def _signature(files: dict[str, Path]) -> tuple:
    return tuple((name, p.stat().st_size, p.stat().st_mtime_ns) for name, p in files.items())


def _rewrite(name: str, text: str, pattern: re.Pattern, resolve) -> str:
    """Point the references of one CSS or JS file at hashed names."""
    folder = posixpath.dirname(name)

    def swap(match: re.Match) -> str:
        groups = match.groups()
        before, ref, after = groups[0:3] if groups[1] is not None else groups[3:6]
        path, sep, rest = ref.partition("?")
        path, hash_sep, fragment = path.partition("#")
        if path.startswith(("data:", "http:", "https:", "//", "/", "#")) or not path:
            return match.group(0)
        target = posixpath.normpath(posixpath.join(folder, path))
        hashed = resolve(target)
        if hashed is None:
            return match.group(0)
        # Only the file name changes: keep the reference's own form (./, ../).
        new = path[: path.rfind("/") + 1] + posixpath.basename(hashed)
        return f"{before}{new}{hash_sep}{fragment}{sep}{rest}{after}"

    return pattern.sub(swap, text)


def _contents(files: dict[str, Path]) -> dict[str, tuple[str, bytes]]:
    """Hashed name and final content of every file, references rewritten first."""
    done: dict[str, tuple[str, bytes]] = {}
    busy: set[str] = set()

    def resolve(name: str) -> str | None:
        if name not in files:
            return None
        if name in done:
            return done[name][0]
        if name in busy:  # a cycle: leave this reference as it is
            return None
        busy.add(name)
        content = files[name].read_bytes()
        pattern = {".css": CSS_REFERENCE, ".js": JS_REFERENCE, ".mjs": JS_REFERENCE}.get(
            Path(name).suffix
        )
        if pattern is not None:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                content = _rewrite(name, text, pattern, resolve).encode("utf-8")
        busy.discard(name)
        done[name] = (hashed_name(name, content), content)
        return done[name][0]

    for name in files:
        resolve(name)
    return done


def _write(path: Path, content: bytes, scratch: Path) -> None:
    """Write a file by renaming a finished one into place (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = scratch / f"{uuid.uuid4().hex}.tmp"
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _same(path: Path, content: bytes) -> bool:
    try:
        return path.stat().st_size == len(content) and path.read_bytes() == content
    except FileNotFoundError:
        return False


def _emit(target: Path, scratch: Path, name: str, content: bytes, hashed: bool) -> None:
    """One file and its compressed copies; a hashed name already present is complete."""
    path = target / name
    if hashed and path.exists():
        return  # content-addressed: whoever wrote it wrote these bytes
    if not hashed and _same(path, content):
        return
    variants = []
    if Path(name).suffix.lower() in COMPRESSIBLE and content:
        gz = Compressor.compress_gzip(content)
        if len(gz) <= 0.95 * len(content):
            variants.append((".gz", gz))
            if len(content) <= BROTLI_MAX_BYTES:
                br = Compressor.compress_brotli(content)
                if len(br) < len(gz):
                    variants.append((".br", br))
    # Compressed copies first: the plain file appearing is what marks the set complete.
    for suffix in (".gz", ".br"):
        stale = path.with_name(path.name + suffix)
        if suffix not in dict(variants) and stale.exists():
            stale.unlink()
    for suffix, data in variants:
        _write(path.with_name(path.name + suffix), data, scratch)
    _write(path, content, scratch)


def build(source: Path, target: Path) -> Manifest:
    """Copy `source` into `target` under plain and hashed names with compressed copies."""
    files = _sources(source)
    key = (str(source), str(target))
    signature = _signature(files)
    with _builds_lock:
        cached = _builds.get(key)
        if cached and cached[0] == signature and target.is_dir():
            return cached[1]
        contents = _contents(files)
        target.mkdir(parents=True, exist_ok=True)
        scratch = target.parent / f".{target.name}-tmp"
        scratch.mkdir(exist_ok=True)
        for name, (hashed, content) in contents.items():
            _emit(target, scratch, hashed, content, hashed=True)
            _emit(target, scratch, name, content, hashed=False)
        names = {name: hashed for name, (hashed, _content) in contents.items()}
        version = hashlib.sha256(repr(sorted(names.items())).encode()).hexdigest()[:HASH_LENGTH]
        manifest = Manifest(names=names, version=version)
        _builds[key] = (signature, manifest)
        return manifest


def init_app(app: Flask) -> None:
    """Build the hashed static files and put WhiteNoise in front of the app (unless debugging)."""
    app.extensions["confapp.assets"] = None
    app.jinja_env.globals["static_url"] = static_url
    enabled = app.config.get("STATIC_HASHED")
    if enabled is None:
        enabled = not app.debug
    if not enabled or not app.static_folder:
        return
    source = Path(app.static_folder)
    target = Path(app.config.get("STATIC_BUILD_DIR") or Path(app.instance_path) / "static")
    try:
        manifest = build(source, target)
    except OSError as error:
        # A read-only deployment still works: plain names from Flask, no long caching.
        log.warning("static files not built in %s (%s): serving them unhashed", target, error)
        return
    app.extensions["confapp.assets"] = manifest
    production = bool(app.config.get("PRODUCTION"))

    def headers(headers, path: str, url: str) -> None:
        from confapp.web.headers import security_headers

        if not HASHED_URL.search(url):
            # A plain name may change with the next deployment: always revalidate (304).
            headers["Cache-Control"] = "no-cache"
        for name, value in security_headers(headers.get("Content-Type", ""), production=production):
            headers.setdefault(name, value)

    prefix = (app.static_url_path or "/static").rstrip("/") + "/"
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(target),
        prefix=prefix,
        max_age=None,  # set per file below
        immutable_file_test=lambda path, url: bool(HASHED_URL.search(url)),
        add_headers_function=headers,
    )


def manifest() -> Manifest | None:
    """The current app's hashed names, or None when files are served under plain names."""
    return current_app.extensions.get("confapp.assets")


def static_url(filename: str) -> str:
    """URL of a static file under its hashed name (plain `url_for('static')` when not built)."""
    built = manifest()
    if built is not None and filename in built.names:
        return url_for("static", filename=built.names[filename])
    return url_for("static", filename=filename)
