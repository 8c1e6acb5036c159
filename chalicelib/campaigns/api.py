"""Campaigns and templates under /api/v1."""

from chalicelib.campaigns.schemas import CampaignOut, TemplateOut


def template_out(template) -> TemplateOut:
    return TemplateOut(template_id=template.template_id, name=template.name, subject=template.subject,
                       html=template.html, text=template.text, text_derived=template.text_derived,
                       links=list(template.links))


def campaign_out(services, account, campaign, report: bool = False) -> CampaignOut:
    numbers = {}
    if report:
        full = services.campaign_service.report(account, campaign.campaign_id)
        numbers = {k: v for k, v in full.items() if isinstance(v, int)}
    return CampaignOut(campaign_id=campaign.campaign_id, name=campaign.name, subject=campaign.subject,
                       from_name=campaign.from_name, from_email=campaign.from_email, reply_to=campaign.reply_to,
                       template_id=campaign.template_id,
                       list_id=campaign.list_id, segment_id=campaign.segment_id, state=campaign.state.value,
                       send_at=campaign.send_at, tracking=campaign.tracking, recipients=campaign.fanout.recipients,
                       report=numbers)


def asset_out(asset) -> dict:
    return {"asset_id": asset.asset_id, "name": asset.name, "url": asset.url, "content_type": asset.content_type,
            "size": asset.size, "width": asset.width, "height": asset.height,
            "created_at": asset.created_at.isoformat()}
