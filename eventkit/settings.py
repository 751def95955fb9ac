"""Settings shared by every service; each service subclasses ``ServiceSettings``.

Shared values have fixed names (``KAFKA_BOOTSTRAP_SERVERS``, ``LAPAK_API_TOKENS``);
a service's own values carry its prefix (``SALES_DATABASE_URL``). API tokens have no
default: a service refuses to start without them.
"""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class _SharedDatabase(BaseSettings):
    """``DATABASE_URL``, read on its own: as a field of ServiceSettings its name would
    collide (case-insensitively) with the service's own ``database_url``."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "service"

    api_tokens: SecretStr = Field(
        validation_alias=AliasChoices("LAPAK_API_TOKENS"),
        description='JSON: {"<token>": {"user": "ani", "role": "sales"}, ...}',
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"),
    )
    shared_database_url: str | None = Field(
        default_factory=lambda: _SharedDatabase().database_url,
        description="DATABASE_URL: a server for all services; each gets <name>_<service>",
    )
    database_url: str | None = None
    data_dir: str = Field(default="var", validation_alias=AliasChoices("LAPAK_DATA_DIR"))
    topic_namespace: str = Field(
        default="",
        validation_alias=AliasChoices("LAPAK_TOPIC_NAMESPACE"),
        description="prefix of every topic name (tests use one per run)",
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LAPAK_LOG_LEVEL"))

    def resolved_database_url(self) -> str:
        """This service's own database: its URL, else one on DATABASE_URL's server,
        else an embedded SQLite file."""
        if self.database_url:
            return self.database_url
        if self.shared_database_url:
            url = make_url(self.shared_database_url)
            base = url.database or "lapak"
            return url.set(database=f"{base}_{self.service_name}").render_as_string(
                hide_password=False
            )
        return f"sqlite+aiosqlite:///{self.data_dir}/{self.service_name}.db"

    def topic(self, producer: str) -> str:
        """The topic a producing service publishes to, with this run's namespace."""
        from contracts.catalogue import TOPICS

        return self.topic_namespace + TOPICS[producer]

    def tokens(self) -> dict[str, dict[str, str]]:
        raw = json.loads(self.api_tokens.get_secret_value())
        if not isinstance(raw, dict):
            raise ValueError("LAPAK_API_TOKENS must be a JSON object")
        return {str(k): {"user": str(v["user"]), "role": str(v["role"])} for k, v in raw.items()}


def settings_for(service: str) -> type[ServiceSettings]:
    """A Settings class whose own fields read ``<SERVICE>_...`` variables."""

    class Settings(ServiceSettings):
        model_config = SettingsConfigDict(
            env_prefix=f"{service.upper()}_", extra="ignore", populate_by_name=True
        )
        service_name: ClassVar[str] = service

    Settings.__name__ = f"{service.capitalize()}Settings"
    return Settings
