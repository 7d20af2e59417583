#!/usr/bin/env python3
"""Check that `squarely organize --apply --commit` leaves real repositories working.

`scripts/check-organize.sh` proves it on squarely's fixtures; this script measures it on a
corpus of real repository snapshots (one folder per repository, e.g. `<owner>+<name>`, plain
folders or symlinks to folders, without `.git`). For each snapshot, in a fresh temporary
folder, it:

 1. copies the snapshot, `git init`s it and commits everything;
 2. records a fingerprint (path, mode and sha256 of every file but `.git`);
 3. prints the plan (`squarely organize --format json`: moves, kept files, predicted score),
    then runs `squarely organize --apply --commit`;
 4. checks the organized tree against the original one (each check counts the problems and
    keeps up to 5 examples):
      a. py-compile   every .py file that compiled before (in-process `compile`) still does;
      b. py-imports   every intra-project Python import (`import x.y`, `from x.y import z`,
                      relative imports) that resolved before still resolves, to the moved
                      file; `from pkg import Name` keeps its kind (submodule or attribute);
                      a dotted use `x.y.z.Name` of a plain `import x.y.z` still names the
                      (moved) module (counted once per file and module);
      c. js-imports   every relative specifier (`./x`, `../x`) in import/export-from,
                      require(), import(), require.resolve() and jest/vi mock calls of
                      JS/TS files (comments skipped) that resolved before still resolves,
                      to the moved file;
      d. rust-mods    every `mod name;` resolves (name.rs or name/mod.rs), every .rs file that
                      was in a crate's module tree still is, and every `crate::`/`super::`/
                      `self::` path left unchanged in the code still names the (moved) module
                      (once per file and module); with cargo on PATH and a root Cargo.toml,
                      `cargo check --offline` before and after (a failure before counts as
                      "unavailable": the crate needs the network);
      e. config-paths what alembic.ini `script_location`, package.json `main`/`bin`,
                      Dockerfile COPY/ADD sources, compose `build`/`context`/`./` volumes and
                      `uvicorn|gunicorn X:app` modules in Procfiles, Dockerfile CMD/ENTRYPOINT
                      and compose commands name, and that existed, still exists;
      f. commits      every commit of the run passes checks a-c on its own (read from git,
                      against the initial commit);
      g. audit        `squarely audit . --format json` score, next to the plan's score_after;
 5. runs `squarely organize --undo` and compares the fingerprint (identical or N differences).

It prints one table row per repository (standard output; Markdown with --markdown, for
docs/organize.md) and the examples of every problem (standard error), and exits 1 when a
repository is broken (a-e), an undo is not byte-identical, or a squarely command failed;
else 0. Failing intermediate commits are reported but do not fail the run.

    scripts/check-organize-real.py --corpus /work/allcorpus
    scripts/check-organize-real.py --corpus ~/corpus --only miguelgrinberg+flasky --keep
    scripts/check-organize-real.py --corpus ~/corpus --markdown --no-cargo
    scripts/check-organize-real.py --corpus ~/corpus --json-out results.json

Options: --squarely PATH (default: target/release/squarely, else `squarely` on PATH);
--only NAME (repeatable); --keep (keep the temporary folders and print where they are);
--no-cargo (skip cargo check); --json-out FILE (every result and example as JSON);
--examples N (examples kept per check, default 5).

Python 3.9+ standard library only; needs git. It runs nothing from the snapshots except
`cargo check`. Each squarely command has a 120 s timeout, each cargo check 300 s.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import json
import os
import posixpath
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
GIT_ID = ["-c", "user.name=ci", "-c", "user.email=ci@example.com", "-c", "commit.gpgsign=false"]
SQUARELY_TIMEOUT = 120
CARGO_TIMEOUT = 300
GIT_TIMEOUT = 120
MAX_EXAMPLES = 5
MAX_READ = 5 * 1024 * 1024

CHECKS = ["a", "b", "c", "d", "e"]
CHECK_NAMES = {
    "a": "py-compile",
    "b": "py-imports",
    "c": "js-imports",
    "d": "rust-mods",
    "e": "config-paths",
}

JS_SOURCES = (".js", ".ts", ".jsx", ".tsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
JS_TRY_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".json", ".mts", ".cts", ".vue")
JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
PY_SERVICE_MARKERS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "manage.py",
    "alembic.ini",
)
SKIP_DIRS = {"node_modules", ".git"}

_ENV = dict(os.environ)
_ENV.update(
    NO_COLOR="1",
    GIT_AUTHOR_NAME="ci",
    GIT_AUTHOR_EMAIL="ci@example.com",
    GIT_COMMITTER_NAME="ci",
    GIT_COMMITTER_EMAIL="ci@example.com",
    PYTHONDONTWRITEBYTECODE="1",
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd, cwd=None, timeout=GIT_TIMEOUT, env=None, input=None):
    """Run a command; return (returncode or 'timeout', stdout, stderr) as text."""
    try:
        p = subprocess.run(
            cmd,
            cwd=cwd,
            env=env or _ENV,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout", "", f"timed out after {timeout} s"
    except OSError as e:
        return "error", "", str(e)
    return (
        p.returncode,
        p.stdout.decode("utf-8", "replace"),
        p.stderr.decode("utf-8", "replace"),
    )


def git(repo, *args, timeout=GIT_TIMEOUT):
    return run(["git", *GIT_ID, *args], cwd=repo, timeout=timeout)


# --------------------------------------------------------------------------------------------
# Trees: a set of files (read from disk or from a git commit) with their folders.


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def under_skipped(path: str) -> bool:
    return any(part in SKIP_DIRS for part in path.split("/"))


class Store:
    """Contents by blob id, shared by every tree of one repository."""

    def __init__(self):
        self.data: dict[str, bytes] = {}
        self.catfile = None

    def close(self):
        if self.catfile is not None:
            try:
                self.catfile.stdin.close()
                self.catfile.wait(timeout=10)
            except Exception:
                self.catfile.kill()
            self.catfile = None

    def git_blob(self, repo: str, sha: str) -> bytes | None:
        if sha in self.data:
            return self.data[sha]
        if self.catfile is None:
            self.catfile = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=repo,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=_ENV,
            )
        self.catfile.stdin.write(sha.encode() + b"\n")
        self.catfile.stdin.flush()
        header = self.catfile.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        data = self.catfile.stdout.read(size)
        self.catfile.stdout.read(1)
        if size <= MAX_READ:
            self.data[sha] = data
        return data


class Tree:
    def __init__(self, files: dict, extra_dirs=(), store: Store | None = None, repo=None):
        self.files = files  # path -> blob id (None: unreadable)
        self.store = store
        self.repo = repo
        self.dirs = {""}
        for p in list(files) + [j(d, "x") for d in extra_dirs if d]:
            d = posixpath.dirname(p)
            while d not in self.dirs:
                self.dirs.add(d)
                d = posixpath.dirname(d)
        self.pydirs = set()  # folders with a .py file somewhere below
        for p in files:
            if p.endswith(".py"):
                d = posixpath.dirname(p)
                while d and d not in self.pydirs:
                    self.pydirs.add(d)
                    d = posixpath.dirname(d)

    def is_file(self, p: str) -> bool:
        return p in self.files

    def is_dir(self, p: str) -> bool:
        return p in self.dirs

    def exists(self, p: str) -> bool:
        return p in self.files or p in self.dirs

    def key(self, p: str):
        return self.files.get(p)

    def read(self, p: str) -> bytes | None:
        k = self.files.get(p)
        if k is None:
            return None
        if k in self.store.data:
            return self.store.data[k]
        if self.repo is not None:
            return self.store.git_blob(self.repo, k)
        return None


def disk_tree(root: str, store: Store) -> Tree:
    """Every file under root but .git, read now (the tree changes on disk afterwards)."""
    files, extra = {}, []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        if rel == "":
            dirnames[:] = [d for d in dirnames if d != ".git"]
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                extra.append(posixpath.join(rel, d))
        if not filenames and not dirnames:
            extra.append(rel)
        for f in filenames:
            p = posixpath.join(rel, f)
            full = os.path.join(dirpath, f)
            try:
                if os.path.islink(full) and not os.path.exists(full):
                    data = os.readlink(full).encode()
                elif os.path.getsize(full) > MAX_READ:
                    files[p] = None
                    continue
                else:
                    with open(full, "rb") as fh:
                        data = fh.read()
            except OSError:
                files[p] = None
                continue
            k = blob_id(data)
            store.data[k] = data
            files[p] = k
    return Tree(files, extra, store)


def git_tree(repo: str, commit: str, store: Store) -> Tree:
    code, out, err = git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    if code != 0:
        raise RuntimeError(f"git ls-tree {commit}: {err.strip()}")
    files, extra = {}, []
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "commit":
            extra.append(path)
        else:
            files[path] = sha
    return Tree(files, extra, store, repo)


def fingerprint(root: str) -> dict:
    """Relative path -> (mode, sha256) of every file and symlink but .git."""
    fp = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        if rel == "":
            dirnames[:] = [d for d in dirnames if d != ".git"]
        names = list(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for f in names:
            full = os.path.join(dirpath, f)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                digest = "link:" + os.readlink(full)
            else:
                h = hashlib.sha256()
                with open(full, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                digest = h.hexdigest()
            fp[posixpath.join(rel, f)] = (oct(st.st_mode), digest)
    return fp


def fingerprint_diff(a: dict, b: dict) -> list[str]:
    out = []
    for p in sorted(set(a) | set(b)):
        if p not in b:
            out.append(f"missing after undo: {p}")
        elif p not in a:
            out.append(f"extra after undo: {p}")
        elif a[p][0] != b[p][0]:
            out.append(f"mode changed: {p} {a[p][0]} -> {b[p][0]}")
        elif a[p][1] != b[p][1]:
            out.append(f"content changed: {p}")
    return out


# --------------------------------------------------------------------------------------------
# Per-file analysis, cached by blob id.


@dataclass
class PyInfo:
    compiles: bool
    error: str
    parsed: bool = False
    imports: list = field(default_factory=list)  # (line, module, level, name|None, asname)
    defs: set = field(default_factory=set)
    import_names: set = field(default_factory=set)
    self_subs: set = field(default_factory=set)  # `from . import x`: submodules, not attributes
    import_src: dict = field(default_factory=dict)  # name -> [(module, level)] of `from` imports
    star: bool = False
    dyn_attr: bool = False
    chains: dict = field(default_factory=dict)  # `a.b.c.X` rooted at a plain `import a...` -> first line


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _collect_chains(mod, info: PyInfo):
    """Dotted uses of names bound only by a plain `import a.b` (never assigned in the file)."""
    tops = set()
    for _line, module, level, name, asname in info.imports:
        if name is None and not asname and not level:
            tops.add(module.split(".")[0])
    if not tops:
        return
    stored = set()
    inner = set()
    for node in ast.walk(mod):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stored.add(node.id)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, (ast.ImportFrom,)):
            stored.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            stored.update(a.asname for a in node.names if a.asname)
        if isinstance(node, ast.Attribute):
            inner.add(id(node.value))
    tops -= stored
    for node in ast.walk(mod):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            d = _dotted(node)
            if d and d.split(".")[0] in tops and d.count(".") >= 2:
                info.chains.setdefault(d, node.lineno)


def _target_names(t, out):
    if isinstance(t, ast.Name):
        out.add(t.id)
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            _target_names(e, out)
    elif isinstance(t, ast.Starred):
        _target_names(t.value, out)


def _collect_defs(body, info: PyInfo):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            info.defs.add(node.name)
            if node.name == "__getattr__":
                info.dyn_attr = True
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                _target_names(t, info.defs)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            _target_names(node.target, info.defs)
        elif isinstance(node, ast.Import):
            for a in node.names:
                info.import_names.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.name == "*":
                    info.star = True
                elif node.level == 1 and not node.module and (a.asname or a.name) == a.name:
                    info.self_subs.add(a.name)
                else:
                    info.import_names.add(a.asname or a.name)
                    info.import_src.setdefault(a.asname or a.name, []).append((node.module, node.level))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            _target_names(node.target, info.defs)
            _collect_defs(node.body, info)
            _collect_defs(node.orelse, info)
        elif isinstance(node, (ast.If, ast.While)):
            _collect_defs(node.body, info)
            _collect_defs(node.orelse, info)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    _target_names(item.optional_vars, info.defs)
            _collect_defs(node.body, info)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            _collect_defs(node.body, info)
            for h in node.handlers:
                _collect_defs(h.body, info)
            _collect_defs(node.orelse, info)
            _collect_defs(node.finalbody, info)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.NamedExpr):
            _target_names(node.value.target, info.defs)


RE_JS = [
    re.compile(r"""\b(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1""", re.S),
    re.compile(r"""\bimport\s*(['"])([^'"\n]+)\1"""),
    re.compile(r"""\b(?:require|import)\s*\(\s*(['"])([^'"\n]+)\1\s*\)"""),
    re.compile(
        r"""\b(?:require\.resolve|(?:jest|vi)\.(?:mock|doMock|unmock|requireActual|importActual))"""
        r"""\s*\(\s*(['"])([^'"\n]+)\1"""
    ),
]
RE_RS_MOD = re.compile(
    r"^[ \t]*((?:#\[[^\]\n]*\][ \t]*\n?[ \t]*)*)(?:pub(?:\([^)\n]*\))?[ \t]+)?mod[ \t]+"
    r"(?:r#)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*;",
    re.M,
)
RE_RS_PATH = re.compile(r'#\[\s*path\s*=\s*"([^"]+)"\s*\]')


def strip_js_comments(text: str) -> str:
    """Blank // and /* */ comments (newlines kept), leaving strings alone."""
    out, i, n = [], 0, len(text)
    quote = None
    while i < n:
        c = text[i]
        if quote:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == quote or (c == "\n" and quote != "`"):
                quote = None
            i += 1
            continue
        if c in "'\"`":
            quote = c
            out.append(c)
            i += 1
            continue
        if c == "/" and text.startswith("//", i):
            k = text.find("\n", i)
            k = n if k < 0 else k
            out.append(" " * (k - i))
            i = k
            continue
        if c == "/" and text.startswith("/*", i):
            k = text.find("*/", i + 2)
            k = n if k < 0 else k + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:k]))
            i = k
            continue
        out.append(c)
        i += 1
    return "".join(out)


class Analyzer:
    def __init__(self):
        self.cache: dict = {}

    def py(self, tree: Tree, path: str) -> PyInfo | None:
        k = tree.key(path)
        if k is None:
            return None
        ck = ("py", k)
        if ck in self.cache:
            return self.cache[ck]
        data = tree.read(path)
        if data is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(data, path, "exec", dont_inherit=True)
                info = PyInfo(True, "")
            except SyntaxError as e:
                info = PyInfo(False, f"SyntaxError: {e.msg} (line {e.lineno})")
            except (ValueError, TypeError, MemoryError, RecursionError) as e:
                info = PyInfo(False, f"{type(e).__name__}: {e}")
            try:
                mod = ast.parse(data)
            except Exception:
                mod = None
        if mod is not None:
            info.parsed = True
            for node in ast.walk(mod):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        info.imports.append((node.lineno, a.name, 0, None, a.asname))
                elif isinstance(node, ast.ImportFrom):
                    for a in node.names:
                        info.imports.append(
                            (node.lineno, node.module, node.level or 0, a.name, a.asname)
                        )
            info.imports.sort(key=lambda r: r[0])
            _collect_defs(mod.body, info)
            _collect_chains(mod, info)
        self.cache[ck] = info
        return info

    def text(self, tree: Tree, path: str) -> str | None:
        data = tree.read(path)
        return None if data is None else data.decode("utf-8", "replace")

    def js(self, tree: Tree, path: str) -> list:
        k = tree.key(path)
        if k is None:
            return []
        ck = ("js", k)
        if ck in self.cache:
            return self.cache[ck]
        text = strip_js_comments(self.text(tree, path) or "")
        found = {}
        for rx in RE_JS:
            for m in rx.finditer(text):
                spec = m.group(2)
                if spec in (".", "..") or spec.startswith(("./", "../")):
                    found[m.start(2)] = spec
        out = [(text.count("\n", 0, pos) + 1, spec) for pos, spec in sorted(found.items())]
        self.cache[ck] = out
        return out

    def rs(self, tree: Tree, path: str) -> list:
        k = tree.key(path)
        if k is None:
            return []
        ck = ("rs", k)
        if ck in self.cache:
            return self.cache[ck]
        text = self.text(tree, path) or ""
        out = []
        for m in RE_RS_MOD.finditer(text):
            pm = RE_RS_PATH.search(m.group(1) or "")
            line = text.count("\n", 0, m.start(2)) + 1
            out.append((line, m.group(2), pm.group(1) if pm else None))
        self.cache[ck] = out
        return out


# --------------------------------------------------------------------------------------------
# Python resolution.


@dataclass
class Res:
    kind: str  # file | pkg | ns
    path: str
    weak: bool = False  # only a namespace folder at the top: likely a third-party name

    @property
    def target(self) -> str:
        if self.kind == "file":
            return self.path
        if self.kind == "pkg":
            return posixpath.join(self.path, "__init__.py")
        return self.path + "/"


@dataclass
class Ev:
    ok: bool
    intra: bool
    kind: str = ""  # module | submodule | attr | unknown
    target: str = ""
    why: str = ""


def j(*parts) -> str:
    return posixpath.join(*[p for p in parts if p])


class PyWorld:
    def __init__(self, tree: Tree, an: Analyzer):
        self.tree, self.an = tree, an
        roots = [""]
        if tree.is_dir("src"):
            roots.append("src")
        for d in sorted(tree.dirs):
            if not d or d.count("/") > 1 or under_skipped(d):
                continue
            if any(tree.is_file(j(d, m)) for m in PY_SERVICE_MARKERS):
                roots.append(d)
                if tree.is_dir(j(d, "src")):
                    roots.append(j(d, "src"))
        self.roots = list(dict.fromkeys(roots))
        rs = set(self.roots)
        self.tops = set()
        for f in tree.files:
            if f.endswith("/__init__.py"):
                pkg = posixpath.dirname(f)
                if posixpath.dirname(pkg) in rs:
                    self.tops.add(posixpath.basename(pkg))
            elif f.endswith(".py") and posixpath.dirname(f) in rs:
                self.tops.add(posixpath.basename(f)[:-3])

    def info(self, path):
        return self.an.py(self.tree, path)

    def step(self, cur: str, name: str) -> Res | None:
        d = j(cur, name)
        if self.tree.is_file(j(d, "__init__.py")):
            return Res("pkg", d)
        if self.tree.is_file(d + ".py"):
            return Res("file", d + ".py")
        if d in self.tree.pydirs:
            return Res("ns", d)
        return None

    def resolve_from(self, base: str, parts) -> Res | None:
        res = None
        for p in parts:
            if res is not None and res.kind == "file":
                return None
            res = self.step(base if res is None else res.path, p)
            if res is None:
                return None
        return res

    def roots_for(self, file_path: str):
        d = posixpath.dirname(file_path)
        if not self.tree.is_file(j(d, "__init__.py")):
            return list(dict.fromkeys([d] + self.roots))
        return self.roots

    def resolve_abs(self, dotted: str, file_path: str) -> Res | None:
        parts = dotted.split(".")
        roots = self.roots_for(file_path)
        firsts = [(r, self.step(r, parts[0])) for r in roots]
        regular = [(r, x) for r, x in firsts if x is not None and x.kind != "ns"]
        if regular:
            r, _ = regular[0]
            return self.resolve_from(r, parts)
        best = None
        for r, x in firsts:
            if x is None:
                continue
            res = self.resolve_from(r, parts)
            if res is not None and (best is None or (best.kind == "ns" and res.kind != "ns")):
                best = res
        if best is not None:
            best.weak = best.kind == "ns"
        return best

    def chain_module(self, dotted: str, file_path: str):
        """(prefix, file) of the longest prefix (two parts or more) of dotted naming a module."""
        parts = dotted.split(".")
        for k in range(len(parts), 1, -1):
            res = self.resolve_abs(".".join(parts[:k]), file_path)
            if res is not None and not res.weak and res.kind in ("file", "pkg"):
                return ".".join(parts[:k]), res.target
        return None

    def resolve_rel(self, file_path: str, level: int, module: str | None) -> Res | None:
        base = posixpath.dirname(file_path)
        for _ in range(level - 1):
            if base == "":
                return None
            base = posixpath.dirname(base)
        if module:
            return self.resolve_from(base, module.split("."))
        if self.tree.is_file(j(base, "__init__.py")):
            return Res("pkg", base)
        return Res("ns", base)

    def name_kind(self, res: Res, name: str):
        if res.kind in ("pkg", "ns"):
            init = j(res.path, "__init__.py")
            info = self.info(init) if res.kind == "pkg" else None
            if info is not None and name in info.defs:
                return "attr", init
            sub = self.step(res.path, name)
            if sub is not None:
                return "submodule", sub.target
            if info is not None and name in info.import_names and not self.self_bound(info, init, res, name):
                return "attr", init
            if res.kind == "pkg" and (info is None or not info.parsed or info.star or info.dyn_attr):
                return "unknown", init
            return "missing", ""
        info = self.info(res.path)
        if info is None or not info.parsed or info.star or info.dyn_attr:
            if info is not None and (name in info.defs or name in info.import_names):
                return "attr", res.path
            return "unknown", res.path
        if name in info.defs or name in info.import_names:
            return "attr", res.path
        return "missing", ""

    def self_bound(self, info: PyInfo, init: str, res: Res, name: str) -> bool:
        """True when the package binds name only by importing it from itself
        (`from app.api import users` in app/api/__init__.py): that names a submodule."""
        srcs = info.import_src.get(name)
        if not srcs:
            return False
        for module, level in srcs:
            if level == 1 and not module:
                continue
            if level == 0 and module:
                r = self.resolve_abs(module, init)
                if r is not None and r.path == res.path:
                    continue
            return False
        return True

    def is_top(self, name: str, file_path: str) -> bool:
        if name in self.tops:
            return True
        d = posixpath.dirname(file_path)
        return self.tree.is_file(j(d, name + ".py")) or self.tree.is_file(j(d, name, "__init__.py"))

    def evaluate(self, file_path: str, rec, other: "PyWorld | None" = None) -> Ev:
        _line, module, level, name, _as = rec

        def intra_top():
            if level:
                return True
            top = (module or "").split(".")[0]
            return self.is_top(top, file_path) or (other is not None and other.is_top(top, file_path))

        if level == 0 and name is None:  # import a.b.c
            res = self.resolve_abs(module, file_path)
            if res is None or res.weak:
                return Ev(False, intra_top(), why=f"module `{module}` not found")
            return Ev(True, True, "module", res.target)
        res = self.resolve_rel(file_path, level, module) if level else self.resolve_abs(module, file_path)
        shown = "." * level + (module or "")
        if res is None:
            return Ev(False, intra_top(), why=f"module `{shown}` not found")
        if name == "*":
            if res.weak:
                return Ev(False, False)
            return Ev(True, True, "module", res.target)
        kind, target = self.name_kind(res, name)
        if res.weak and kind != "submodule":
            return Ev(False, False)
        if kind == "missing":
            return Ev(False, True, why=f"`{name}` is neither defined in `{shown}` ({res.target}) nor a submodule")
        return Ev(True, True, kind, target)


def py_stmt(rec) -> str:
    _line, module, level, name, asname = rec
    alias = f" as {asname}" if asname else ""
    if name is None:
        return f"import {module}{alias}"
    return f"from {'.' * level}{module or ''} import {name}{alias}"


def py_key(rec):
    _line, module, level, name, asname = rec
    if name is None:
        return ("import", asname or module)
    return ("from", asname or name)


# --------------------------------------------------------------------------------------------
# JS and Rust resolution.


def js_resolve(tree: Tree, from_file: str, spec: str) -> str | None:
    base = posixpath.normpath(j(posixpath.dirname(from_file), spec))
    if base.startswith("../") or base == "..":
        return None
    base = "" if base == "." else base
    if base and tree.is_file(base):
        return base
    root, ext = posixpath.splitext(base)
    for alt in JS_TO_TS.get(ext, ()):
        if tree.is_file(root + alt):
            return root + alt
    for e in JS_TRY_EXTS:
        if base and tree.is_file(base + e):
            return base + e
    for e in JS_TRY_EXTS:
        if tree.is_file(j(base, "index" + e)):
            return j(base, "index" + e)
    return None


def rs_children_dir(path: str) -> str:
    d, name = posixpath.split(path)
    if name in ("mod.rs", "lib.rs", "main.rs", "build.rs") or posixpath.basename(d) in (
        "bin",
        "tests",
        "examples",
        "benches",
    ):
        return d
    return j(d, name[:-3])


def rs_resolve(tree: Tree, from_file: str, name: str, path_attr: str | None) -> str | None:
    if path_attr:
        p = posixpath.normpath(j(posixpath.dirname(from_file), path_attr))
        return p if tree.is_file(p) else None
    d = rs_children_dir(from_file)
    for cand in (j(d, name + ".rs"), j(d, name, "mod.rs")):
        if tree.is_file(cand):
            return cand
    return None


RE_CARGO_PATH = re.compile(r'^\s*path\s*=\s*"([^"]+\.rs)"', re.M)


def rs_modules(tree: Tree, an: Analyzer) -> dict:
    """File -> (crate root, module path) for every .rs file in some crate's module tree."""
    roots = []
    for f in tree.files:
        if posixpath.basename(f) != "Cargo.toml" or under_skipped(f) or "/target/" in "/" + f:
            continue
        d = posixpath.dirname(f)
        for cand in ("src/main.rs", "src/lib.rs", "build.rs"):
            if tree.is_file(j(d, cand)):
                roots.append(j(d, cand))
        for sub in ("src/bin", "tests", "examples", "benches"):
            prefix = j(d, sub) + "/"
            for g in tree.files:
                if g.startswith(prefix) and g.endswith(".rs"):
                    rest = g[len(prefix):]
                    if "/" not in rest or rest.endswith("/main.rs") and rest.count("/") == 1:
                        roots.append(g)
        text = an.text(tree, f) or ""
        for m in RE_CARGO_PATH.finditer(text):
            p = posixpath.normpath(j(d, m.group(1)))
            if tree.is_file(p):
                roots.append(p)
    seen: dict = {}
    for root in dict.fromkeys(roots):
        todo = [(root, ())]
        while todo:
            f, modpath = todo.pop()
            if f in seen:
                continue
            seen[f] = (root, modpath)
            for _line, name, pa in an.rs(tree, f):
                t = rs_resolve(tree, f, name, pa)
                if t is not None and t not in seen:
                    todo.append((t, modpath + (name,)))
    return seen


RE_RS_PATH_USE = re.compile(r"(?<![\w:])((?:crate|self|super)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+)")


def rs_strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def rs_paths(tree: Tree, an: Analyzer, path: str) -> dict:
    """`crate::a::b`, `super::x::y`, `self::z` paths in a file -> first line."""
    k = tree.key(path)
    ck = ("rspaths", k)
    if k is None:
        return {}
    if ck not in an.cache:
        text = rs_strip_comments(an.text(tree, path) or "")
        out = {}
        for m in RE_RS_PATH_USE.finditer(text):
            out.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1)
        an.cache[ck] = out
    return an.cache[ck]


def rs_path_module(mods: dict, bymod: dict, f: str, path: str):
    """(module path prefix text, file) of the longest prefix of path that names a module file."""
    if f not in mods:
        return None
    root, here = mods[f]
    parts = path.split("::")
    if parts[0] == "crate":
        cur, i = (), 1
    elif parts[0] == "self":
        cur, i = here, 1
    else:
        cur, i = here, 0
        while i < len(parts) and parts[i] == "super":
            if not cur:
                return None
            cur = cur[:-1]
            i += 1
    best = None
    for k in range(i, len(parts)):
        cur = cur + (parts[k],)
        g = bymod.get((root, cur))
        if g is None:
            break
        best = ("::".join(parts[: k + 1]), g)
    return best


# --------------------------------------------------------------------------------------------
# Paths named in configuration.

RE_APP_LINE = re.compile(r"\b(uvicorn|gunicorn|hypercorn|daphne)\b")
RE_APP_MODULE = re.compile(r"(?<![\w./])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*)")
RE_APP_DIR = re.compile(r"--(?:chdir|app-dir)[= ]+[\"']?([^\s\"']+)")


@dataclass
class Item:
    kind: str
    value: str
    line: int
    exists: bool


def is_dockerfile(name: str) -> bool:
    low = name.lower()
    return (
        low in ("dockerfile", "containerfile")
        or low.startswith("dockerfile.")
        or low.endswith(".dockerfile")
    )


def is_compose(name: str) -> bool:
    low = name.lower()
    return (low.startswith("docker-compose") or low.startswith("compose")) and low.endswith(
        (".yml", ".yaml")
    )


def config_files(tree: Tree) -> list:
    out = []
    for f in tree.files:
        if under_skipped(f):
            continue
        name = posixpath.basename(f)
        if (
            name == "package.json"
            or name == "alembic.ini"
            or is_dockerfile(name)
            or is_compose(name)
            or name.startswith("Procfile")
        ):
            out.append(f)
    return out


def _path_exists(tree: Tree, base: str, value: str) -> bool | None:
    """None: not a checkable path (variables, outside the tree, URLs)."""
    if "$" in value or "://" in value or value.startswith("/") or "{" in value:
        return None
    p = posixpath.normpath(j(base, value.strip()))
    if p == ".":
        return None
    if p.startswith("../") or p == "..":
        return None
    if any(c in p for c in "*?["):
        pat = p
        return any(fnmatch.fnmatch(f, pat) for f in tree.files) or any(
            fnmatch.fnmatch(d, pat) for d in tree.dirs
        )
    return tree.exists(p)


def _module_exists(world: PyWorld, bases, module: str) -> bool:
    parts = module.split(".")
    for b in bases:
        res = world.resolve_from(b, parts)
        if res is not None and res.kind in ("file", "pkg"):
            return True
    return False


def _app_modules(world: PyWorld, line_text: str, line: int, bases, cfg_dir: str) -> list:
    items = []
    if not RE_APP_LINE.search(line_text):
        return items
    bases = list(bases)
    for m in RE_APP_DIR.finditer(line_text):
        v = posixpath.normpath(j(cfg_dir, m.group(1)))
        if not v.startswith(("/", "..")):
            bases.append("" if v == "." else v)
    for m in RE_APP_MODULE.finditer(line_text):
        mod = m.group(1)
        if mod in ("uvicorn", "gunicorn", "hypercorn", "daphne", "python", "sh", "bash"):
            continue
        items.append(Item("app-module", f"{mod}:{m.group(2)}", line, _module_exists(world, bases, mod)))
    return items


def _logical_lines(text: str):
    """Dockerfile lines with continuations joined: (first line number, text)."""
    buf, start = "", None
    for i, raw in enumerate(text.splitlines(), 1):
        s = raw.rstrip()
        if start is None:
            if not s.strip() or s.lstrip().startswith("#"):
                continue
            start = i
        elif s.lstrip().startswith("#"):
            continue
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        buf += s
        yield start, buf
        buf, start = "", None
    if start is not None:
        yield start, buf


def config_items(tree: Tree, world: PyWorld, an: Analyzer, f: str) -> list:
    text = an.text(tree, f)
    if text is None:
        return []
    d = posixpath.dirname(f)
    name = posixpath.basename(f)
    items: list[Item] = []
    if name == "alembic.ini":
        for i, line in enumerate(text.splitlines(), 1):
            m = re.match(r"\s*script_location\s*[=:]\s*(.+?)\s*$", line)
            if m:
                v = m.group(1).replace("%(here)s", ".")
                if ":" in v and not v.startswith((".", "/")):
                    continue  # package resource
                ex = _path_exists(tree, d, v)
                if ex is not None:
                    items.append(Item("script_location", m.group(1), i, ex))
    elif name == "package.json":
        try:
            pkg = json.loads(text)
        except ValueError:
            return []
        if not isinstance(pkg, dict):
            return []

        def line_of(s):
            pos = text.find(json.dumps(s)[1:-1])
            return text.count("\n", 0, pos) + 1 if pos >= 0 else 0

        main = pkg.get("main")
        if isinstance(main, str) and main.strip():
            spec = main if main.startswith(".") else "./" + main
            items.append(Item("main", main, line_of(main), js_resolve(tree, f, spec) is not None))
        bins = pkg.get("bin")
        if isinstance(bins, str):
            bins = {"": bins}
        if isinstance(bins, dict):
            for b in bins.values():
                if isinstance(b, str):
                    spec = b if b.startswith(".") else "./" + b
                    items.append(Item("bin", b, line_of(b), js_resolve(tree, f, spec) is not None))
    elif is_dockerfile(name):
        copy_dirs = []
        lines = list(_logical_lines(text))
        for ln, s in lines:
            m = re.match(r"\s*(COPY|ADD)\s+(.*)$", s, re.I)
            if not m:
                continue
            rest = m.group(2).strip()
            if re.search(r"--from[= ]", rest):
                continue
            if rest.startswith("["):
                try:
                    args = json.loads(rest)
                except ValueError:
                    continue
            else:
                args = [a for a in rest.split() if not a.startswith("--")]
            for src in args[:-1]:
                src = src.strip("\"'")
                found = None
                for base in dict.fromkeys([d, ""]):
                    ex = _path_exists(tree, base, src)
                    if ex is None:
                        found = None
                        break
                    found = found or ex
                    if ex and tree.is_dir(posixpath.normpath(j(base, src))):
                        copy_dirs.append(posixpath.normpath(j(base, src)))
                if found is not None:
                    items.append(Item(m.group(1).upper(), src, ln, found))
        bases = list(dict.fromkeys([d, ""] + world.roots + copy_dirs))
        for ln, s in lines:
            if re.match(r"\s*(CMD|ENTRYPOINT)\b", s, re.I):
                items += _app_modules(world, s, ln, bases, d)
    elif is_compose(name):
        contexts = []
        for i, line in enumerate(text.splitlines(), 1):
            s = line.split(" #")[0].rstrip()
            if s.lstrip().startswith("#"):
                continue
            m = re.match(r"\s*(build|context):\s*[\"']?([^\s\"'{|>]+)[\"']?\s*$", s)
            if m:
                ex = _path_exists(tree, d, m.group(2))
                if ex is not None:
                    items.append(Item(m.group(1), m.group(2), i, ex))
                    contexts.append(posixpath.normpath(j(d, m.group(2))))
                continue
            m = re.match(r"\s*-\s*[\"']?(\.{1,2}/[^:\"']*|\.{1,2})(?::|[\"']?\s*$)", s) or re.match(
                r"\s*source:\s*[\"']?(\.{1,2}/[^\s\"']*)", s
            )
            if m:
                ex = _path_exists(tree, d, m.group(1))
                if ex is not None:
                    items.append(Item("volume", m.group(1), i, ex))
        bases = list(dict.fromkeys([d, ""] + contexts + world.roots))
        for i, line in enumerate(text.splitlines(), 1):
            if re.match(r"\s*(command|entrypoint)\s*:", line) or (
                line.lstrip().startswith("-") and RE_APP_LINE.search(line)
            ):
                items += _app_modules(world, line, i, bases, d)
    elif name.startswith("Procfile"):
        bases = list(dict.fromkeys([d, ""] + world.roots))
        for i, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            items += _app_modules(world, line, i, bases, d)
    return items


# --------------------------------------------------------------------------------------------
# Comparing two trees.


class Problems:
    def __init__(self):
        self.count = {c: 0 for c in CHECKS}
        self.examples = {c: [] for c in CHECKS}
        self.checked = {c: 0 for c in CHECKS}

    def add(self, check: str, msg: str):
        self.count[check] += 1
        if len(self.examples[check]) < MAX_EXAMPLES:
            self.examples[check].append(msg)

    def total(self, checks=CHECKS) -> int:
        return sum(self.count[c] for c in checks)


class Mapper:
    def __init__(self, moves: dict):
        self.moves = moves

    def after_path(self, p: str, after: Tree) -> str | None:
        t = self.moves.get(p)
        if t is not None and after.is_file(t):
            return t
        if after.is_file(p):
            return p
        return None

    def expected(self, target: str, after: Tree) -> str:
        """Where target should be in after: its move target once moved, else where it was."""
        if target.endswith("/"):
            return target
        return self.after_path(target, after) or self.moves.get(target, target)


def pair_files(before: Tree, after: Tree, mapper: Mapper, pred):
    """(before path or None, after path or None) for every file pred accepts."""
    pairs, seen = [], set()
    for p in sorted(before.files):
        if not pred(p):
            continue
        q = mapper.after_path(p, after)
        pairs.append((p, q))
        if q is not None:
            seen.add(q)
    for q in sorted(after.files):
        if pred(q) and q not in seen:
            pairs.append((None, q))
    return pairs


def match_records(brecs, arecs, key):
    """Pairs (before or None, after) matched by key in order, then leftovers in order."""
    pending: dict = {}
    for b in brecs:
        pending.setdefault(key(b), []).append(b)
    out, left_a = [], []
    for a in arecs:
        lst = pending.get(key(a))
        if lst:
            out.append((lst.pop(0), a))
        else:
            left_a.append(a)
    left_b = [b for lst in pending.values() for b in lst]
    left_b.sort(key=lambda r: r[0])
    for a in left_a:
        out.append((left_b.pop(0) if left_b else None, a))
    return out


def is_py(p):
    return p.endswith(".py") and not under_skipped(p)


def is_js(p):
    return p.endswith(JS_SOURCES) and not p.endswith(".d.ts") and not under_skipped(p)


def is_rs(p):
    return p.endswith(".rs") and not under_skipped(p) and "/target/" not in "/" + p


def moved_note(p, q):
    return q if p in (None, q) else f"{q} (was {p})"


def compare(before: Tree, after: Tree, mapper: Mapper, an: Analyzer, checks, probs: Problems):
    wb = PyWorld(before, an)
    wa = PyWorld(after, an)
    if "a" in checks or "b" in checks:
        for p, q in pair_files(before, after, mapper, is_py):
            ib = an.py(before, p) if p else None
            ia = an.py(after, q) if q else None
            if ib is not None and ib.compiles:
                probs.checked["a"] += 1
            if p is not None and q is None:
                if ib is not None and ib.compiles and "a" in checks:
                    probs.add("a", f"{p}: gone after the apply (no file at its path or its move target)")
                continue
            if "a" in checks and ia is not None and not ia.compiles and (ib is None or ib.compiles):
                probs.add("a", f"{moved_note(p, q)}: {ia.error}")
            if "b" not in checks or ia is None:
                continue
            brecs = ib.imports if ib is not None else []
            for b, a in match_records(brecs, ia.imports, py_key):
                eva = wa.evaluate(q, a, wb)
                if b is None:
                    if not eva.ok and eva.intra:
                        probs.add("b", f"{q}:{a[0]}: `{py_stmt(a)}` (new import): {eva.why}")
                    continue
                evb = wb.evaluate(p, b, wa)
                if not evb.ok:
                    continue
                probs.checked["b"] += 1
                where = f"{moved_note(p, q)}:{a[0]}: `{py_stmt(a)}`"
                if py_stmt(a) != py_stmt(b):
                    where += f" (was `{py_stmt(b)}`)"
                if not eva.ok:
                    probs.add("b", f"{where}: {eva.why or 'no longer resolves'}")
                    continue
                kb = "submodule" if evb.kind == "submodule" else evb.kind
                ka = "submodule" if eva.kind == "submodule" else eva.kind
                if (kb == "submodule") != (ka == "submodule") and "module" not in (kb, ka):
                    probs.add("b", f"{where}: was {kb} ({evb.target}), now {ka} ({eva.target})")
                    continue
                if evb.target.endswith("/") or "unknown" in (evb.kind, eva.kind):
                    continue
                exp = mapper.expected(evb.target, after)
                if eva.target != exp:
                    probs.add("b", f"{where}: resolves to {eva.target}, expected {exp}")
            if ib is not None and ib.chains and ia.chains:
                seen_prefix = set()
                for text, line in ia.chains.items():
                    if text not in ib.chains:
                        continue
                    hit = wb.chain_module(text, p)
                    if hit is None or hit[0] in seen_prefix:
                        continue
                    seen_prefix.add(hit[0])
                    probs.checked["b"] += 1
                    exp = mapper.expected(hit[1], after)
                    res = wa.resolve_abs(hit[0], q)
                    if res is None or res.weak or res.target != exp:
                        got = "no longer resolves" if res is None or res.weak else f"resolves to {res.target}"
                        probs.add(
                            "b",
                            f"{moved_note(p, q)}:{line}: `{text}` (use of a plain import): module `{hit[0]}` "
                            f"{got}, expected {exp}",
                        )
    if "c" in checks:
        for p, q in pair_files(before, after, mapper, is_js):
            if q is None:
                continue
            sb = an.js(before, p) if p else []
            sa = an.js(after, q)
            if len(sb) == len(sa):
                pairs = list(zip(sb, sa))
            else:
                pairs = match_records(sb, sa, key=lambda r: r[1])
            for b, a in pairs:
                ta = js_resolve(after, q, a[1])
                if b is None:
                    if ta is None:
                        probs.add("c", f"{q}:{a[0]}: '{a[1]}' (new) does not resolve")
                    continue
                tb = js_resolve(before, p, b[1])
                if tb is None:
                    continue
                probs.checked["c"] += 1
                where = f"{moved_note(p, q)}:{a[0]}: '{a[1]}'" + (f" (was '{b[1]}')" if a[1] != b[1] else "")
                if ta is None:
                    probs.add("c", f"{where}: no longer resolves (was {tb})")
                elif ta != mapper.expected(tb, after):
                    probs.add("c", f"{where}: resolves to {ta}, expected {mapper.expected(tb, after)}")
    if "d" in checks:
        for p, q in pair_files(before, after, mapper, is_rs):
            if q is None:
                continue
            mb = {m[1]: m for m in an.rs(before, p)} if p else {}
            for line, name, pa in an.rs(after, q):
                ta = rs_resolve(after, q, name, pa)
                b = mb.get(name)
                tb = rs_resolve(before, p, b[1], b[2]) if b else None
                if b is not None and tb is None:
                    continue
                probs.checked["d"] += 1
                if ta is None:
                    probs.add("d", f"{moved_note(p, q)}:{line}: `mod {name};` resolves to no file")
                elif tb is not None and ta != mapper.expected(tb, after):
                    probs.add("d", f"{moved_note(p, q)}:{line}: `mod {name};` -> {ta}, expected {mapper.expected(tb, after)}")
        rb = rs_modules(before, an)
        ra = rs_modules(after, an)
        bymod_b = {v: f for f, v in rb.items()}
        bymod_a = {v: f for f, v in ra.items()}
        for p, q in pair_files(before, after, mapper, is_rs):
            if p is None or q is None or p not in rb:
                continue
            pa_paths = rs_paths(after, an, q)
            seen_prefix = set()
            for text, line in rs_paths(before, an, p).items():
                if text not in pa_paths:
                    continue  # rewritten: cargo check's business
                hit = rs_path_module(rb, bymod_b, p, text)
                if hit is None or hit[0] in seen_prefix:
                    continue
                seen_prefix.add(hit[0])
                probs.checked["d"] += 1
                exp = mapper.expected(hit[1], after)
                now = rs_path_module(ra, bymod_a, q, hit[0])
                if now is None or now[0] != hit[0] or now[1] != exp:
                    where = f"{moved_note(p, q)}:{pa_paths[text]}: path `{text}`"
                    got = "names no module" if now is None or now[0] != hit[0] else f"names {now[1]}"
                    probs.add("d", f"{where}: `{hit[0]}` {got} (was {hit[1]}, expected {exp})")
        for p in sorted(rb):
            probs.checked["d"] += 1
            q = mapper.after_path(p, after)
            if q is None:
                probs.add("d", f"{p}: in the module tree before, gone after")
            elif q not in ra:
                probs.add("d", f"{moved_note(p, q)}: no longer in any crate's module tree (no `mod` names it)")
    if "e" in checks:
        for f in config_files(before):
            ib = config_items(before, wb, an, f)
            if not any(i.exists for i in ib):
                continue
            g = mapper.after_path(f, after)
            if g is None:
                probs.add("e", f"{f}: the configuration file is gone")
                continue
            ia = config_items(after, wa, an, g)
            for kind in dict.fromkeys(i.kind for i in ib):
                kb = [i for i in ib if i.kind == kind]
                ka = [i for i in ia if i.kind == kind]
                if len(kb) == len(ka):
                    pairs = list(zip(kb, ka))
                else:
                    byv = {i.value: i for i in ka}
                    pairs = [(i, byv.get(i.value)) for i in kb]
                for b, a in pairs:
                    if not b.exists:
                        continue
                    probs.checked["e"] += 1
                    if a is None:
                        probs.add("e", f"{g}:{b.line}: {kind} `{b.value}` is no longer named")
                    elif not a.exists:
                        probs.add("e", f"{g}:{a.line}: {kind} `{a.value}` no longer exists")


# --------------------------------------------------------------------------------------------
# One repository.


def squarely_cmd(squarely, repo, *args):
    return run([squarely, *args], cwd=repo, timeout=SQUARELY_TIMEOUT)


def copy_tree_without_git(src: str, dst: str):
    shutil.copytree(
        src,
        dst,
        symlinks=True,
        ignore=lambda d, names: [n for n in names if n == ".git"],
    )


def cargo_check(src: str, tmp: str, label: str) -> str:
    work = os.path.join(tmp, f"cargo-{label}")
    copy_tree_without_git(src, work)
    env = dict(_ENV)
    env.update(
        CARGO_TARGET_DIR=os.path.join(tmp, "cargo-target"),
        CARGO_NET_OFFLINE="true",
        SQLX_OFFLINE="true",
    )
    code, _out, err = run(["cargo", "check", "--offline", "--quiet"], cwd=work, timeout=CARGO_TIMEOUT, env=env)
    shutil.rmtree(work, ignore_errors=True)
    if code == 0:
        return "pass"
    if code == "timeout":
        return "timeout"
    lines = err.strip().splitlines() or ["?"]
    first = next((ln for ln in lines if ln.startswith("error")), lines[-1])
    return "fail: " + first[:200]


def check_repo(name: str, src: str, args) -> dict:
    t0 = time.time()
    r = {
        "repo": name,
        "moves": None,
        "kept": None,
        "no_moves": False,
        "problems": {c: 0 for c in CHECKS},
        "checked": {c: 0 for c in CHECKS},
        "examples": {c: [] for c in CHECKS},
        "commits_total": 0,
        "commits_failing": 0,
        "commit_examples": [],
        "commit_failures": [],
        "score_before": None,
        "score_after": None,
        "audited": None,
        "undo": None,
        "undo_examples": [],
        "cargo": "not run",
        "errors": [],
        "notes": [],
        "seconds": 0,
    }
    tmp = tempfile.mkdtemp(prefix=f"organize-real-{name[:40]}-")
    repo = os.path.join(tmp, "repo")
    store, an = Store(), Analyzer()
    try:
        copy_tree_without_git(os.path.realpath(src), repo)
        for cmd in (
            ["init", "-q", "-b", "main"],
            ["config", "commit.gpgsign", "false"],
            ["add", "-A"],
            ["commit", "-q", "--no-verify", "-m", "snapshot"],
        ):
            code, _o, err = git(repo, *cmd)
            if code != 0:
                r["errors"].append(f"git {' '.join(cmd)}: {err.strip()[:300]}")
                return r
        init = git(repo, "rev-parse", "HEAD")[1].strip()
        fp_before = fingerprint(repo)
        before = disk_tree(repo, store)

        code, out, err = squarely_cmd(args.squarely, repo, "organize", "--standard", args.standard, "--format", "json", "--color", "never")
        if code == 2 and "lays out Python services" in err:
            # A Node.js or Rust repository under a Python standard: refused, nothing to check.
            r["skipped"] = "not Python: " + err.strip().splitlines()[-1][:200]
            return r
        if code != 0:
            r["errors"].append(f"organize --format json exited {code}: {err.strip()[:300]}")
            return r
        try:
            plan_doc = json.loads(out)
        except ValueError as e:
            r["errors"].append(f"organize --format json: not JSON ({e})")
            return r
        plan = plan_doc.get("plan", {})
        moves = {m["from"]: m["to"] for m in plan.get("moves", [])}
        r["moves"] = len(plan.get("moves", []))
        r["kept"] = len(plan.get("kept", []))
        r["no_moves"] = r["moves"] == 0
        r["score_before"] = plan_doc.get("score_before")
        r["score_after"] = plan_doc.get("score_after")
        if plan.get("conflicts"):
            r["notes"].append(f"{len(plan['conflicts'])} conflict(s) in the plan")
        unresolved = (plan.get("rewrites") or {}).get("unresolved") or []
        if unresolved:
            r["notes"].append(f"{len(unresolved)} reference(s) listed as cannot-rewrite")

        cargo_before = None
        if args.cargo and shutil.which("cargo") and os.path.isfile(os.path.join(repo, "Cargo.toml")):
            cargo_before = cargo_check(repo, tmp, "before")
            if cargo_before != "pass":
                r["cargo"] = f"unavailable ({cargo_before})"
                cargo_before = None

        code, out, err = squarely_cmd(args.squarely, repo, "organize", "--standard", args.standard, "--apply", "--commit", "--color", "never")
        if code != 0:
            r["errors"].append(f"organize --apply --commit exited {code}: {(err or out).strip()[:300]}")
        st = git(repo, "status", "--porcelain")[1]
        if st.strip():
            r["notes"].append(f"working tree not clean after apply: {len(st.splitlines())} entr(y/ies)")

        after = disk_tree(repo, store)
        mapper = Mapper(moves)
        probs = Problems()
        compare(before, after, mapper, an, CHECKS, probs)
        r["problems"], r["examples"], r["checked"] = probs.count, probs.examples, probs.checked

        if cargo_before == "pass":
            res = cargo_check(repo, tmp, "after")
            r["cargo"] = "pass" if res == "pass" else f"FAIL after apply ({res})"
            if res != "pass":
                r["problems"]["d"] += 1
                r["examples"]["d"].append(f"cargo check --offline: {res}")

        # f. each commit of the run
        code, out, err = git(repo, "rev-list", "--reverse", f"{init}..HEAD")
        commits = out.split() if code == 0 else []
        r["commits_total"] = len(commits)
        if commits:
            base_tree = git_tree(repo, init, store)
            subjects = [git(repo, "log", "-1", "--format=%s", c)[1].strip() for c in commits]
            # A rename-only commit followed at once by the rewrite of the imports it broke is
            # the design (git follows renames only in commits that do not edit): it is not
            # checked on its own, as in scripts/check-organize.sh.
            checked = [
                c for i, c in enumerate(commits)
                if not (i + 1 < len(commits) and subjects[i + 1]
                        == "organize: rewrite the imports broken by: " + subjects[i].removeprefix("organize: "))
            ]
            r["commits_total"] = len(checked)
            for c in checked:
                ct = git_tree(repo, c, store)
                cp = Problems()
                compare(base_tree, ct, mapper, an, ["a", "b", "c"], cp)
                if cp.total():
                    r["commits_failing"] += 1
                    subject = git(repo, "log", "-1", "--format=%s", c)[1].strip()
                    first = next(cp.examples[k][0] for k in ["a", "b", "c"] if cp.examples[k])
                    counts = ", ".join(f"{CHECK_NAMES[k]} {cp.count[k]}" for k in "abc" if cp.count[k])
                    r["commit_failures"].append({"commit": c, "subject": subject, "problems": cp.total()})
                    if len(r["commit_examples"]) < MAX_EXAMPLES:
                        r["commit_examples"].append(f"{c[:10]} \"{subject}\": {counts}; e.g. {first}")

        # g. the audit after
        code, out, err = squarely_cmd(args.squarely, repo, "audit", ".", "--standard", args.standard, "--format", "json", "--color", "never")
        try:
            r["audited"] = json.loads(out).get("score")
        except ValueError:
            r["errors"].append(f"audit exited {code}: {err.strip()[:200]}")

        # 5. undo
        code, out, err = squarely_cmd(args.squarely, repo, "organize", "--undo", "--color", "never")
        if code == 2 and "nothing to undo" in err and not fingerprint_diff(fp_before, fingerprint(repo)):
            # An empty plan applies nothing and records no run: the tree is as it was.
            r["notes"].append("the plan was empty: nothing applied, nothing to undo")
        elif code != 0:
            r["errors"].append(f"organize --undo exited {code}: {(err or out).strip()[:300]}")
        diffs = fingerprint_diff(fp_before, fingerprint(repo))
        r["undo"] = len(diffs)
        r["undo_examples"] = diffs[:MAX_EXAMPLES]
        head = git(repo, "rev-parse", "HEAD")[1].strip()
        if head != init:
            r["notes"].append("HEAD is not back at the snapshot commit after --undo")
    except Exception as e:  # keep going with the other repositories
        r["errors"].append(f"{type(e).__name__}: {e}")
    finally:
        store.close()
        r["seconds"] = round(time.time() - t0, 1)
        if args.keep:
            r["notes"].append(f"kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return r


# --------------------------------------------------------------------------------------------
# Report.


def broken(r) -> int:
    return sum(r["problems"].values())


def fmt_score(x):
    return "?" if x is None else f"{x:.2f}"


def row(r) -> list:
    if r.get("skipped"):
        return [r["repo"], "-", "-", "not Python: refused", "-", "-", "-"]
    if r["moves"] is None:
        return [r["repo"], "-", "-", "error", "-", "-", "-"]
    moves = "0 (no moves)" if r["no_moves"] else str(r["moves"])
    b = broken(r)
    parts = [f"{CHECK_NAMES[c]} {n}" for c, n in r["problems"].items() if n]
    brk = f"{b} ({', '.join(parts)})" if parts else "0"
    if r["errors"]:
        brk += " + error"
    commits = f"{r['commits_failing']}/{r['commits_total']}"
    pred, aud = r["score_after"], r["audited"]
    score = f"{fmt_score(pred)} vs {fmt_score(aud)}"
    if pred is not None and aud is not None and abs(pred - aud) > 0.005:
        score += " (differs)"
    if r["undo"] is None:
        undo = "-"
    elif r["undo"] == 0:
        undo = "identical"
    else:
        undo = f"{r['undo']} differences"
    return [r["repo"], moves, str(r["kept"]), brk, commits, score, undo]


HEADER = ["repository", "moves", "kept", "broken", "commits failing/total", "predicted vs audited score", "undo"]


def print_table(results, markdown: bool):
    rows = [row(r) for r in results]
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("| " + " | ".join("---" for _ in HEADER) + " |")
        for rw in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in rw) + " |")
        return
    widths = [max(len(x[i]) for x in rows + [HEADER]) for i in range(len(HEADER))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(HEADER))
    print(line(["-" * w for w in widths]))
    for rw in rows:
        print(line(rw))


def print_details(results):
    for r in results:
        lines = []
        for c in CHECKS:
            if r["problems"][c]:
                lines.append(f"  {c}. {CHECK_NAMES[c]}: {r['problems'][c]}")
                lines += [f"     - {e}" for e in r["examples"][c]]
        if r["commits_failing"]:
            moves = sum(1 for x in r["commit_failures"] if x["subject"].startswith("organize: move"))
            lines.append(
                f"  f. commits failing: {r['commits_failing']}/{r['commits_total']}"
                f" ({moves} rename-only `organize: move ...` commits, {r['commits_failing'] - moves} others)"
            )
            lines += [f"     - {e}" for e in r["commit_examples"]]
        if r["undo"]:
            lines.append(f"  undo: {r['undo']} differences")
            lines += [f"     - {e}" for e in r["undo_examples"]]
        lines += [f"  error: {e}" for e in r["errors"]]
        if any(r["checked"].values()):
            lines.append("  checked: " + ", ".join(f"{CHECK_NAMES[c]} {r['checked'][c]}" for c in CHECKS))
        if r["cargo"] != "not run":
            lines.append(f"  cargo check: {r['cargo']}")
        lines += [f"  note: {n}" for n in r["notes"]]
        if lines:
            log(f"\n{r['repo']} ({r['seconds']} s)")
            for ln in lines:
                log(ln)


def find_squarely(given: str | None) -> str:
    if given:
        return given
    built = HERE / "target" / "release" / "squarely"
    if built.is_file():
        return str(built)
    found = shutil.which("squarely")
    if not found:
        sys.exit("no squarely binary: build target/release/squarely or pass --squarely PATH")
    return found


def main() -> int:
    global MAX_EXAMPLES
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="folder with one folder per repository snapshot")
    ap.add_argument("--squarely", help="the squarely binary (default: target/release/squarely)")
    ap.add_argument("--standard", default="coditect-backend", help="the standard to organize onto (default coditect-backend)")
    ap.add_argument("--only", action="append", help="check only this repository (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--no-cargo", dest="cargo", action="store_false", help="skip cargo check")
    ap.add_argument("--json-out", help="write every result and example to this JSON file")
    ap.add_argument("--examples", type=int, default=MAX_EXAMPLES, help="examples kept per check (default 5)")
    args = ap.parse_args()
    MAX_EXAMPLES = max(1, args.examples)
    args.squarely = os.path.abspath(find_squarely(args.squarely))
    if not shutil.which("git"):
        sys.exit("git is needed")

    corpus = Path(args.corpus)
    names = sorted(p.name for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    if args.only:
        missing = [n for n in args.only if n not in names]
        if missing:
            sys.exit(f"not in {corpus}: {', '.join(missing)}")
        names = [n for n in names if n in args.only]

    t0 = time.time()
    results = []
    for i, n in enumerate(names, 1):
        r = check_repo(n, str(corpus / n), args)
        results.append(r)
        status = "ok" if not broken(r) and not r["undo"] and not r["errors"] else "PROBLEMS"
        status = "skipped (not Python)" if r.get("skipped") else status
        log(f"[{i}/{len(names)}] {n}: {status} ({r['seconds']} s)")
    elapsed = time.time() - t0

    print_table(results, args.markdown)
    print_details(results)
    log(f"\n{len(results)} repositories in {elapsed:.0f} s")
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump({"seconds": round(elapsed, 1), "results": results}, fh, indent=2)
    bad = [r for r in results if broken(r) or r["undo"] or r["errors"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
