"""Customer files' pages: upload, map the columns with a preview, follow the import, read its
problems. Thin: reading and writing are in :mod:`ambassade.community.imports`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambassade.community import imports
from ambassade.community.models import CustomerImport, CustomField
from ambassade.community.permissions import COMMUNITY_FILES
from ambassade.community.services import ActionError
from ambassade.workspaces.permissions import (
    get_workspace_object_or_404,
    workspace_queryset,
    workspace_view,
)

RUNNING = (CustomerImport.State.QUEUED, CustomerImport.State.CHECKING, CustomerImport.State.WRITING)


@workspace_view(COMMUNITY_FILES)
def import_list(request: HttpRequest) -> HttpResponse:
    """The customer files imported before, and the upload of a new one."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
        else:
            try:
                imported = imports.start(request.workspace, request.user, upload)  # type: ignore[attr-defined]
            except ActionError as error:
                messages.error(request, str(error))
            else:
                return redirect("community:import", request.workspace.slug, imported.pk)  # type: ignore[attr-defined]
    rows = workspace_queryset(request, CustomerImport).select_related("created_by")[:50]
    return render(
        request,
        "community/imports.html",
        {"rows": rows, "max_mb": imports.MAX_BYTES // (1024 * 1024)},
    )


def _mapping_from(request: HttpRequest, imported: CustomerImport) -> dict[str, str]:
    return {
        str(index): request.POST.get(f"col_{index}", "")[:60]
        for index in range(len(imported.header))
    }


@workspace_view(COMMUNITY_FILES)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """Map the columns (with a preview of the first lines), then import; its progress and
    problems after."""
    imported = get_workspace_object_or_404(
        request, CustomerImport.objects.select_related("workspace"), id=import_id
    )
    fields = list(workspace_queryset(request, CustomField))
    mapping = dict(imported.mapping)
    network = imported.network
    error = ""
    if request.method == "POST" and imported.state in (
        CustomerImport.State.MAPPING,
        CustomerImport.State.FAILED,
    ):
        mapping = _mapping_from(request, imported)
        network = request.POST.get("network", "")[:40]
        if request.POST.get("action") == "import":
            try:
                imports.queue(imported, request.user, mapping, network)
            except ActionError as exc:
                error = str(exc)
            else:
                messages.success(request, _("The file is being imported."))
                return redirect("community:import", request.workspace.slug, imported.pk)  # type: ignore[attr-defined]
    editable = imported.state in (CustomerImport.State.MAPPING, CustomerImport.State.FAILED)
    try:
        preview = imports.preview(imported, mapping) if editable else []
    except OSError:
        preview, error = [], _("The file is no longer on the server: upload it again.")
    columns = [
        (str(index), name, mapping.get(str(index), ""))
        for index, name in enumerate(imported.header)
    ]
    problems = [imports.Problem.from_json(p).words() for p in imported.problems]
    return render(
        request,
        "community/import.html",
        {
            "imported": imported,
            "columns": columns,
            "targets": imports.targets(fields),
            "networks": imports.NETWORKS,
            "network": network,
            "preview": [
                {**row, "problems": [p.words() for p in row["problems"]]} for row in preview
            ],
            "editable": editable,
            "running": imported.state in RUNNING,
            "problems": problems,
            "error": error,
            "percent": int(100 * imported.done / imported.total) if imported.total else 0,
        },
    )


@workspace_view(COMMUNITY_FILES)
@require_POST
def import_delete(request: HttpRequest, import_id: int) -> HttpResponse:
    """Forget an import that is not running, and delete its file."""
    imported = get_workspace_object_or_404(request, CustomerImport.objects.all(), id=import_id)
    if imported.state in RUNNING:
        messages.error(request, _("This file is being imported: wait for the end."))
    else:
        imports.delete_file(imported.pk)
        imported.delete()
        messages.success(request, _("The file was deleted from the server."))
    return redirect("community:imports", request.workspace.slug)  # type: ignore[attr-defined]
