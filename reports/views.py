from django.shortcuts import render

from deals.selectors import start_of_today
from reports import my_day as sections


def my_day(request):
    user = request.user
    return render(
        request,
        "reports/my_day.html",
        {
            "title": "My day",
            "appointments": sections.todays_appointments(user),
            "tasks": sections.due_tasks(user),
            "stalled_deals": sections.deals_without_next_step(user),
            "today": start_of_today(),
        },
    )
