"""The research API.

Run: ``uvicorn --factory services.research.entrypoints.http:create_app``
"""

from __future__ import annotations

from fastapi import FastAPI

from eventkit import http
from services.research import wiring
from services.research.adapters.api.routes import approval_refused, router
from services.research.config import Settings
from services.research.domain.errors import ApprovalRefusedError


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    deps = wiring.build_deps(settings)
    app = http.create_app(
        service="research", owning_division="research", settings=settings, db=deps.db,
        routers=[router], title="Lapak research",
        description="Product candidates, their research files and the approval gate.",
    )
    app.state.deps = deps
    app.add_exception_handler(ApprovalRefusedError, approval_refused)
    return app
