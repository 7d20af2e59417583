#!/usr/bin/env python3
"""Generate a Python backend laid out by technical layer, for benchmarking `organize`.

    scripts/gen_layered.py DIR --files N

Writes about N files: `pyproject.toml`, `app/__init__.py`, `app/main.py` and, for each of
N/5 domains, `app/{routes,services,repositories,models,schemas}/<domain>.py`, each layer
importing the one below it (routes -> services -> repositories -> models, and schemas), so
that organizing it moves every file into `app/<domain>/` and rewrites every import.
"""
import argparse
import os

LAYERS = ["routes", "services", "repositories", "models", "schemas"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    domains = max(1, args.files // len(LAYERS))
    root = args.dir
    os.makedirs(os.path.join(root, "app"), exist_ok=True)
    with open(os.path.join(root, "pyproject.toml"), "w") as f:
        f.write('[project]\nname = "layered"\nversion = "0.1.0"\ndependencies = ["fastapi"]\n')
    open(os.path.join(root, "app", "__init__.py"), "w").close()
    for layer in LAYERS:
        os.makedirs(os.path.join(root, "app", layer), exist_ok=True)
        open(os.path.join(root, "app", layer, "__init__.py"), "w").close()
    names = [f"thing{i:05d}" for i in range(domains)]
    bodies = {
        "routes": "from app.services.{n} import handle_{n}\n\n\ndef route_{n}(payload):\n    return handle_{n}(payload)\n",
        "services": "from app.repositories import {n} as repo\nfrom app.schemas.{n} import Thing\n\n\ndef handle_{n}(payload):\n    return repo.save_{n}(Thing(payload))\n",
        "repositories": "from app.models.{n} import Row\n\n\ndef save_{n}(thing):\n    return Row(thing)\n",
        "models": "class Row:\n    def __init__(self, value):\n        self.value = value\n",
        "schemas": "class Thing:\n    def __init__(self, payload):\n        self.payload = payload\n",
    }
    for n in names:
        for layer in LAYERS:
            with open(os.path.join(root, "app", layer, f"{n}.py"), "w") as f:
                f.write(bodies[layer].format(n=n))
    with open(os.path.join(root, "app", "main.py"), "w") as f:
        for n in names[:50]:
            f.write(f"from app.routes.{n} import route_{n}\n")


if __name__ == "__main__":
    main()
