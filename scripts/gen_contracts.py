#!/usr/bin/env python3
"""Generate a layered Python backend with planted upward imports, for benchmarking layer rules.

    scripts/gen_contracts.py DIR --modules N

Writes a FastAPI-style package `app/` of N modules in three layers, routes -> services ->
crud (N/3 each, realistic bodies: imports, a router, calls, a raise, a query), where one
crud module in 200 imports a service (an upward import), plus the
configuration the peers read: `.importlinter` (an import-linter `layers` contract) and
`tach.toml` (tach modules with `depends_on`). squarely's `coditect-backend` standard judges
the same rule with its `data-no-upward-imports` contract. Prints the number of planted
violations.
"""
import argparse
import os

ROUTE = '''"""HTTP routes of {name}."""
from fastapi import APIRouter, Depends, HTTPException

from app.services.{name} import create_{name}, get_{name}, list_{name}
from app.services.{name} import {cls}Create, {cls}Read

router = APIRouter(prefix="/{name}", tags=["{name}"])


@router.get("/", response_model=list[{cls}Read])
async def index(limit: int = 50, offset: int = 0):
    """List the {name} records."""
    items = await list_{name}(limit=limit, offset=offset)
    return [{cls}Read.model_validate(item) for item in items]


@router.get("/{{item_id}}", response_model={cls}Read)
async def show(item_id: int):
    item = await get_{name}(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="{name} not found")
    return item


@router.post("/", status_code=201)
async def create(payload: {cls}Create):
    return await create_{name}(payload)  # the service validates
'''

SERVICE = '''"""Business rules of {name}."""
from dataclasses import dataclass

from app.crud.{name} import insert_{name}, select_{name}, select_{name}_page


@dataclass
class {cls}Create:
    title: str
    quantity: int = 0


@dataclass
class {cls}Read:
    id: int
    title: str

    @classmethod
    def model_validate(cls, row):
        return cls(id=row["id"], title=row["title"])


class {cls}Invalid(Exception):
    """The {name} payload breaks a business rule."""


async def list_{name}(limit: int, offset: int):
    return await select_{name}_page(limit=max(1, min(limit, 100)), offset=offset)


async def get_{name}(item_id: int):
    return await select_{name}(item_id)


async def create_{name}(payload: {cls}Create):
    if not payload.title.strip():
        raise {cls}Invalid("title is empty")
    return await insert_{name}(payload.title, payload.quantity)
'''

CRUD = '''"""Data access of {name}."""
from sqlalchemy import text

from app.database import session_scope
{upward}

QUERY = "SELECT id, title FROM {name} WHERE id = :id"


async def select_{name}(item_id: int):
    async with session_scope() as session:
        result = await session.execute(text(QUERY), {{"id": item_id}})
        return result.mappings().first()


async def select_{name}_page(limit: int, offset: int):
    async with session_scope() as session:
        rows = await session.execute(
            text("SELECT id, title FROM {name} ORDER BY id LIMIT :limit OFFSET :offset"),
            {{"limit": limit, "offset": offset}},
        )
        return list(rows.mappings())


async def insert_{name}(title: str, quantity: int):
    async with session_scope() as session:
        row = await session.execute(
            text("INSERT INTO {name} (title, quantity) VALUES (:t, :q) RETURNING id"),
            {{"t": title, "q": quantity}},
        )
        await session.commit()
        return row.scalar_one()
'''

DATABASE = '''"""The database session."""
from contextlib import asynccontextmanager


@asynccontextmanager
async def session_scope():
    yield None
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--modules", type=int, default=5_000)
    args = parser.parse_args()
    per_layer = max(1, args.modules // 3)
    root = args.dir
    app = os.path.join(root, "app")
    for layer in ("routes", "services", "crud"):
        os.makedirs(os.path.join(app, layer), exist_ok=True)
        open(os.path.join(app, layer, "__init__.py"), "w").close()
    open(os.path.join(app, "__init__.py"), "w").close()
    with open(os.path.join(app, "database.py"), "w") as f:
        f.write(DATABASE)
    planted = 0
    for i in range(per_layer):
        name = f"item{i:05d}"
        cls = f"Item{i:05d}"
        upward = ""
        if i % 200 == 0:
            upward = f"from app.services.{name} import {cls}Invalid  # upward: crud imports a service"
            planted += 1
        values = {"name": name, "cls": cls, "upward": upward}
        for layer, body in (("routes", ROUTE), ("services", SERVICE), ("crud", CRUD)):
            with open(os.path.join(app, layer, f"{name}.py"), "w") as f:
                f.write(body.format(**values))
    with open(os.path.join(root, "pyproject.toml"), "w") as f:
        f.write('[project]\nname = "layered-contracts"\nversion = "0.1.0"\n'
                'dependencies = ["fastapi", "sqlalchemy"]\n')
    with open(os.path.join(root, ".importlinter"), "w") as f:
        f.write("[importlinter]\nroot_package = app\n\n"
                "[importlinter:contract:layers]\nname = routes -> services -> crud\n"
                "type = layers\nlayers =\n    app.routes\n    app.services\n    app.crud\n")
    with open(os.path.join(root, "tach.toml"), "w") as f:
        f.write('source_roots = ["."]\nexclude = ["**/tests", "**/__pycache__"]\n\n'
                '[[modules]]\npath = "app.routes"\ndepends_on = ["app.services"]\n\n'
                '[[modules]]\npath = "app.services"\ndepends_on = ["app.crud"]\n\n'
                '[[modules]]\npath = "app.crud"\ndepends_on = ["app.database"]\n\n'
                '[[modules]]\npath = "app.database"\ndepends_on = []\n')
    print(planted)


if __name__ == "__main__":
    main()
