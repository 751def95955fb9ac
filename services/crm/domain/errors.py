"""Errors of the CRM; they carry ids, never personal data."""

from __future__ import annotations

from eventkit.errors import ConflictError, LapakError, NotFoundError


class CrmError(LapakError):
    """Base of the CRM's broken rules (422)."""


class TaskNotFoundError(NotFoundError):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"no task {task_id}", field="task_id")


class TaskAlreadyDoneError(ConflictError):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id} is already completed", field="task_id")


class ProfileNotFoundError(NotFoundError):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"no profile {customer_id}", field="customer_id")


class MergeRefusedError(CrmError):
    """A profile cannot be merged with itself, nor merged twice, nor unmerged if apart."""
