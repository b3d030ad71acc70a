from contacts.normalize import normalize_text
from crm.registry import SearchHit
from deals.models import Deal


def search_deals(user, query: str, limit: int) -> list[SearchHit]:
    text = normalize_text(query)
    rows = (
        Deal.objects.visible_to(user)
        .filter(title_normalized__contains=text)
        .select_related("stage", "company")
        .only("title", "stage__name", "company__name")
        .order_by("title_normalized", "id")[:limit]
    )
    return [
        SearchHit(
            "Deal",
            d.title,
            " · ".join(x for x in (d.company.name if d.company else "", d.stage.name) if x),
            d.get_absolute_url(),
        )
        for d in rows
    ]
