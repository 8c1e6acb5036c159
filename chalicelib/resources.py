"""Names of the AWS resources that Chalice event sources refer to at import time.

Chalice's `on_sqs_message` / `on_sns_message` decorators need a literal name, so these names are
fixed here and in `infra/template.json` (one MailExpert stack per AWS account and region);
`.chalice/config.json` passes the same names to the code, and a test keeps all three in step.
"""

MAIL_QUEUE = "mailexpert-mail"
JOBS_QUEUE = "mailexpert-jobs"
CAMPAIGN_SEND_QUEUE = "mailexpert-campaign-send"
SES_EVENTS_TOPIC = "mailexpert-ses-events"
