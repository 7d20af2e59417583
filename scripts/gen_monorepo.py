#!/usr/bin/env python3
"""Generate a synthetic backend monorepo for squarely's benchmark.

Layout (tracked files add up to exactly --files, 100,000 by default):
  backend/                  a FastAPI service: --domains domain modules of 12 files each,
                            src/shared/, migrations/, tests/, docs, Docker, CI
  services/svc-NNN/         more Python and Node services: --services of --service-files
                            files each (40 of 1,000 by default)
  frontend/packages/*/      a TypeScript frontend
  docs/                     markdown pages
plus ignored content that a good walker never enters:
  node_modules/ (--ignored files), backend/target/ and frontend/dist/ (build output).

Usage: gen_monorepo.py DEST [--files N] [--domains N] [--services N] [--service-files N]
                        [--ignored N]
"""
import argparse
import os
import sys

ROUTER = '''"""HTTP routes of the {d} domain."""
from fastapi import APIRouter, Depends

from src.{d} import service
from src.{d}.schemas import {D}Create, {D}Read

router = APIRouter(prefix="/{d}", tags=["{d}"])


@router.post("/", response_model={D}Read)
async def create(payload: {D}Create, svc=Depends(service.get_service)):
    return await svc.create(payload)


@router.get("/{{item_id}}", response_model={D}Read)
async def read(item_id: int, svc=Depends(service.get_service)):
    return await svc.get(item_id)
'''

SERVICE = '''"""Business rules of the {d} domain."""
from src.{d}.exceptions import {D}NotFound
from src.{d}.repository import {D}Repository


class {D}Service:
    def __init__(self, session, repository: {D}Repository):
        self.session = session
        self.repository = repository

    async def create(self, payload):
        item = await self.repository.add(payload.model_dump())
        await self.session.commit()
        return item

    async def get(self, item_id: int):
        item = await self.repository.get(item_id)
        if item is None:
            raise {D}NotFound(item_id)
        return item


def get_service():
    return None
'''

REPOSITORY = '''"""Queries of the {d} domain."""
from sqlalchemy import select

from src.{d}.models import {D}


class {D}Repository:
    def __init__(self, session):
        self.session = session

    async def add(self, values: dict):
        item = {D}(**values)
        self.session.add(item)
        await self.session.flush()
        return item

    async def get(self, item_id: int):
        return await self.session.scalar(select({D}).where({D}.id == item_id))
'''

OTHER = {
    "models.py": 'from sqlalchemy.orm import Mapped, mapped_column\n\nfrom src.shared.database import Base\n\n\nclass {D}(Base):\n    __tablename__ = "{d}"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str]\n',
    "schemas.py": 'from pydantic import BaseModel\n\n\nclass {D}Create(BaseModel):\n    name: str\n\n\nclass {D}Read({D}Create):\n    id: int\n',
    "exceptions.py": 'class {D}NotFound(Exception):\n    """No {d} with this id."""\n',
    "dependencies.py": 'from src.shared.database import get_session\n\n__all__ = ["get_session"]\n',
    "constants.py": 'PAGE_SIZE = 50\n',
    "utils.py": 'def normalise(name: str) -> str:\n    return name.strip().lower()\n',
    "config.py": 'from pydantic_settings import BaseSettings\n\n\nclass {D}Settings(BaseSettings):\n    enabled: bool = True\n',
    "__init__.py": '',
}

ROOT_DOCS = {
    "README.md": "# Synthetic monorepo\n\nGenerated for squarely's benchmark: a FastAPI backend, more services and a frontend.\n",
    "CLAUDE.md": "# Working on this repository\n\nRoutes call services, services own transactions, repositories hold the queries.\n",
    "CONTRIBUTING.md": "# Contributing\n\nOpen a pull request with tests; CI runs ruff and pytest on every change.\n",
    "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n### Added\n- The whole synthetic repository, generated in one go.\n",
    "LICENSE": "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n",
    "SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@example.com; we answer within two days.\n",
    ".gitignore": "node_modules/\ntarget/\ndist/\n__pycache__/\n*.pyc\n.venv/\n.env\n.DS_Store\n.idea/\n*.log\ncoverage/\n*.db\n*.sqlite3\n",
}


class Writer:
    def __init__(self, root, limit):
        self.root = root
        self.limit = limit
        self.count = 0

    def write(self, path, text, tracked=True):
        if tracked and self.count >= self.limit:
            return False
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
        if tracked:
            self.count += 1
        return True

    @property
    def full(self):
        return self.count >= self.limit


def backend(w, domains):
    for path, text in ROOT_DOCS.items():
        w.write(path, text)
    w.write("backend/pyproject.toml", '[project]\nname = "backend"\nversion = "1.0.0"\ndependencies = ["fastapi", "sqlalchemy", "alembic", "pydantic-settings", "celery"]\n\n[tool.ruff]\nline-length = 100\n')
    w.write("backend/alembic.ini", "[alembic]\nscript_location = migrations\n")
    w.write("backend/.env.example", "DATABASE_URL=postgresql://app:app@localhost/app\n")
    w.write("backend/Dockerfile", "FROM python:3.12-slim AS build\nCOPY . /app\nFROM python:3.12-slim\nCOPY --from=build /app /app\n")
    w.write("backend/docker-compose.yml", "services:\n  app:\n    build: .\n  db:\n    image: postgres:16\n")
    w.write(".github/workflows/ci.yml", "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n      - run: pytest\n")
    for shared in ["middleware", "config", "database", "utils", "exceptions"]:
        w.write(f"backend/src/shared/{shared}/__init__.py", f'"""Shared {shared}."""\n')
    w.write("backend/src/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")
    for i in range(domains):
        d = f"domain{i:04d}"
        D = f"Domain{i:04d}"
        w.write(f"backend/src/{d}/router.py", ROUTER.format(d=d, D=D))
        w.write(f"backend/src/{d}/service.py", SERVICE.format(d=d, D=D))
        w.write(f"backend/src/{d}/repository.py", REPOSITORY.format(d=d, D=D))
        for name, text in OTHER.items():
            w.write(f"backend/src/{d}/{name}", text.format(d=d, D=D))
        w.write(f"backend/migrations/versions/{i:04d}_create_{d}.py", f'"""create {d}"""\nrevision = "{i:04d}"\n')
    for kind in ["unit", "integration", "e2e"]:
        for i in range(min(domains, 50)):
            w.write(f"backend/tests/{kind}/test_domain{i:04d}.py", "def test_ok():\n    assert True\n")
    for section in ["api", "architecture", "deployment", "user-guides"]:
        for i in range(10):
            w.write(f"docs/{section}/page-{i}.md", f"# {section} {i}\n\nReal prose about the {section} of this system, page {i}.\n")
    w.write("docs/api/openapi.yaml", "openapi: 3.1.0\ninfo: {title: backend, version: 1.0.0}\npaths: {}\n")
    w.write("docs/architecture/database-schema.md", "# Schema\n\n```mermaid\nerDiagram\n  DOMAIN ||--o{ ITEM : has\n```\n")
    for script in ["build.sh", "test-all.sh", "start-dev.sh", "db/migrate.sh", "db/seed.sh"]:
        w.write(f"backend/scripts/{script}", "#!/usr/bin/env bash\nset -euo pipefail\necho ok\n")
    w.write("backend/seeds/development/users.json", "[]\n")


def services(w, count, size):
    n = 0
    while not w.full and n < count:
        svc = f"services/svc-{n:03d}"
        if n % 2 == 0:
            w.write(f"{svc}/pyproject.toml", f'[project]\nname = "svc-{n}"\ndependencies = ["fastapi"]\n')
            for i in range(size - 1):
                if not w.write(f"{svc}/src/m{i // 20:03d}/f{i:04d}.py", f"def f{i}():\n    return {i}\n"):
                    return
        else:
            w.write(f"{svc}/package.json", '{"name": "svc", "dependencies": {"express": "4"}}\n')
            for i in range(size - 1):
                if not w.write(f"{svc}/src/m{i // 20:03d}/f{i:04d}.ts", f"export const f{i} = () => {i};\n"):
                    return
        n += 1


def frontend(w):
    w.write("frontend/package.json", '{"name": "web", "dependencies": {"react": "18"}, "devDependencies": {"vite": "5"}}\n')
    i = 0
    while not w.full:
        w.write(f"frontend/packages/p{i // 500:03d}/src/C{i:05d}.tsx", f"export const C{i} = () => <div>{i}</div>;\n")
        i += 1


def ignored(w, count):
    for i in range(count):
        w.write(f"node_modules/pkg{i // 100:04d}/lib/index{i % 100}.js", "module.exports = 1;\n", tracked=False)
    for i in range(count // 5):
        w.write(f"backend/target/debug/deps/obj{i:05d}.o", "x", tracked=False)
        w.write(f"frontend/dist/chunk{i:05d}.js", "x", tracked=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest")
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--service-files", type=int, default=1_000)
    parser.add_argument("--ignored", type=int, default=50_000)
    args = parser.parse_args()
    if os.path.exists(args.dest) and os.listdir(args.dest):
        sys.exit(f"{args.dest} exists and is not empty")
    w = Writer(args.dest, args.files)
    backend(w, args.domains)
    services(w, args.services, args.service_files)
    frontend(w)
    ignored(w, args.ignored)
    print(f"{w.count} tracked files in {args.dest}")


if __name__ == "__main__":
    main()
