"""What /api/v1/usage answers."""

from pydantic import BaseModel, Field


class FigureOut(BaseModel):
    meter: str = Field(description="contacts, recipients, storage_bytes, sending_domains, campaigns_started, "
                                   "mails_sent, bytes_sent, imports or contacts_imported")
    used: int = Field(description="This month's figure (contacts, storage and domains: the amount now)")
    limit: int | None = Field(description="The plan's limit, or null where there is none")


class MonthOut(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    figures: dict[str, int]


class UsageOut(BaseModel):
    plan: str
    month: str
    figures: list[FigureOut]
    months: list[MonthOut] = Field(description="The last twelve months, oldest first")
