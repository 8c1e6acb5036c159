"""Rendering a campaign for sending: compiled once per campaign, rendered per recipient with no I/O.

A template has two moments, after listmonk's campaign engine; this is the second (saving is
`template_saving`). `compile_campaign` (cached per container by `compiled_campaign`) turns the
stored forms of a `PreparedTemplate` into Jinja templates once, with click tracking, open pixel
and unsubscribe footer built in; `CompiledCampaign.render` then renders one recipient's mail with
no I/O, within the limits of the sandbox (`template_sandbox`). `preview` renders as a send would.

Personalisation: `{{ contact.first_name }}`, `{{ contact.fields.city }}` or `{{ contact.city }}`
(a custom field, when no standard field has its name). A missing field renders as nothing (and
`default` supplies a fallback, see `template_sandbox`). The per-mail extras `unsubscribe_url` and
`preferences_url` are there as plain names.
"""

import html as html_escaping
import re
from dataclasses import dataclass, field

from jinja2 import Template

from chalicelib import i18n
from chalicelib.campaigns.template_html import BLANK_LINES, Anchors, protect
from chalicelib.campaigns.template_sandbox import (DEFAULT_LIMITS, RenderBudget, RenderFailed, RenderFailure,
                                                   RenderLimits, compiled_template, current_budget, uses_name)
from chalicelib.campaigns.template_saving import PreparedTemplate
from chalicelib.campaigns.tracking import TrackingLinks
from chalicelib.i18n import N_

FOOTER_PROMPT = N_("Don't want to receive these mails any more?")
FOOTER_LINK = N_("Unsubscribe")

PIXEL_HTML = ('<img src="{{ open_pixel_url }}" width="1" height="1" alt="" '
              'style="display:block;width:1px;height:1px;border:0;">')
_HREF = re.compile(r'(\shref=")[^"]*(")')
PREVIEW_EXTRAS = {"unsubscribe_url": "#unsubscribe", "preferences_url": "#preferences"}


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    html: str
    text: str


def _footers(language: str) -> tuple[str, str]:
    gettext = i18n.translations(language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE).gettext
    prompt, link = gettext(FOOTER_PROMPT), gettext(FOOTER_LINK)
    html = ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>'
            '<td style="padding:24px 16px;font-family:Arial,sans-serif;font-size:12px;color:#666666;'
            f'text-align:center;">{html_escaping.escape(prompt)} '
            f'<a href="{{{{ unsubscribe_url }}}}" style="color:#666666;">{html_escaping.escape(link)}</a>'
            '</td></tr></table>\n')
    text = f"\n\n-- \n{prompt} {link}: {{{{ unsubscribe_url }}}}\n"
    return html, text


def _insert_before_body_end(html: str, insertion: str) -> str:
    position = html.lower().rfind("</body>")
    return html + insertion if position < 0 else html[:position] + insertion + html[position:]


def _tracked_html(html: str, tracking: TrackingLinks | None, footer: str) -> str:
    """The stored HTML with its campaign links through `tracked_link`, the pixel and the footer.

    Only hrefs that are exactly a stored link change; a personalised href (one with a Jinja tag)
    and mailto:, tel: and the unsubscribe and preferences links stay as written.
    """
    protected = protect(html, comments=False)
    text = protected.text
    if tracking is not None:
        index_of = {url: index for index, url in enumerate(tracking.links)}
        for offset, start_tag, href in reversed(Anchors(text).anchors):
            if href in index_of:
                tracked_href = f"{{{{ tracked_link[{index_of[href]}] }}}}"
                tracked = _HREF.sub(lambda match, new=tracked_href: f"{match.group(1)}{new}{match.group(2)}",
                                    start_tag, count=1)
                text = text[:offset] + tracked + text[offset + len(start_tag):]
    text = _insert_before_body_end(text, footer + (PIXEL_HTML if tracking is not None else ""))
    return protected.restore(text)


@dataclass(frozen=True)
class CompiledCampaign:
    """A campaign's templates, compiled once; `render` makes one recipient's mail, with no I/O."""

    subject_template: Template = field(repr=False)
    html_template: Template = field(repr=False)
    text_template: Template = field(repr=False)
    links: tuple[str, ...]
    tracking: TrackingLinks | None
    limits: RenderLimits
    tidy_text: bool = False  # a derived text part: lines trimmed where Jinja tags left spaces

    def render(self, contact: dict, extras: dict) -> RenderedParts:
        """One recipient's mail. `contact` is {"contact_id", "email", "first_name", "last_name",
        "language", "fields": {...}}; `extras` holds at least `unsubscribe_url` (and usually
        `preferences_url`). Raises RenderFailed when the template fails or breaks a limit."""
        if not extras.get("unsubscribe_url"):
            raise ValueError("every campaign mail needs its unsubscribe_url")
        fields = contact.get("fields") or {}
        contact_id = contact.get("contact_id", "")
        if self.tracking is not None:
            tracked_link, open_pixel_url = self.tracking.for_contact(contact_id), self.tracking.open_url(contact_id)
        else:
            tracked_link, open_pixel_url = self.links, ""
        variables = {**extras, "contact": {**fields, **contact, "fields": fields},
                     "tracked_link": tracked_link, "open_pixel_url": open_pixel_url}
        budget = RenderBudget(self.limits)
        reset = current_budget.set(budget)
        try:
            subject = self._part(self.subject_template, variables, budget)
            html = self._part(self.html_template, variables, budget)
            text = self._part(self.text_template, variables, budget)
        finally:
            current_budget.reset(reset)
        if self.tidy_text:
            text = "\n".join(line.strip() for line in text.split("\n"))
        return RenderedParts(subject=" ".join(subject.split()), html=html,
                             text=BLANK_LINES.sub("\n\n", text))

    def _part(self, template: Template, variables: dict, budget: RenderBudget) -> str:
        # Streamed, so an oversized part stops early. The clock is read by the loop, call and
        # filter hooks; without those a template's chunks are bounded by its own length.
        chunks, size, limit = [], 0, self.limits.max_output_chars
        try:
            for chunk in template.generate(variables):
                size += len(chunk)
                if size > limit:
                    raise RenderFailed(RenderFailure.OUTPUT_TOO_LARGE)
                chunks.append(chunk)
        except RenderFailed:
            raise
        except Exception as failure:  # template code can raise anything Python can; one type for the sender
            raise RenderFailed(RenderFailure.TEMPLATE_ERROR, type(failure).__name__) from failure
        return "".join(chunks)


def compile_campaign(prepared: PreparedTemplate, *, tracking: TrackingLinks | None = None,
                     language: str = i18n.DEFAULT_LANGUAGE, limits: RenderLimits = DEFAULT_LIMITS) -> CompiledCampaign:
    """Compile a prepared template for sending. With `tracking` None links stay as written and
    there is no open pixel. An unsubscribe footer (in `language`) is added to a part that does
    not use `unsubscribe_url` itself."""
    if tracking is not None and tracking.links != prepared.links:
        raise ValueError("the tracking links must be the prepared template's links")
    footer_html, footer_text = _footers(language)
    html = _tracked_html(prepared.html, tracking,
                         "" if uses_name(prepared.html, "unsubscribe_url") else footer_html)
    text = prepared.text
    if not uses_name(text, "unsubscribe_url"):
        text = text.rstrip("\n") + footer_text
    subject_template = compiled_template("subject", prepared.subject, "campaign.subject.txt")
    html_template = compiled_template("html", html, "campaign.html")
    text_template = compiled_template("text", text, "campaign.txt")
    return CompiledCampaign(subject_template=subject_template, html_template=html_template,
                            text_template=text_template, links=prepared.links, tracking=tracking, limits=limits,
                            tidy_text=prepared.text_derived)


MAX_CACHED_CAMPAIGNS = 16
_compiled_campaigns: dict[tuple, CompiledCampaign] = {}


def compiled_campaign(campaign_id: str, prepared: PreparedTemplate, *, tracking: TrackingLinks | None = None,
                      language: str = i18n.DEFAULT_LANGUAGE) -> CompiledCampaign:
    """`compile_campaign`, once per campaign, template version and settings in this container."""
    key = (campaign_id, prepared.version, tracking, language)
    found = _compiled_campaigns.get(key)
    if found is None:
        found = compile_campaign(prepared, tracking=tracking, language=language)
        while len(_compiled_campaigns) >= MAX_CACHED_CAMPAIGNS:
            _compiled_campaigns.pop(next(iter(_compiled_campaigns)))
        _compiled_campaigns[key] = found
    return found


def preview(prepared: PreparedTemplate, contact: dict, *, language: str = i18n.DEFAULT_LANGUAGE) -> RenderedParts:
    """The mail as `contact` would get it, without tracking; raises RenderFailed as a send would."""
    return compile_campaign(prepared, language=language).render(contact, PREVIEW_EXTRAS)
