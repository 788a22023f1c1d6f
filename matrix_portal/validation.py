"""Field validation without the checks the database enforces anyway (each of those costs a query)."""

from django.db.models import Model


def full_clean_fields(instance: Model, *, exclude=(), only=None) -> None:
    """full_clean() minus what PostgreSQL enforces itself: foreign keys, unique and check constraints.

    For rows written on hot paths (the AC callback) from values the service computed under lock: every
    unique constraint, check constraint and foreign key would otherwise cost one query (three with the
    savepoint around a check constraint), and a violation still fails the transaction as an IntegrityError.
    `only`: validate just these fields, the ones a `save(update_fields=...)` is about to write.
    """
    skipped = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation or (only is not None and field.name not in only)
    ]
    instance.full_clean(exclude=[*skipped, *exclude], validate_unique=False, validate_constraints=False)
