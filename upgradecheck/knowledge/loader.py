"""Loading the knowledge base: read, validate, merge, digest; the bundled data, or a newer
installed bundle, with the user's own data files applied on top. Each file's parse and the
knowledge base built from a set of files are kept between runs (`cache.py`): a run whose
files were built before reads them and their digests, and parses and validates nothing.

Public API:
- `KnowledgeError`: the one exception of this layer; its message names the file and the
  entry (`deprecations/addons.yaml: addons[3].apis[1] (cert-manager.io/v1alpha2): ...`).
- `load_knowledge_base(path=None, user_data=())`: the validated `KnowledgeBase` from a
  folder of data files (default: the active data, loaded once per process and cached), with
  each user data file (`--data`) applied in order.
- `active_data()`: which data `load_knowledge_base()` reads, and why.
- `DATA_FILES`: the file names digested into the knowledge base's version, in that order.
  `helm-support.yaml` and `kb-version.yaml` are read too, but kept out of the digest (they
  joined the knowledge base later; digesting them would change every report's knowledge
  version).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgradecheck import model, resources, versions
from upgradecheck.knowledge import (
    _addons,
    _apis,
    _calendar,
    _helm_support,
    _removals,
    cache,
    codec,
    store,
)
from upgradecheck.knowledge._fields import KnowledgeError, Where, as_list, as_mapping, check_keys
from upgradecheck.knowledge.model import KnowledgeBase

__all__ = [
    "BUNDLE_FILES",
    "DATA_FILES",
    "ActiveData",
    "KnowledgeError",
    "active_data",
    "load_knowledge_base",
]

APIS = "kubernetes-apis.yaml"
OVERLAY = "kubernetes-apis-overlay.yaml"
ADDONS = "addons.yaml"
SKEW = "skew-policy.yaml"
RELEASES = "releases.yaml"
REMOVALS = "removals.yaml"
HELM_SUPPORT = "helm-support.yaml"
VERSION = "kb-version.yaml"
DATA_FILES = (APIS, OVERLAY, ADDONS, SKEW, RELEASES, REMOVALS)
BUNDLE_FILES = (*DATA_FILES, HELM_SUPPORT, VERSION)
"""Every file a bundle carries (and a folder of data may hold)."""
USER_SCHEMA = "upgradecheck.kb.user/v1"
USER_SECTIONS = ("apis", "addons", "removals")

SCHEMAS = {
    APIS: _apis.APIS_SCHEMA,
    OVERLAY: _apis.OVERLAY_SCHEMA,
    ADDONS: _addons.SCHEMA,
    SKEW: _calendar.SKEW_SCHEMA,
    RELEASES: _calendar.RELEASES_SCHEMA,
    REMOVALS: _removals.SCHEMA,
    HELM_SUPPORT: _helm_support.SCHEMA,
    VERSION: "upgradecheck.kb.version/v1",
}

PARSER_REVISION = "1"
"""What a file's bytes parse into (`_yaml.parse_yaml`): part of each parse cache entry's key,
so bump it when that changes."""


def _display(path: Path) -> str:
    """How a file is named in messages: `deprecations/addons.yaml`."""
    return f"{path.parent.name}/{path.name}"


@dataclass(frozen=True)
class _Document:
    """One data file: its bytes, its top-level place, and its document, parsed (and its schema
    checked) when first asked for: a knowledge base read from the cache needs none of them."""

    raw: bytes
    where: Where
    schema: str
    """The schema its document must name."""
    sha256: str
    """The digest of `raw`."""

    @functools.cached_property
    def data(self) -> Mapping[str, Any]:
        """The parsed document (KnowledgeError when it is not YAML or names another schema)."""
        document = cache.load(self.sha256, PARSER_REVISION)
        if document is None:
            from upgradecheck.knowledge._yaml import parse_yaml  # PyYAML, only when not cached

            document = parse_yaml(self.raw, self.where)
            cache.store(self.sha256, PARSER_REVISION, document)
        document = as_mapping(document, self.where, "the document")
        if document.get("schema") != self.schema:
            raise self.where.error(
                f"schema must be {self.schema!r}, not {document.get('schema')!r}"
            )
        return document

    @property
    def pair(self) -> tuple[Mapping[str, Any], Where]:
        return self.data, self.where


def _parse(path: Path, shown: str, schema: str, expected_sha256: str | None = None) -> _Document:
    """Read one file, checking its digest when one is expected; its document is parsed when
    first asked for (`_Document.data`)."""
    where = Where(shown)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise where.error(f"cannot read the file ({exc.strerror or exc})") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    if expected_sha256 is not None and sha256 != expected_sha256:
        raise where.error(
            "changed since its bundle was installed (sha256 differs); run `upgradecheck kb "
            "reset` or install the bundle again"
        )
    return _Document(raw, where, schema, sha256)


def _read_folder(
    folder: Path, files: Mapping[str, str] | None = None, *, full_paths: bool = False
) -> dict[str, _Document]:
    """Every data file of `folder` (`kb-version.yaml` when present); `files` gives the sha256
    each must have (an installed bundle)."""
    names = [n for n in BUNDLE_FILES if n != VERSION or (folder / VERSION).exists()]
    return {
        name: _parse(
            folder / name,
            str(folder / name) if full_paths else _display(folder / name),
            SCHEMAS[name],
            None if files is None else files.get(name, ""),
        )
        for name in names
    }


def data_version(doc: _Document | None) -> str:
    """The data version `kb-version.yaml` gives (empty when the folder has none)."""
    if doc is None:
        return ""
    check_keys(doc.data, ("schema", "data_version"), (), doc.where)
    value = doc.data["data_version"]
    if not store.is_data_version(value):
        raise doc.where.error(
            f"data_version {value!r} must be a quoted date version such as \"2026.12.02\""
        )
    return str(value)


def read_user_data(path: str | Path) -> _Document:
    """A user data file (`--data`), checked for its schema and sections; its entries are
    validated when the knowledge base is built."""
    document = _parse(Path(path), str(path), USER_SCHEMA)
    check_keys(document.data, ("schema",), USER_SECTIONS, document.where)
    for section in USER_SECTIONS:
        if section in document.data:
            as_list(document.data[section], document.where.at(section), section)
    if not any(document.data.get(section) for section in USER_SECTIONS):
        raise document.where.error(
            f"holds no entries: give at least one of {', '.join(USER_SECTIONS)}"
        )
    return document


def _digest(contents: Mapping[str, bytes]) -> str:
    """A short sha256 over the data files' names and bytes."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(name.encode() + b"\0" + contents[name] + b"\0")
    return digest.hexdigest()[:12]


def _user_digest(users: Sequence[_Document]) -> str:
    """A short sha256 over the user files' bytes, in order (not their paths: the same data
    gives the same version wherever it is kept)."""
    digest = hashlib.sha256()
    for user in users:
        digest.update(user.raw + b"\0")
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str | None:
    """A digest of the code that builds a knowledge base from its files (this package's
    modules, the version type and the shared model, which holds ConfigUse), so that a
    changed builder never reads what the old one built: in a checkout being worked on, the
    tool's version stays the same. None when the source cannot be read (then nothing built
    is cached)."""
    digest = hashlib.sha256()
    shared = [Path(versions.__file__), Path(model.__file__)]
    try:
        for path in [*sorted(Path(__file__).parent.glob("*.py")), *shared]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _built_key(
    docs: Mapping[str, _Document], users: Sequence[_Document], origin: str
) -> str | None:
    """What a knowledge base built from these files is cached under: every file's bytes, the
    user files' paths as given (the knowledge base names them), `origin`, and the code."""
    code = _code_digest()
    if code is None:
        return None
    digest = hashlib.sha256(f"{code}\0{origin}\0".encode())
    for name in sorted(docs):
        digest.update(f"{name}\0{docs[name].sha256}\0".encode())
    for user in users:
        digest.update(f"user\0{user.where.file}\0{user.sha256}\0".encode())
    return digest.hexdigest()


def _build(
    docs: Mapping[str, _Document], users: Sequence[_Document] = (), origin: str = ""
) -> KnowledgeBase:
    """Validate and merge the files of one folder, then the user files in order; or the same
    knowledge base, read from the cache when these files were built before."""
    key = _built_key(docs, users, origin)
    if key is not None:
        cached = cache.load(key, codec.REVISION, object_hook=codec.object_hook)
        if isinstance(cached, KnowledgeBase):  # else none, damaged or foreign: built again
            return cached
    for doc in [*docs.values(), *users]:  # every file parsed, in order, before validating
        doc.data  # noqa: B018
    kb = _validated(docs, users, origin)
    if key is not None:
        with contextlib.suppress(TypeError):  # a value JSON cannot hold: not cached
            cache.store(key, codec.REVISION, codec.encode(kb))
    return kb


def _validated(
    docs: Mapping[str, _Document], users: Sequence[_Document], origin: str
) -> KnowledgeBase:
    """Validate and merge the files of one folder, then the user files in order."""
    skew_rules, upgrade_order = _calendar.build_skew(*docs[SKEW].pair)
    layered = [(u.data, u.where, u.where.file) for u in users]
    apis, ga_introduced = _apis.build_apis(docs[APIS].pair, docs[OVERLAY].pair, layered)
    addon_apis = _addons.build_addons(*docs[ADDONS].pair)
    removals = _removals.build_removals(*docs[REMOVALS].pair)
    for data, where, file in layered:
        addon_apis = _addons.apply_user_addons(addon_apis, data, where, file)
        removals = _removals.apply_user_removals(removals, data, where, file)
    version = _digest({name: doc.raw for name, doc in docs.items() if name in DATA_FILES})
    return KnowledgeBase(
        apis=apis,
        addon_apis=addon_apis,
        skew_rules=skew_rules,
        releases=_calendar.build_releases(*docs[RELEASES].pair),
        removals=removals,
        version=f"{version}+user-{_user_digest(users)}" if users else version,
        upgrade_order=upgrade_order,
        helm_support=_helm_support.build_helm_support(*docs[HELM_SUPPORT].pair),
        ga_introduced=ga_introduced,
        data_version=data_version(docs.get(VERSION)),
        origin=origin,
        user_data=tuple(u.where.file for u in users),
    )


@dataclass(frozen=True)
class ActiveData:
    """The data `load_knowledge_base()` reads, and the data it passed over."""

    folder: Path
    """The folder of data files."""
    origin: str
    """`bundled`, or `installed bundle`."""
    data_version: str
    """Its data version."""
    bundled_version: str
    """The data version shipped with this upgradecheck."""
    bundle: store.InstalledBundle | None
    """The installed bundle, whether it is used or not (older than the bundled data)."""


@functools.lru_cache(maxsize=1)
def _bundled_docs() -> tuple[Path, dict[str, _Document]]:
    """The bundled folder and its files, read once."""
    try:
        folder = resources.deprecations_dir()
    except FileNotFoundError as exc:
        raise KnowledgeError(str(exc)) from None
    return folder, _read_folder(folder)


def active_data() -> ActiveData:
    """The bundled data, or the installed bundle when its data version is newer."""
    folder, docs = _bundled_docs()
    bundled_version = data_version(docs.get(VERSION))
    bundle = store.installed()
    if bundle is not None and store.version_key(bundle.data_version) > store.version_key(
        bundled_version
    ):
        return ActiveData(
            bundle.folder, "installed bundle", bundle.data_version, bundled_version, bundle
        )
    return ActiveData(folder, "bundled", bundled_version, bundled_version, bundle)


@functools.lru_cache(maxsize=4)
def _active_docs(folder: Path, stamp: str) -> dict[str, _Document]:
    """An installed bundle's files (checked against its manifest), read once per install
    (`stamp` is the bundle's digest)."""
    bundle = store.installed(folder)
    if bundle is None or bundle.sha256 != stamp:
        raise KnowledgeError(f"{folder}: the installed bundle changed while being read")
    docs = _read_folder(folder, bundle.files, full_paths=True)
    if data_version(docs.get(VERSION)) != bundle.data_version:
        raise docs[VERSION].where.error(
            "data_version differs from the bundle's manifest; run `upgradecheck kb reset`"
        )
    return docs


@functools.lru_cache(maxsize=4)
def _base(folder: Path, stamp: str) -> KnowledgeBase:
    """The knowledge base of the active data, built once (`stamp`: see `_active_docs`)."""
    if not stamp:
        return _build(_bundled_docs()[1], origin="bundled")
    return _build(_active_docs(folder, stamp), origin=f"installed bundle {folder}")


def load_knowledge_base(
    path: Path | None = None, *, user_data: Sequence[str | Path] = ()
) -> KnowledgeBase:
    """The validated knowledge base from `path` (a `deprecations/` folder), or the active
    data (`active_data()`) when `path` is None (cached: later calls return the same object);
    then each of `user_data` (user data files) applied in order."""
    users = [read_user_data(p) for p in user_data]
    if path is not None:
        return _build(_read_folder(Path(path)), users, origin=str(path))
    active = active_data()
    stamp = active.bundle.sha256 if active.origin != "bundled" and active.bundle else ""
    if not users:
        return _base(active.folder, stamp)
    docs = _bundled_docs()[1] if not stamp else _active_docs(active.folder, stamp)
    origin = "bundled" if not stamp else f"installed bundle {active.folder}"
    return _build(docs, users, origin)
