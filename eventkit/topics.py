"""Creating topics up front, so consumers never race the broker's auto-creation."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

logger = logging.getLogger(__name__)

PARTITIONS = 3


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int = PARTITIONS,
    configs: dict[str, dict[str, str]] | None = None,
) -> None:
    """Create the missing topics; ``configs`` gives topic-level settings by name."""
    configs = configs or {}
    wanted = sorted(set(names))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in wanted if n not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [
                    NewTopic(name, num_partitions=partitions, replication_factor=1,
                             topic_configs=configs.get(name, {}))
                    for name in missing
                ]
            )
        except TopicAlreadyExistsError:
            pass
        logger.info("topics created", extra={"topics": missing})
    finally:
        await admin.close()
