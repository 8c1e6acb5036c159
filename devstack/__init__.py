"""The local stack: moto as the embedded AWS, resources from infra/, chalice local, and the event
pump that AWS provides in production (SQS and SNS to handlers, EventBridge schedules).

Not part of the Lambda package (Chalice packages app.py and chalicelib/ only).
"""
