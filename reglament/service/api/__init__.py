"""The HTTP API under ``/v1``: its bodies are the JSON the command line prints with
``--format json``, made by the same functions (docs/service.md)."""

from __future__ import annotations

from fastapi import APIRouter

from reglament.service.api import cases, migrate, outbox, reglaments, tokens

router = APIRouter(prefix="/v1")
router.include_router(reglaments.router)
router.include_router(migrate.router)
router.include_router(cases.router)
router.include_router(outbox.router)
router.include_router(tokens.router)
