"""Accounts in DynamoDB: the profile item and the e-mail claim that keeps addresses unique."""

from datetime import datetime

from chalicelib import errors
from chalicelib.accounts.account import Account, AccountFacts, AccountStatus, Plan
from chalicelib.dynamo import bind, conditional_check_failed, transaction_condition_failed
from chalicelib.i18n import N_
from chalicelib.validation import address_key

ACCOUNT_PREFIX = "ACCOUNT#"
EMAIL_PREFIX = "EMAIL#"
STATISTICS_PAGE_SIZE = 100
# What `statistics_page` reads of an account item: the key (to page on) and nothing personal.
STATISTICS_ATTRIBUTES = ("pk", "account_id", "plan", "country", "status", "staff")
# What `account_ids_page` reads: the key and the id only (jobs that visit every account by its id).
ID_ATTRIBUTES = ("pk", "account_id")
CHANGED_ELSEWHERE = N_("Your account was changed elsewhere in the meantime. Reload the page and try again.")


class AddressTaken(Exception):
    """Another account already has this address (never shown as such to the person registering)."""


class DynamoAccounts:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.accounts.models import AccountModel, EmailClaimModel

        bind(AccountModel, table_name, region, host)
        bind(EmailClaimModel, table_name, region, host)
        self._accounts, self._claims = AccountModel, EmailClaimModel
        self._region, self._host = region, host

    def create(self, account: Account) -> None:
        from pynamodb.connection import Connection
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        claim = self._claims(pk=EMAIL_PREFIX + address_key(account.email), account_id=account.account_id)
        item = self._to_item(account)
        try:
            with TransactWrite(connection=Connection(region=self._region, host=self._host)) as transaction:
                transaction.save(claim, condition=self._claims.pk.does_not_exist())
                transaction.save(item, condition=self._accounts.pk.does_not_exist())
        except TransactWriteError as failed:
            if transaction_condition_failed(failed):
                raise AddressTaken() from None
            raise
        account.version = 1

    def get(self, account_id: str) -> Account | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._from_item(self._accounts.get(ACCOUNT_PREFIX + account_id, consistent_read=True))
        except DoesNotExist:
            return None

    def by_email(self, email: str) -> Account | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            claim = self._claims.get(EMAIL_PREFIX + address_key(email), consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self.get(claim.account_id)

    def change_email(self, account: Account, new_email: str) -> None:
        """Move the account to a new address: release the old claim, take the new one, in one go."""
        from pynamodb.connection import Connection
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        old_claim = self._claims(pk=EMAIL_PREFIX + address_key(account.email))
        new_claim = self._claims(pk=EMAIL_PREFIX + address_key(new_email), account_id=account.account_id)
        old_email = account.email
        account.email = new_email
        item = self._to_item(account)
        moves = address_key(old_email) != address_key(new_email)
        try:
            with TransactWrite(connection=Connection(region=self._region, host=self._host)) as transaction:
                if moves:
                    transaction.delete(old_claim, condition=self._claims.account_id == account.account_id)
                    transaction.save(new_claim, condition=self._claims.pk.does_not_exist())
                else:
                    transaction.save(new_claim, condition=self._claims.account_id == account.account_id)
                transaction.save(item)  # its version condition: a stale read is a conflict, not a taken address
        except TransactWriteError as failed:
            account.email = old_email
            if transaction_condition_failed(failed, *((0, 1) if moves else (0,))):
                raise AddressTaken() from None
            if transaction_condition_failed(failed):
                raise errors.Conflict(CHANGED_ELSEWHERE) from None
            raise
        account.version = item.version

    def delete(self, account: Account) -> None:
        """Erasure: the profile and the address claim go together."""
        from pynamodb.connection import Connection
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        try:
            with TransactWrite(connection=Connection(region=self._region, host=self._host)) as transaction:
                transaction.delete(self._claims(pk=EMAIL_PREFIX + address_key(account.email)),
                                   condition=self._claims.account_id == account.account_id)
                transaction.delete(self._to_item(account))  # carries the version: no erasing a stale read
        except TransactWriteError as failed:
            if transaction_condition_failed(failed):
                raise errors.Conflict(CHANGED_ELSEWHERE) from None
            raise

    def save(self, account: Account) -> None:
        """Store changed fields; refuses if someone else saved the account in the meantime."""
        from pynamodb.exceptions import PutError

        item = self._to_item(account)
        try:
            item.save()
        except PutError as failed:
            if conditional_check_failed(failed):
                raise errors.Conflict(CHANGED_ELSEWHERE) from None
            raise
        account.version = item.version

    def pause_sending(self, account_id: str, at: datetime, reason: dict) -> bool:
        """Mark the account's sending paused; True only for the call that paused it (one notice).
        The version goes up, so a save from an older read cannot wipe the pause."""
        from pynamodb.exceptions import UpdateError

        m = self._accounts
        try:
            m._get_connection().update_item(
                ACCOUNT_PREFIX + account_id, condition=m.pk.exists() & m.sending_paused_at.does_not_exist(),
                actions=[m.sending_paused_at.set(at), m.sending_paused_reason.set(reason), m.version.add(1)])
        except UpdateError as failed:
            if conditional_check_failed(failed):
                return False  # already paused, or no such account
            raise
        return True

    def resume_sending(self, account_id: str) -> None:
        m = self._accounts
        m._get_connection().update_item(ACCOUNT_PREFIX + account_id, condition=m.pk.exists(),
                                        actions=[m.sending_paused_at.remove(), m.sending_paused_reason.remove(),
                                                 m.version.add(1)])

    def statistics_page(self, cursor: str | None = None,
                        limit: int = STATISTICS_PAGE_SIZE) -> tuple[list[AccountFacts], str | None]:
        """One page of every account's plan, country and standing, for aggregate statistics (P12):
        a Scan that asks for those attributes only (Select SPECIFIC_ATTRIBUTES; the API function's
        IAM policy allows no other Scan of this table). Returns the page and the cursor of the next
        (None after the last); address claims are skipped, so a page may hold fewer than `limit`."""
        start = None
        if cursor:
            if not cursor.startswith((ACCOUNT_PREFIX, EMAIL_PREFIX)):
                raise ValueError("not a cursor of the accounts table")
            start = {"pk": {"S": cursor}}
        names = {f"#{name}": name for name in STATISTICS_ATTRIBUTES}
        connection = self._accounts._get_connection().connection
        response = connection.client.scan(
            TableName=self._accounts.Meta.table_name, Select="SPECIFIC_ATTRIBUTES", Limit=limit,
            ProjectionExpression=", ".join(names), ExpressionAttributeNames=names,
            FilterExpression="begins_with(#pk, :account)", ExpressionAttributeValues={":account": {"S": ACCOUNT_PREFIX}},
            **({"ExclusiveStartKey": start} if start else {}))
        facts = [AccountFacts(account_id=item["account_id"]["S"], plan=Plan(item["plan"]["S"]),
                              country=item["country"]["S"],
                              active=item["status"]["S"] == AccountStatus.ACTIVE.value,
                              staff=bool(item.get("staff", {}).get("BOOL", False)))
                 for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return facts, (last["pk"]["S"] if last else None)
    def account_ids_page(self, cursor: str | None = None, limit: int = 100) -> tuple[list[str], str | None]:
        """Up to `limit` account ids from `cursor` (None: the start) and the cursor of the next page (None:
        no more): a Scan that reads the key and the id only (Select SPECIFIC_ATTRIBUTES, which the IAM
        policies of the jobs that use it require). Address claims are skipped, so a page may hold fewer.
        The cursor is the key the Scan stopped at, which may be an address claim's."""
        if cursor and not cursor.startswith((ACCOUNT_PREFIX, EMAIL_PREFIX)):
            raise ValueError("not a cursor of the accounts table")
        start = {"pk": {"S": cursor}} if cursor else None
        names = {f"#{name}": name for name in ID_ATTRIBUTES}
        client = self._accounts._get_connection().connection.client
        response = client.scan(
            TableName=self._accounts.Meta.table_name, Select="SPECIFIC_ATTRIBUTES", Limit=limit,
            ProjectionExpression=", ".join(names), ExpressionAttributeNames=names,
            FilterExpression="begins_with(#pk, :account)", ExpressionAttributeValues={":account": {"S": ACCOUNT_PREFIX}},
            **({"ExclusiveStartKey": start} if start else {}))
        last = response.get("LastEvaluatedKey")
        return [item["account_id"]["S"] for item in response.get("Items", [])], (last["pk"]["S"] if last else None)

    def page(self, cursor: str | None = None, limit: int = 100) -> tuple[list[Account], str | None]:
        """Up to `limit` accounts in the table's own order, from `cursor` (None: the start), and the
        cursor of the next page (None: no more). For jobs that go through every account (broadcasts);
        the address claims in the same table are skipped. A cursor stays valid while accounts come and go."""
        m = self._accounts
        start = {"pk": {"S": ACCOUNT_PREFIX + cursor}} if cursor else None
        found = m.scan(m.pk.startswith(ACCOUNT_PREFIX), limit=limit, page_size=limit, last_evaluated_key=start,
                       consistent_read=True)
        accounts = [self._from_item(item) for item in found]
        last = found.last_evaluated_key
        return accounts, last["pk"]["S"].removeprefix(ACCOUNT_PREFIX) if last else None

    def _to_item(self, account: Account):
        item = self._accounts(
            pk=ACCOUNT_PREFIX + account.account_id, account_id=account.account_id, email=account.email,
            email_verified_at=account.email_verified_at, name=account.name, phone=account.phone,
            street=account.street, postcode=account.postcode, city=account.city, country=account.country,
            company_name=account.company_name, coc_number=account.coc_number, vat_number=account.vat_number,
            website=account.website, language=account.language, password_hash=account.password_hash,
            password_changed_at=account.password_changed_at, status=account.status.value,
            plan=account.plan.value, staff=account.staff, product_news=account.product_news,
            product_news_consent=account.product_news_consent, campaign_tracking=account.campaign_tracking,
            totp_secret=account.totp_secret,
            totp_pending_secret=account.totp_pending_secret, recovery_code_hashes=account.recovery_code_hashes,
            sending_paused_at=account.sending_paused_at, sending_paused_reason=account.sending_paused_reason,
            created_at=account.created_at)
        if account.version is not None:
            item.version = account.version
        return item

    @staticmethod
    def _from_item(item) -> Account:
        return Account(
            account_id=item.account_id, email=item.email, name=item.name, phone=item.phone, street=item.street,
            postcode=item.postcode, city=item.city, country=item.country, language=item.language,
            password_hash=item.password_hash, password_changed_at=item.password_changed_at,
            created_at=item.created_at, status=AccountStatus(item.status), plan=Plan(item.plan),
            staff=bool(item.staff), email_verified_at=item.email_verified_at, company_name=item.company_name,
            coc_number=item.coc_number, vat_number=item.vat_number, website=item.website,
            product_news=bool(item.product_news), product_news_consent=item.product_news_consent,
            campaign_tracking=item.campaign_tracking is not False,
            totp_secret=item.totp_secret, totp_pending_secret=item.totp_pending_secret,
            recovery_code_hashes=item.recovery_code_hashes, sending_paused_at=item.sending_paused_at,
            sending_paused_reason=item.sending_paused_reason,
            version=item.version)


def now() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
