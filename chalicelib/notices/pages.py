"""The privacy policy pages: the public /privacy (in force, pending with its diff, history), the
banner's dismiss, and the staff pages that draft, compare, announce and withdraw versions."""

from urllib.parse import urlsplit

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.forms import messages_by_field
from chalicelib.http import html
from chalicelib.i18n import N_
from chalicelib.notices.policy import PolicyStatus
from chalicelib.notices.policy_notice import POLICY_KIND, long_date
from chalicelib.notices.policy_service import earliest_effective_date
from chalicelib.notices.policy_text import diff, has_changes, render_markdown
from chalicelib.web import render_page

STATUS_NAMES = {"draft": N_("Draft"), "pending": N_("Announced, not yet in force"), "in-force": N_("In force"),
                "superseded": N_("Replaced"), "withdrawn": N_("Withdrawn")}
NOTICES = {
    "drafted": N_("The draft is saved. Compare it with the policy in force, then announce it."),
    "saved": N_("The draft is saved."),
    "announced": N_("The new version is announced: the notice e-mail is on its way to every account holder."),
    "withdrawn": N_("The version is withdrawn."),
}


def _notice(visit: Visit) -> str | None:
    key = visit.query.get("notice")
    return i18n.gettext(NOTICES[key]) if key in NOTICES else None


def status_of(version, in_force, now) -> str:
    if version.status is PolicyStatus.DRAFT:
        return "draft"
    if version.status is PolicyStatus.WITHDRAWN:
        return "withdrawn"
    if version.pending_at(now):
        return "pending"
    return "in-force" if version.number == in_force.number else "superseded"


def _number(value: str) -> int:
    if not value.isdigit() or len(value) > 6:
        raise errors.NotFound(N_("There is no policy version %(number)s."), number=value[:12])
    return int(value)


# --- the public policy page --------------------------------------------------------------------

def policy_page(visit: Visit) -> Response:
    service = visit.services.policy
    language = i18n.current_language()
    versions = service.versions()
    in_force, pending = service.in_force(versions), service.pending(versions)
    shown = in_force
    wanted = visit.query.get("version", "")
    if wanted:
        number = _number(wanted)
        shown = next((v for v in service.history(versions) if v.number == number), None)
        if shown is None:
            raise errors.NotFound(N_("There is no policy version %(number)s."), number=number)
    now = service.now()
    return html(render_page(
        "pages/privacy.html", shown=shown, shown_html=render_markdown(shown.text(language)), in_force=in_force,
        pending=pending, pending_date=long_date(pending.effective_on, language) if pending else None,
        changes=diff(in_force.text(language), pending.text(language)) if pending else [],
        history=service.history(versions), status_of=lambda v: status_of(v, in_force, now),
        status_names=STATUS_NAMES, long_date=lambda d: long_date(d, language) if d else None))


def dismiss_banner(account, visit: Visit, number: str) -> Response:
    visit.services.policy.dismiss_banner(account, _number(number))
    return redirect(_back(visit))


def _back(visit: Visit) -> str:
    """Where the dismiss came from, when it is a page of this site; else the overview."""
    referer = visit.request.headers.get("referer") or ""
    parts = urlsplit(referer)
    own = {visit.request.headers.get("host"), urlsplit(visit.services.config.public_base_url).netloc}
    if parts.path.startswith("/") and not parts.path.startswith("//") and parts.netloc in own:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/app"


# --- staff -------------------------------------------------------------------------------------

def versions_page(account, visit: Visit, values=None, field_errors=None, status=200) -> Response:
    service = visit.services.policy
    versions = service.versions()
    in_force = service.in_force(versions)
    now = service.now()
    return render_app_page("pages/staff/policy_versions.html", account, visit, "/staff", status=status,
                           versions=list(reversed(versions)), in_force=in_force,
                           status_of=lambda v: status_of(v, in_force, now), status_names=STATUS_NAMES,
                           values=values or {"text_nl": in_force.text_nl, "text_en": in_force.text_en},
                           errors=field_errors or {}, notice=_notice(visit))


def submit_draft(account, form: dict, visit: Visit) -> Response:
    try:
        version = visit.services.policy.draft(account, form.get("text_nl"), form.get("text_en"), visit.ip)
    except errors.ValidationFailed as invalid:
        return versions_page(account, visit, form, messages_by_field(invalid), status=422)
    return redirect(f"/staff/policy/{version.number}?notice=drafted")


def version_page(account, visit: Visit, number: str, values=None, field_errors=None, problem=None,
                 status=200) -> Response:
    service = visit.services.policy
    version = service.get(_number(number))
    versions = service.versions()
    in_force = service.in_force(versions)
    now = service.now()
    changes = {language: diff(in_force.text(language), version.text(language)) for language in ("nl", "en")}
    return render_app_page(
        "pages/staff/policy_version.html", account, visit, "/staff", status=status, version=version,
        in_force=in_force, changes=changes, changed=any(has_changes(blocks) for blocks in changes.values()),
        previews={language: render_markdown(version.text(language), under_heading=True) for language in ("nl", "en")},
        version_status=status_of(version, in_force, now), status_names=STATUS_NAMES, pending=service.pending(versions),
        earliest=earliest_effective_date(now).isoformat(),
        values={"text_nl": version.text_nl, "text_en": version.text_en, "revision": version.revision,
                "effective_on": earliest_effective_date(now).isoformat(), **(values or {})},
        errors=field_errors or {}, problem=problem, notice=_notice(visit),
        progress=visit.services.broadcasts.progress(POLICY_KIND, version.message_id) if version.announced else None,
        long_date=lambda d: long_date(d, i18n.current_language()) if d else None)


def submit_edit(account, form: dict, visit: Visit, number: str) -> Response:
    revision = form.get("revision", "")
    try:
        visit.services.policy.edit(account, _number(number), form.get("text_nl"), form.get("text_en"),
                                   int(revision) if revision.isdigit() else None, visit.ip)
    except errors.ValidationFailed as invalid:
        return version_page(account, visit, number, form, messages_by_field(invalid), status=422)
    except errors.Conflict as refused:
        return version_page(account, visit, number, problem=errors.message_text(refused), status=409)
    return redirect(f"/staff/policy/{_number(number)}?notice=saved")


def submit_announce(account, form: dict, visit: Visit, number: str) -> Response:
    try:
        visit.services.policy.announce(account, _number(number), form.get("effective_on"), visit.ip)
    except errors.ValidationFailed as invalid:
        return version_page(account, visit, number, {"effective_on": form.get("effective_on", "")},
                            messages_by_field(invalid), status=422)
    except errors.Conflict as refused:
        return version_page(account, visit, number, problem=errors.message_text(refused), status=409)
    return redirect(f"/staff/policy/{_number(number)}?notice=announced")


def submit_withdraw(account, visit: Visit, number: str) -> Response:
    try:
        visit.services.policy.withdraw(account, _number(number), visit.ip)
    except errors.Conflict as refused:
        return version_page(account, visit, number, problem=errors.message_text(refused), status=409)
    return redirect(f"/staff/policy/{_number(number)}?notice=withdrawn")
