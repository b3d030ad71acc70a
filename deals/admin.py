from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deals.models import Deal, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    inlines = [StageInline]


@admin.register(Deal)
class DealAdmin(SimpleHistoryAdmin):
    list_display = ["title", "stage", "amount", "owner"]
    raw_id_fields = ["owner", "company", "contacts", "created_by", "updated_by"]
    show_full_result_count = False
