"""Field validation without the checks the database enforces anyway (each of those costs a query)."""

from django.db.models import Model


def full_clean_fields(instance: Model, *, exclude=()) -> None:
    """full_clean() minus what PostgreSQL enforces itself: foreign keys, unique and check constraints.

    For rows written on hot paths (the AC callback) from values the service computed under lock: every
    unique constraint, check constraint and foreign key would otherwise cost one query (three with the
    savepoint around a check constraint), and a violation still fails the transaction as an IntegrityError.
    """
    relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    instance.full_clean(exclude=[*relations, *exclude], validate_unique=False, validate_constraints=False)
