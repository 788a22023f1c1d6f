"""Reads for the document review back office."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from contributions.models import Contribution, RegistrationDocument, SectorRegistration


def registration_review_queue(
    *, status: str = SectorRegistration.Status.SUBMITTED, sector=None, state=None, office=None
) -> QuerySet[SectorRegistration]:
    """Registrations in `status`, oldest submission first, with what the queue table shows joined in."""
    queryset = SectorRegistration.objects.select_related(
        "person", "sector", "sector_class", "state", "office"
    ).filter(status=status)
    if sector is not None:
        queryset = queryset.filter(sector=sector)
    if state is not None:
        queryset = queryset.filter(state=state)
    if office is not None:
        queryset = queryset.filter(office=office)
    return queryset.order_by("submitted_at", "pk")


def registration_for_review(*, registration_id: int) -> SectorRegistration:
    """One registration with its documents and contributions (and their payments), or 404."""
    contributions = Contribution.objects.select_related("plan").prefetch_related("payments").order_by("pk")
    return get_object_or_404(
        SectorRegistration.objects.select_related(
            "person", "sector", "sector_class", "state", "town", "office", "reviewed_by", "created_by"
        ).prefetch_related("documents", Prefetch("contributions", queryset=contributions)),
        pk=registration_id,
    )


def document_for_reviewer(*, document_id: int) -> RegistrationDocument:
    return get_object_or_404(RegistrationDocument.objects.select_related("registration"), pk=document_id)
